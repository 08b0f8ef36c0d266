import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { TEST_SECRET, createTestApi, jsonBody, type TestApi } from '../../testing/harness.js'

let api: TestApi

beforeAll(async () => {
  api = await createTestApi()
})

afterAll(async () => {
  await api?.close()
})

async function problem(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  return (await response.json()) as {
    code: string
    status: number
    detail: string
    errors?: Array<{ path: string; message: string }>
  }
}

describe('POST /v1/auth/signup', () => {
  test('returns 201 with the new user', async () => {
    const response = await api.request(
      '/v1/auth/signup',
      jsonBody({ username: 'ada', password: 'analytical engine' }),
    )
    expect(response.status).toBe(201)
    const body = (await response.json()) as Record<string, unknown>
    expect(body.username).toBe('ada')
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(body).not.toHaveProperty('passwordHash')
  })

  test('returns 409 for a taken username', async () => {
    await api.request('/v1/auth/signup', jsonBody({ username: 'grace', password: 'compiler one' }))
    const response = await api.request(
      '/v1/auth/signup',
      jsonBody({ username: 'grace', password: 'another one' }),
    )
    expect(response.status).toBe(409)
    expect((await problem(response)).code).toBe('username_taken')
  })

  test('returns 422 naming each invalid field', async () => {
    const response = await api.request('/v1/auth/signup', jsonBody({ username: 'x', password: 3 }))
    expect(response.status).toBe(422)
    const body = await problem(response)
    expect(body.code).toBe('validation_failed')
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['password', 'username'])
  })

  test('returns 400 for malformed JSON', async () => {
    const response = await api.request('/v1/auth/signup', jsonBody('{"username": '))
    expect(response.status).toBe(400)
    expect((await problem(response)).code).toBe('invalid_json')
  })

  test('returns 415 for a non-JSON body', async () => {
    const response = await api.request('/v1/auth/signup', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'username=ada',
    })
    expect(response.status).toBe(415)
    expect((await problem(response)).code).toBe('unsupported_media_type')
  })
})

describe('POST /v1/auth/login', () => {
  beforeAll(async () => {
    await api.request(
      '/v1/auth/signup',
      jsonBody({ username: 'linus', password: 'right password' }),
    )
  })

  test('returns a bearer token for the right password', async () => {
    const response = await api.request(
      '/v1/auth/login',
      jsonBody({ username: 'linus', password: 'right password' }),
    )
    expect(response.status).toBe(200)
    const body = (await response.json()) as {
      accessToken: string
      tokenType: string
      expiresIn: number
    }
    expect(body.tokenType).toBe('Bearer')
    expect(body.expiresIn).toBe(3600)
    expect(body.accessToken.split('.')).toHaveLength(3)
  })

  test('returns 422 for a username sign-up never accepts', async () => {
    const response = await api.request(
      '/v1/auth/login',
      jsonBody({ username: 'a\u0000b', password: 'x' }),
    )
    expect(response.status).toBe(422)
    expect((await problem(response)).errors?.[0]?.path).toBe('username')
  })

  test('answers a wrong password and an unknown user alike', async () => {
    const wrong = await api.request(
      '/v1/auth/login',
      jsonBody({ username: 'linus', password: 'wrong password' }),
    )
    const unknown = await api.request(
      '/v1/auth/login',
      jsonBody({ username: 'nobody', password: 'wrong password' }),
    )
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const { requestId: _a, ...wrongBody } = (await wrong.json()) as Record<string, unknown>
    const { requestId: _b, ...unknownBody } = (await unknown.json()) as Record<string, unknown>
    expect(wrongBody).toEqual(unknownBody)
    expect(wrongBody.code).toBe('invalid_credentials')
  })
})

describe('bearer token checks', () => {
  let userId: string

  beforeAll(async () => {
    userId = (await api.signUp()).userId
  })

  async function tasksWith(headers: Record<string, string>) {
    return api.request('/v1/tasks', { headers })
  }

  function claims() {
    return new SignJWT({})
      .setSubject(userId)
      .setIssuer('fractal-animation-server')
      .setAudience('fractal-animation-server/v1')
      .setIssuedAt()
      .setJti(crypto.randomUUID())
  }

  test('accepts a valid token', async () => {
    const { headers } = await api.signUp()
    expect((await tasksWith(headers)).status).toBe(200)
  })

  test('rejects a missing token', async () => {
    const response = await tasksWith({})
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect((await problem(response)).code).toBe('missing_token')
  })

  test('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await claims()
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(TEST_SECRET)
    const response = await tasksWith({ Authorization: `Bearer ${token}` })
    expect(response.status).toBe(401)
    expect((await problem(response)).detail).toMatch(/expired/)
  })

  test('rejects a token signed with another key', async () => {
    const otherKey = new TextEncoder().encode('a-different-secret-of-at-least-32-bytes!')
    const token = await claims()
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(otherKey)
    const response = await tasksWith({ Authorization: `Bearer ${token}` })
    expect(response.status).toBe(401)
    expect((await problem(response)).code).toBe('invalid_token')
  })

  test('rejects an unsigned alg none token', async () => {
    const token = new UnsecuredJWT({ jti: crypto.randomUUID() })
      .setSubject(userId)
      .setIssuer('fractal-animation-server')
      .setAudience('fractal-animation-server/v1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode()
    const response = await tasksWith({ Authorization: `Bearer ${token}` })
    expect(response.status).toBe(401)
    expect((await problem(response)).code).toBe('invalid_token')
  })

  test('rejects an HS512 token with the right key', async () => {
    const token = await claims()
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime('1h')
      .sign(TEST_SECRET)
    expect((await tasksWith({ Authorization: `Bearer ${token}` })).status).toBe(401)
  })

  test('rejects a malformed Authorization header', async () => {
    const response = await tasksWith({ Authorization: 'Basic YWRhOnB3' })
    expect(response.status).toBe(401)
    expect((await problem(response)).code).toBe('invalid_token')
  })

  test('rejects a deleted user on every task route', async () => {
    const { headers } = await api.signUp()
    const json = { ...headers, 'Content-Type': 'application/json' }
    const created = await api.request('/v1/tasks', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ c: { re: 0, im: 0 } }),
    })
    const { id } = (await created.json()) as { id: string }
    expect((await api.request('/v1/users/me', { method: 'DELETE', headers })).status).toBe(204)

    const attempts: Array<[string, RequestInit]> = [
      [`/v1/tasks/${id}`, { headers }],
      [`/v1/tasks/${id}/video`, { headers }],
      [`/v1/tasks/${id}`, { method: 'DELETE', headers }],
      [
        '/v1/tasks',
        { method: 'POST', headers: json, body: JSON.stringify({ c: { re: 0, im: 0 } }) },
      ],
      ['/v1/users/me', { method: 'DELETE', headers }],
    ]
    for (const [path, init] of attempts) {
      const response = await api.request(path, init)
      expect(response.status, `${init.method ?? 'GET'} ${path}`).toBe(401)
    }
  })

  test('rejects the token of a deleted user', async () => {
    const { headers } = await api.signUp()
    const deleted = await api.request('/v1/users/me', { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    const response = await tasksWith(headers)
    expect(response.status).toBe(401)
    expect((await problem(response)).code).toBe('invalid_token')
  })
})
