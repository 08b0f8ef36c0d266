import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { probeVideo, topLevelAtoms } from '../worker/testing/media.js'
import { cleanEnvironment, freePort, ServiceProcess, waitUntilReady } from './testing/services.js'
import { renderTask, signUpAndLogIn, type ApiUrls } from './testing/walkthrough.js'

// `make run` as a user runs it: one process on the embedded defaults (PGlite, the in-process
// queue, a folder of videos), driven over HTTP.
describe('standalone process', () => {
  let dataDir: string
  let port: number
  let service: ServiceProcess | undefined
  let urls: ApiUrls

  async function start() {
    const env = { ...cleanEnvironment(), DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }
    service = new ServiceProcess('standalone', 'api/standalone.ts', env)
    await waitUntilReady(service, `http://127.0.0.1:${port}/readyz`, 60_000)
    expect(service.output).toContain(`running at http://127.0.0.1:${port}`)
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fas-standalone-'))
    port = await freePort()
    urls = { auth: `http://127.0.0.1:${port}`, tasks: `http://127.0.0.1:${port}` }
    await start()
  })

  afterAll(async () => {
    await service?.stop(30_000)
    await rm(dataDir, { recursive: true, force: true })
  })

  let auth: Record<string, string>
  let videoUrl: string
  let taskId: string

  test('renders the default task to a playable MP4', async () => {
    auth = await signUpAndLogIn(urls, 'walker')
    const { task, elapsedMs } = await renderTask(urls, auth, { c: { re: -0.8, im: -0.18 } })
    console.log(
      `embedded mode: default task took ${(elapsedMs / 1000).toFixed(2)} s from POST to succeeded`,
    )
    expect(task.error).toBeUndefined()
    expect(task.state).toBe('succeeded')
    expect(task.progress).toEqual({ framesDone: 120, framesTotal: 120 })
    taskId = task.id
    videoUrl = task.video?.url ?? ''

    const download = await fetch(videoUrl)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('video/mp4')
    const bytes = new Uint8Array(await download.arrayBuffer())
    expect(bytes.byteLength).toBe(task.video?.bytes)

    const atoms = topLevelAtoms(bytes)
    expect(atoms.indexOf('moov')).toBeGreaterThanOrEqual(0)
    expect(atoms.indexOf('moov')).toBeLessThan(atoms.indexOf('mdat'))

    const file = join(dataDir, 'download.mp4')
    await writeFile(file, bytes)
    const probe = await probeVideo(file)
    expect(probe.codec).toBe('h264')
    expect(probe.width).toBe(800)
    expect(probe.height).toBe(600)
    expect(probe.pixFmt).toBe('yuv420p')
    expect(probe.frames).toBe(120)
    expect(probe.durationSeconds).toBeCloseTo(5, 1)
  })

  test('video redirect leads to the same file', async () => {
    const response = await fetch(`${urls.tasks}/v1/tasks/${taskId}/video`, {
      headers: auth,
      redirect: 'manual',
    })
    expect(response.status).toBe(302)
    const location = response.headers.get('location') ?? ''
    expect(new URL(location).pathname).toBe(new URL(videoUrl).pathname)
  })

  test('tampered link is rejected', async () => {
    const tampered = videoUrl.replace(
      /signature=(.)/,
      (_, first: string) => `signature=${first === 'a' ? 'b' : 'a'}`,
    )
    const response = await fetch(tampered)
    expect(response.status).toBe(403)
  })

  test('data and secret survive a restart', async () => {
    const secretBefore = await readFile(join(dataDir, 'jwt-secret'), 'utf8')
    await service?.stop(30_000)
    await start()

    const response = await fetch(`${urls.tasks}/v1/tasks/${taskId}`, { headers: auth })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { state: string }).state).toBe('succeeded')
    expect(await readFile(join(dataDir, 'jwt-secret'), 'utf8')).toBe(secretBefore)
    expect((await fetch(videoUrl)).status).toBe(200)
  })
})
