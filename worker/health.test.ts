import { afterEach, expect, test } from 'vitest'

import { startHealthServer } from './health.js'

let close: (() => Promise<void>) | undefined

afterEach(async () => {
  await close?.()
  close = undefined
})

async function serve(idleMs: number, checks: Record<string, () => Promise<unknown>> = {}) {
  const server = await startHealthServer(0, { idleMs: () => idleMs, maxIdleMs: 1000, checks })
  close = server.close
  return `http://127.0.0.1:${server.port}`
}

test('healthz returns 200 while the loop is active', async () => {
  const url = await serve(10)
  const response = await fetch(`${url}/healthz`)
  expect(response.status).toBe(200)
})

test('healthz returns 503 once the loop stalls', async () => {
  const url = await serve(5000)
  const response = await fetch(`${url}/healthz`)
  expect(response.status).toBe(503)
  expect(await response.json()).toEqual({ status: 'stalled', idle_ms: 5000 })
})

test('readyz names the failing dependency', async () => {
  const url = await serve(0, {
    database: () => Promise.resolve(),
    objectStore: () => Promise.reject(new Error('bucket missing')),
  })
  const response = await fetch(`${url}/readyz`)
  expect(response.status).toBe(503)
  expect(await response.json()).toEqual({
    status: 'unavailable',
    checks: { database: 'ok', objectStore: 'bucket missing' },
  })
})

test('readyz returns 200 when every check passes', async () => {
  const url = await serve(0, { database: () => Promise.resolve() })
  expect((await fetch(`${url}/readyz`)).status).toBe(200)
})
