import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

import { FolderObjectStore } from './folder.js'
import { InvalidObjectKeyError } from './limits.js'

const publicBaseUrl = 'http://127.0.0.1:8080'
const signingKey = 'k'.repeat(32)
let workDir: string
let source: string
let store: FolderObjectStore

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'fas-folder-test-'))
  source = join(workDir, 'upload.mp4')
  await writeFile(source, 'mp4 bytes')
  store = new FolderObjectStore({ dir: join(workDir, 'objects'), publicBaseUrl, signingKey })
  await store.init()
})

afterEach(async () => {
  vi.useRealTimers()
  await rm(workDir, { recursive: true, force: true })
})

// The query of a URL from presignGet, as the API route reads it.
async function signedQuery(key: string, seconds = 60) {
  const url = new URL((await store.presignGet(key, seconds)).url)
  return {
    path: url.pathname,
    expires: url.searchParams.get('expires') ?? '',
    signature: url.searchParams.get('signature') ?? '',
  }
}

describe('putFile', () => {
  test('stores the bytes', async () => {
    await store.putFile('videos/u/t.mp4', source, 'video/mp4')
    expect(await readFile(store.filePath('videos/u/t.mp4'), 'utf8')).toBe('mp4 bytes')
  })

  test('returns the size', async () => {
    expect(await store.putFile('t.mp4', source, 'video/mp4')).toEqual({ bytes: 9 })
  })

  test('leaves no partial file', async () => {
    await store.putFile('videos/t.mp4', source, 'video/mp4')
    expect(await readdir(join(store.dir, 'videos'))).toEqual(['t.mp4'])
  })

  test('replaces an existing object', async () => {
    await store.putFile('t.mp4', source, 'video/mp4')
    await writeFile(source, 'newer')
    await store.putFile('t.mp4', source, 'video/mp4')
    expect(await readFile(store.filePath('t.mp4'), 'utf8')).toBe('newer')
  })
})

describe('presignGet', () => {
  test('points at the objects route', async () => {
    const { url } = await store.presignGet('videos/u/t.mp4', 60)
    const expected = /^http:\/\/127\.0\.0\.1:8080\/objects\/videos\/u\/t\.mp4\?expires=\d+&/
    expect(url).toMatch(expected)
    expect(url).toMatch(/&signature=[0-9a-f]{64}$/)
  })

  test('reports the expiry time', async () => {
    const { url, expiresAt } = await store.presignGet('t.mp4', 60)
    expect(expiresAt.getTime() / 1000).toBe(Number(new URL(url).searchParams.get('expires')))
  })

  test('rejects an expiry over 7 days', async () => {
    await expect(store.presignGet('t.mp4', 604_801)).rejects.toThrow(RangeError)
  })
})

describe('verify', () => {
  test('accepts its own URL', async () => {
    const { expires, signature } = await signedQuery('videos/t.mp4')
    expect(store.verify('videos/t.mp4', expires, signature)).toBe('ok')
  })

  test('reports an expired URL', async () => {
    const { expires, signature } = await signedQuery('videos/t.mp4', 1)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 2000)
    expect(store.verify('videos/t.mp4', expires, signature)).toBe('expired')
  })

  test('rejects another key', async () => {
    const { expires, signature } = await signedQuery('videos/t.mp4')
    expect(store.verify('videos/other.mp4', expires, signature)).toBe('invalid')
  })

  test('rejects a changed expiry', async () => {
    const { expires, signature } = await signedQuery('videos/t.mp4')
    expect(store.verify('videos/t.mp4', String(Number(expires) + 1), signature)).toBe('invalid')
  })

  test('rejects a tampered signature', async () => {
    const { expires, signature } = await signedQuery('videos/t.mp4')
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0')
    expect(store.verify('videos/t.mp4', expires, flipped)).toBe('invalid')
  })

  test('rejects another signing key', async () => {
    const { expires, signature } = await signedQuery('videos/t.mp4')
    const other = new FolderObjectStore({ dir: workDir, publicBaseUrl, signingKey: 'x'.repeat(32) })
    expect(other.verify('videos/t.mp4', expires, signature)).toBe('invalid')
  })

  test.each([
    ['', 'a'.repeat(64)],
    ['soon', 'a'.repeat(64)],
    ['1700000000', 'short'],
    ['1700000000', 'A'.repeat(64)],
  ])('rejects expires %j signature %j', (expires, signature) => {
    expect(store.verify('t.mp4', expires, signature)).toBe('invalid')
  })
})

describe('keys', () => {
  test.each(['videos/u/t.mp4', 'a-b_c.d', 'A/1/z.MP4'])('accepts %j', (key) => {
    expect(store.filePath(key)).toBe(join(store.dir, key))
  })

  const badKeys = ['', '/etc/passwd', '../x', 'a/../b', 'a/./b', 'a//b', 'a/', '.hidden', 'a/.b']
  test.each([...badKeys, 'a b', 'é', 'a\\b'])('rejects %j', (key) => {
    expect(() => store.filePath(key)).toThrow(InvalidObjectKeyError)
  })

  test('rejects an overlong key', () => {
    expect(() => store.filePath('a'.repeat(1025))).toThrow(InvalidObjectKeyError)
  })

  test('verify rejects a bad key', async () => {
    const { expires, signature } = await signedQuery('t.mp4')
    expect(store.verify('../t.mp4', expires, signature)).toBe('invalid')
  })
})

describe('remove', () => {
  test('deletes the file', async () => {
    await store.putFile('t.mp4', source, 'video/mp4')
    await store.remove('t.mp4')
    await expect(readFile(store.filePath('t.mp4'))).rejects.toThrow(/ENOENT/)
  })

  test('ignores a missing object', async () => {
    await expect(store.remove('never.mp4')).resolves.toBeUndefined()
  })

  test('removes folders it leaves empty', async () => {
    await store.putFile('videos/u1/t1/a.mp4', source, 'video/mp4')
    await store.putFile('videos/u1/t2/b.mp4', source, 'video/mp4')

    await store.remove('videos/u1/t1/a.mp4')
    expect(await readdir(join(workDir, 'objects', 'videos', 'u1'))).toEqual(['t2'])

    await store.remove('videos/u1/t2/b.mp4')
    expect(await readdir(join(workDir, 'objects'))).toEqual([])
  })
})

describe('ping', () => {
  test('rejects before init', async () => {
    const fresh = new FolderObjectStore({ dir: join(workDir, 'new'), publicBaseUrl, signingKey })
    await expect(fresh.ping()).rejects.toThrow(/ENOENT/)
  })

  test('resolves after init', async () => {
    await expect(store.ping()).resolves.toBeUndefined()
  })
})

describe('FolderObjectStore options', () => {
  test('rejects a short signing key', () => {
    const options = { dir: workDir, publicBaseUrl, signingKey: 'short' }
    expect(() => new FolderObjectStore(options)).toThrow(/`signingKey`.*5 bytes/)
  })

  test('rejects a relative base URL', () => {
    const options = { dir: workDir, publicBaseUrl: '/objects', signingKey }
    expect(() => new FolderObjectStore(options)).toThrow(/`publicBaseUrl`/)
  })

  test('accepts a Buffer key', () => {
    const options = { dir: workDir, publicBaseUrl, signingKey: Buffer.alloc(32, 1) }
    expect(() => new FolderObjectStore(options)).not.toThrow()
  })
})
