import { afterAll, beforeAll, expect, test } from 'vitest'

import { createTestApi, type TestApi } from '../../testing/harness.js'

let api: TestApi

beforeAll(async () => {
  api = await createTestApi()
})

afterAll(async () => {
  await api?.close()
})

test('healthz returns 200', async () => {
  const response = await api.request('/healthz')
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ status: 'ok' })
})

test('readyz reports every dependency ready', async () => {
  const response = await api.request('/readyz')
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({
    status: 'ready',
    checks: { database: 'ok', queue: 'ok', objectStore: 'ok' },
  })
})

test('readyz returns 503 naming a failed dependency', async () => {
  const original = api.deps.queue.ping
  api.deps.queue.ping = () => Promise.reject(new Error('connection refused'))
  try {
    const response = await api.request('/readyz')
    expect(response.status).toBe(503)
    const body = (await response.json()) as { checks: Record<string, string> }
    expect(body.checks.queue).toBe('connection refused')
    expect(body.checks.database).toBe('ok')
  } finally {
    api.deps.queue.ping = original
  }
})

test('unknown route returns a problem document', async () => {
  const response = await api.request('/v2/nothing')
  expect(response.status).toBe(404)
  expect(response.headers.get('content-type')).toMatch(/problem\+json/)
  expect(((await response.json()) as { code: string }).code).toBe('not_found')
})

test('responses carry a request id', async () => {
  const response = await api.request('/healthz', { headers: { 'X-Request-Id': 'trace-123' } })
  expect(response.headers.get('x-request-id')).toBe('trace-123')
})
