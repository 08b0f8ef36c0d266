import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { startServiceStack, type TestServiceStack } from '../db/testing/index.js'
import { probeVideo, topLevelAtoms } from '../worker/testing/media.js'
import { startSeparateServices, type SeparateServices } from './testing/services.js'
import { renderTask, signUpAndLogIn, type ApiUrls } from './testing/walkthrough.js'

// Pre-signed links in this file live this long, so the expiry check needs only a short wait.
const URL_TTL_SECONDS = 4

const START_TIMEOUT_MS = 60_000

// The deployed shape: the API and a worker as separate processes that share only PostgreSQL,
// a Redis stream and an S3-protocol server (a local @20minutes/s3rver, which checks Signature V4
// on pre-signed URLs).
describe('API and worker as separate services', () => {
  let stack: TestServiceStack
  let scratch: string
  let services: SeparateServices | undefined
  let urls: ApiUrls

  beforeAll(async () => {
    stack = await startServiceStack()
    scratch = await mkdtemp(join(tmpdir(), 'fas-services-'))
    services = await startSeparateServices(stack.environment, join(scratch, 'worker'), {
      VIDEO_URL_TTL_SECONDS: String(URL_TTL_SECONDS),
    })
    urls = { auth: services.url, tasks: services.url }
  }, 2 * START_TIMEOUT_MS)

  afterAll(async () => {
    await services?.stop()
    await stack?.close()
    await rm(scratch, { recursive: true, force: true })
  })

  let videoUrl: string

  test('renders the default task to a playable MP4', async () => {
    const auth = await signUpAndLogIn(urls, 'service-walker')
    const { task, elapsedMs } = await renderTask(urls, auth, { c: { re: -0.8, im: -0.18 } })
    console.log(
      `service mode: default task took ${(elapsedMs / 1000).toFixed(2)} s from POST to succeeded`,
    )
    expect(task.error).toBeUndefined()
    expect(task.state).toBe('succeeded')
    videoUrl = task.video?.url ?? ''
    expect(videoUrl.startsWith(`${stack.s3.endpoint}/${stack.s3.bucket}/`)).toBe(true)

    // A plain HTTP client with no credentials: the signature in the URL is the only permission.
    const download = await fetch(videoUrl)
    expect(download.status).toBe(200)
    const bytes = new Uint8Array(await download.arrayBuffer())
    expect(bytes.byteLength).toBe(task.video?.bytes)

    const atoms = topLevelAtoms(bytes)
    expect(atoms.indexOf('moov')).toBeLessThan(atoms.indexOf('mdat'))
    const file = join(scratch, 'download.mp4')
    await writeFile(file, bytes)
    const probe = await probeVideo(file)
    expect(probe).toMatchObject({
      codec: 'h264',
      width: 800,
      height: 600,
      pixFmt: 'yuv420p',
      frames: 120,
    })
    expect(probe.durationSeconds).toBeCloseTo(5, 1)
  })

  test('tampered pre-signed URL is rejected', async () => {
    const url = new URL(videoUrl)
    const signature = url.searchParams.get('X-Amz-Signature') ?? ''
    url.searchParams.set(
      'X-Amz-Signature',
      `${signature[0] === 'a' ? 'b' : 'a'}${signature.slice(1)}`,
    )
    expect((await fetch(url)).status).toBe(403)
  })

  test('pre-signed URL for another key is rejected', async () => {
    const url = new URL(videoUrl)
    url.pathname = url.pathname.replace(/\.mp4$/, '-other.mp4')
    expect((await fetch(url)).status).toBe(403)
  })

  test('expired pre-signed URL is rejected', async () => {
    const signedAt = new URL(videoUrl).searchParams.get('X-Amz-Date') ?? ''
    const iso = signedAt.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')
    const waitMs = Date.parse(iso) + (URL_TTL_SECONDS + 1.5) * 1000 - Date.now()
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
    expect((await fetch(videoUrl)).status).toBe(403)
  })
})
