import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { startS3Server, type TestS3Server } from '../testing/index.js'
import { InvalidObjectKeyError } from './limits.js'
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3.js'

let server: TestS3Server
let workDir: string
let videoPath: string
const videoBytes = randomBytes(64 * 1024)

beforeAll(async () => {
  server = await startS3Server()
  workDir = await mkdtemp(join(tmpdir(), 'fas-s3-test-'))
  videoPath = join(workDir, 'video.mp4')
  await writeFile(videoPath, videoBytes)
})

afterAll(async () => {
  await server.stop()
  await rm(workDir, { recursive: true, force: true })
})

// Each test gets a bucket of its own.
function options(overrides: Partial<S3ObjectStoreOptions> = {}): S3ObjectStoreOptions {
  const { endpoint, region, accessKey, secretKey } = server
  const bucket = `fas-test-${randomBytes(6).toString('hex')}`
  return { endpoint, region, accessKey, secretKey, bucket, ...overrides }
}

async function storeWithVideo(overrides: Partial<S3ObjectStoreOptions> = {}) {
  const store = new S3ObjectStore(options(overrides))
  await store.init()
  await store.putFile('videos/u/t.mp4', videoPath, 'video/mp4')
  return store
}

function tamper(url: string): string {
  const parsed = new URL(url)
  const signature = parsed.searchParams.get('X-Amz-Signature') ?? ''
  const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0')
  parsed.searchParams.set('X-Amz-Signature', flipped)
  return parsed.toString()
}

describe('init', () => {
  test('creates a missing bucket', async () => {
    const store = new S3ObjectStore(options())
    await expect(store.ping()).rejects.toThrow(/does not exist/)
    await store.init()
    await expect(store.ping()).resolves.toBeUndefined()
  })

  test('tolerates concurrent creation', async () => {
    const shared = options()
    const stores = [new S3ObjectStore(shared), new S3ObjectStore(shared)]
    await expect(Promise.all(stores.map((store) => store.init()))).resolves.toBeDefined()
  })
})

describe('putFile', () => {
  test('returns the size', async () => {
    const store = new S3ObjectStore(options())
    await store.init()
    expect(await store.putFile('a.mp4', videoPath, 'video/mp4')).toEqual({
      bytes: videoBytes.length,
    })
  })
})

describe('presignGet', () => {
  test('URL returns the bytes', async () => {
    const store = await storeWithVideo()
    const { url } = await store.presignGet('videos/u/t.mp4', 60)
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer()).equals(videoBytes)).toBe(true)
  })

  test('keeps the content type', async () => {
    const store = await storeWithVideo()
    const response = await fetch((await store.presignGet('videos/u/t.mp4', 60)).url)
    expect(response.headers.get('content-type')).toBe('video/mp4')
  })

  test('rejects a tampered signature', async () => {
    const store = await storeWithVideo()
    const { url } = await store.presignGet('videos/u/t.mp4', 60)
    expect((await fetch(tamper(url))).status).toBe(403)
  })

  test('rejects an expired URL', async () => {
    const store = await storeWithVideo()
    const { url } = await store.presignGet('videos/u/t.mp4', 1)
    await sleep(2000)
    expect((await fetch(url)).status).toBe(403)
  })

  test('reports the expiry time', async () => {
    const store = await storeWithVideo()
    const before = Date.now()
    const { expiresAt } = await store.presignGet('videos/u/t.mp4', 600)
    expect(expiresAt.getTime()).toBeGreaterThan(before + 598_000)
    expect(expiresAt.getTime()).toBeLessThanOrEqual(before + 600_000)
  })

  test.each([0, 604_801, 1.5])('rejects expiry %s', async (seconds) => {
    const store = new S3ObjectStore(options())
    await expect(store.presignGet('a.mp4', seconds)).rejects.toThrow(RangeError)
  })

  test('rejects an invalid key', async () => {
    const store = new S3ObjectStore(options())
    await expect(store.presignGet('../a.mp4', 60)).rejects.toThrow(InvalidObjectKeyError)
  })

  describe('when the public endpoint differs', () => {
    test('URL uses the public host', async () => {
      const publicEndpoint = server.endpoint.replace('127.0.0.1', 'localhost')
      const store = await storeWithVideo({ publicEndpoint })
      const { url } = await store.presignGet('videos/u/t.mp4', 60)
      expect(new URL(url).host).toBe(new URL(publicEndpoint).host)
    })

    test('URL works through it', async () => {
      const publicEndpoint = server.endpoint.replace('127.0.0.1', 'localhost')
      const store = await storeWithVideo({ publicEndpoint })
      const { url } = await store.presignGet('videos/u/t.mp4', 60)
      expect((await fetch(url)).status).toBe(200)
    })

    test('signing sends no request', async () => {
      // Nothing listens on port 1, so any request made while signing would fail.
      const store = new S3ObjectStore(options({ publicEndpoint: 'http://127.0.0.1:1' }))
      const { url } = await store.presignGet('videos/u/t.mp4', 60)
      expect(url.startsWith('http://127.0.0.1:1/')).toBe(true)
    })
  })
})

describe('remove', () => {
  test('deletes the object', async () => {
    const store = await storeWithVideo()
    await store.remove('videos/u/t.mp4')
    expect((await fetch((await store.presignGet('videos/u/t.mp4', 60)).url)).status).toBe(404)
  })

  test('ignores a missing object', async () => {
    const store = new S3ObjectStore(options())
    await store.init()
    await expect(store.remove('never/there.mp4')).resolves.toBeUndefined()
  })
})

describe('S3ObjectStore options', () => {
  test.each([
    [{ endpoint: 'minio:9000' }, /`endpoint`/],
    [{ endpoint: 'http://minio:9000/path' }, /`endpoint`/],
    [{ publicEndpoint: 'ftp://example' }, /`publicEndpoint`/],
    [{ bucket: 'Bad_Bucket' }, /`bucket`/],
    [{ accessKey: '' }, /`accessKey`/],
  ])('rejects %j', (overrides, message) => {
    expect(() => new S3ObjectStore(options(overrides))).toThrow(message)
  })
})
