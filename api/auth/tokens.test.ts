import { SignJWT } from 'jose'
import { expect, test } from 'vitest'

import { ApiError } from '../errors.js'
import { TokenIssuer } from './tokens.js'

const secret = new TextEncoder().encode('tokens-test-secret-of-at-least-32-bytes')
const USER_ID = '6f1f0c1e-8a55-4a41-9f4e-2f8d9d1c8a01'

test('verify() - returns the subject of a signed token', async () => {
  const issuer = new TokenIssuer({ secret })
  const token = await issuer.sign(USER_ID)
  expect(await issuer.verify(token)).toBe(USER_ID)
  expect(await issuer.verify(token)).toBe(USER_ID)
})

test('verify() - rejects a cached token once it expires', async () => {
  const issuer = new TokenIssuer({ secret })
  const expiresAt = Math.floor(Date.now() / 1000) + 2
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(USER_ID)
    .setIssuer('fractal-animation-server')
    .setAudience('fractal-animation-server/v1')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .setJti('one')
    .sign(secret)
  expect(await issuer.verify(token)).toBe(USER_ID)

  await new Promise((resolve) => setTimeout(resolve, (expiresAt + 0.2) * 1000 - Date.now()))
  await expect(issuer.verify(token)).rejects.toThrow(ApiError)
})

test('verify() - rejects a tampered signature', async () => {
  const issuer = new TokenIssuer({ secret })
  const token = await issuer.sign(USER_ID)
  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')
  await expect(issuer.verify(tampered)).rejects.toThrow(/invalid/)
})

test('verify() - rejects a subject that is not a user id', async () => {
  const issuer = new TokenIssuer({ secret })
  const token = await issuer.sign('not-a-uuid')
  await expect(issuer.verify(token)).rejects.toThrow(ApiError)
})

test('verify() - rejects a token issued in the future', async () => {
  const issuer = new TokenIssuer({ secret })
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(USER_ID)
    .setIssuer('fractal-animation-server')
    .setAudience('fractal-animation-server/v1')
    .setIssuedAt(now + 600)
    .setExpirationTime(now + 1200)
    .setJti('future')
    .sign(secret)
  await expect(issuer.verify(token)).rejects.toThrow(ApiError)
})

test('verify() - rejects a token older than the lifetime', async () => {
  const issuer = new TokenIssuer({ secret, ttlSeconds: 3600 })
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(USER_ID)
    .setIssuer('fractal-animation-server')
    .setAudience('fractal-animation-server/v1')
    .setIssuedAt(now - 7200)
    .setExpirationTime(now + 100 * 365 * 86400)
    .setJti('long')
    .sign(secret)
  await expect(issuer.verify(token)).rejects.toThrow(ApiError)
})

test('constructor - rejects a short secret', () => {
  expect(() => new TokenIssuer({ secret: new Uint8Array(16) })).toThrow(/at least 32 bytes/)
})
