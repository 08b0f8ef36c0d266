import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { createTestApi, type TestApi } from '../../testing/harness.js'

const KEY = 'videos/objects-test/clip.mp4'
const CONTENT = '0123456789abcdefghij'

let api: TestApi
let link: string

beforeAll(async () => {
  api = await createTestApi()
  const file = join(tmpdir(), `objects-test-${process.pid}.mp4`)
  await writeFile(file, CONTENT)
  await api.deps.store.putFile(KEY, file, 'video/mp4')
  await rm(file)
  const signed = await api.deps.store.presignGet(KEY, 3600)
  const url = new URL(signed.url)
  link = url.pathname + url.search
})

afterAll(async () => {
  await api?.close()
})

async function code(response: Response): Promise<string> {
  return ((await response.json()) as { code: string }).code
}

describe('GET /objects/{key}', () => {
  test('returns the whole file', async () => {
    const response = await api.request(link)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('20')
    expect(await response.text()).toBe(CONTENT)
  })

  const spans: Array<[string, string, string]> = [
    ['bytes=0-9', '0123456789', 'bytes 0-9/20'],
    ['bytes=15-', 'fghij', 'bytes 15-19/20'],
    ['bytes=-5', 'fghij', 'bytes 15-19/20'],
    ['bytes=10-100', 'abcdefghij', 'bytes 10-19/20'],
  ]
  test.each(spans)('returns 206 for %s', async (range, body, contentRange) => {
    const response = await api.request(link, { headers: { Range: range } })
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe(contentRange)
    expect(await response.text()).toBe(body)
  })

  test.each(['bytes=20-', 'bytes=-0'])('returns 416 for %s', async (range) => {
    const response = await api.request(link, { headers: { Range: range } })
    expect(response.status).toBe(416)
    expect(response.headers.get('content-range')).toBe('bytes */20')
    expect(await code(response)).toBe('range_not_satisfiable')
  })

  test('ignores a multi-range request', async () => {
    const response = await api.request(link, { headers: { Range: 'bytes=0-1,4-5' } })
    expect(response.status).toBe(200)
  })

  test('rejects a changed signature', async () => {
    const response = await api.request(link.replace(/signature=./, 'signature=0'))
    expect(response.status).toBe(403)
    expect(await code(response)).toBe('signature_invalid')
  })

  test('rejects a changed expiry', async () => {
    const response = await api.request(
      link.replace(/expires=(\d+)/, (_, n) => `expires=${Number(n) + 60}`),
    )
    expect(response.status).toBe(403)
  })

  test('rejects a malformed escape in the key', async () => {
    const response = await api.request(link.replace('clip.mp4', 'clip%E0%A4%A.mp4'))
    expect(response.status).toBe(403)
    expect(response.headers.get('content-type')).toMatch(/problem\+json/)
  })

  test('rejects encoded dot segments', async () => {
    const escaped = link.replace('videos/objects-test/', 'videos%2F..%2F..%2F')
    const response = await api.request(escaped)
    expect(response.status).toBe(403)
  })

  test('never serves a path outside the route', async () => {
    // URL parsing resolves plain dot segments first, so the request leaves /objects altogether.
    const response = await api.request(link.replace('videos/objects-test/', 'videos/../../'))
    expect(response.status).toBe(404)
    expect(await code(response)).toBe('not_found')
  })

  test('rejects an expired link', async () => {
    const signed = await api.deps.store.presignGet(KEY, 1)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const url = new URL(signed.url)
    const response = await api.request(url.pathname + url.search)
    expect(response.status).toBe(403)
    expect(await code(response)).toBe('url_expired')
  })
})
