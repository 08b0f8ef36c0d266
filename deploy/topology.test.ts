import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { startServiceStack, type TestServiceStack } from '../db/testing/index.js'
import { probeVideo, topLevelAtoms } from '../worker/testing/media.js'
import { containerEnvironment } from './testing/environment.js'
import { renderKustomization, type KubernetesObject } from './testing/kustomize.js'
import { freePort, ServiceProcess, waitUntilReady } from '../api/testing/services.js'
import { podTemplates, type PodTemplate } from './testing/workloads.js'

// The auth API, the task API and two workers as separate processes, each started with the
// environment that the kind overlay gives its container. The test replaces only the addresses
// and credentials of PostgreSQL, Redis and S3, the listening ports and the video folder with
// local ones. Every other variable keeps its rendered value.

/** How long one service may take to apply migrations, start Xvfb and compile shaders. */
const START_TIMEOUT_MS = 60_000
/** How long the walk-through waits for a task to finish, in milliseconds. */
const TASK_TIMEOUT_MS = 90_000
/** The kubelet's grace period when a pod sets none, in seconds. */
const DEFAULT_GRACE_SECONDS = 30

interface Workload {
  template: PodTemplate
  env: Record<string, string>
}

let objects: KubernetesObject[]
let stack: TestServiceStack | undefined
let scratchDir: string
const services: ServiceProcess[] = []
let authUrl: string
let tasksUrl: string

function workload(name: string): Workload {
  const template = podTemplates(objects).find((candidate) => candidate.owner.metadata.name === name)
  const container = template?.spec.containers[0]
  if (template === undefined || container === undefined)
    throw new Error(`no workload named ${name}`)
  return { template, env: containerEnvironment(objects, container, template.namespace) }
}

/**
 * Returns `rendered` with the values in `local`. Each replaced variable must be one the
 * manifests set, so that a variable they stop setting fails here instead of being invented.
 */
function localise(name: string, rendered: Record<string, string>, local: Record<string, string>) {
  const missing = Object.keys(local).filter((key) => rendered[key] === undefined)
  if (missing.length > 0)
    throw new Error(`the ${name} manifests no longer set ${missing.join(', ')}`)

  // PATH and HOME stand in for the image's; NODE_ENV is what the Dockerfile sets.
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratchDir,
    NODE_ENV: 'production',
    ...rendered,
    ...local,
  }
}

function storageEnvironment(): Record<string, string> {
  if (stack === undefined) throw new Error('local servers did not start')
  const { S3_REGION: _region, ...environment } = stack.environment
  return {
    ...environment,
    // Workers upload through one address and users download through another, as inside and
    // outside the cluster; the URL is signed for the second.
    S3_PUBLIC_ENDPOINT: `http://localhost:${new URL(stack.s3.endpoint).port}`,
  }
}

async function startApi(name: 'api-auth' | 'api-tasks'): Promise<string> {
  const port = await freePort()
  const env = localise(name, workload(name).env, {
    ...storageEnvironment(),
    HOST: '127.0.0.1',
    PORT: String(port),
  })
  const service = new ServiceProcess(name, 'api/main.ts', env)
  services.push(service)
  const url = `http://127.0.0.1:${port}`
  await waitUntilReady(service, `${url}/readyz`, START_TIMEOUT_MS)
  return url
}

async function startWorker(index: number): Promise<void> {
  const port = await freePort()
  const videos = join(scratchDir, `videos-${index}`)
  const env = localise('worker', workload('worker').env, {
    ...storageEnvironment(),
    HEALTH_PORT: String(port),
    WORKER_TMP_DIR: videos,
  })
  const service = new ServiceProcess(`worker-${index}`, 'worker/main.ts', env)
  services.push(service)
  await waitUntilReady(service, `http://127.0.0.1:${port}/readyz`, START_TIMEOUT_MS)
}

function serviceOutput(): string {
  return services.map((service) => `--- ${service.name}\n${service.output}`).join('\n')
}

async function request(url: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const headers = new Headers(init.headers)
  if (init.token !== undefined) headers.set('Authorization', `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set('Content-Type', 'application/json')
  const body = init.json === undefined ? init.body : JSON.stringify(init.json)
  return fetch(url, { ...init, headers, body, redirect: 'manual' })
}

beforeAll(async () => {
  objects = await renderKustomization('overlays/kind')
  scratchDir = await mkdtemp(join(tmpdir(), 'fas-topology-'))
  stack = await startServiceStack()

  // Started together, as a rollout starts them: migrations run under an advisory lock.
  const [auth, tasks] = await Promise.all([
    startApi('api-auth'),
    startApi('api-tasks'),
    startWorker(1),
    startWorker(2),
  ])
  authUrl = auth
  tasksUrl = tasks
}, 4 * START_TIMEOUT_MS)

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop(5000)))
  await stack?.close()
  if (scratchDir !== undefined) await rm(scratchDir, { recursive: true, force: true })
})

describe('services as deployed', () => {
  test('API replicas share one token secret', () => {
    const auth = workload('api-auth').env.JWT_SECRET
    const tasks = workload('api-tasks').env.JWT_SECRET
    expect(auth).toBe(tasks)
    expect(auth?.length).toBeGreaterThanOrEqual(32)
  })

  test('worker binary paths exist on this machine', () => {
    expect(existsSync(workload('worker').env.FFMPEG_PATH ?? '')).toBe(true)
  })

  test('each API serves only its routes', async () => {
    expect((await request(`${tasksUrl}/v1/auth/login`, { method: 'POST', json: {} })).status).toBe(
      404,
    )
    expect((await request(`${authUrl}/v1/tasks`)).status).toBe(404)
    expect((await request(`${authUrl}/openapi.json`)).status).toBe(404)
    expect((await request(`${tasksUrl}/openapi.json`)).status).toBe(200)
    expect((await request(`${tasksUrl}/docs`)).status).toBe(200)
  })

  test('walk-through renders a video and serves it through a pre-signed URL', async () => {
    const accessToken = await signUpAndLogIn('walk')

    // A token from the auth service works on the task service.
    const spec = {
      fractal: 'julia',
      c: { re: -0.8, im: 0.156 },
      width: 64,
      height: 48,
      fps: 12,
      durationSeconds: 1,
    }
    const created = await request(`${tasksUrl}/v1/tasks`, {
      method: 'POST',
      token: accessToken,
      json: spec,
    })
    expect(created.status, await created.clone().text()).toBe(202)
    const location = created.headers.get('Location') ?? ''
    expect(location).toMatch(/^\/v1\/tasks\/[0-9a-f-]{36}$/)

    const task = await waitForTask(`${tasksUrl}${location}`, accessToken)
    expect(task.state, `${JSON.stringify(task)}\n${serviceOutput()}`).toBe('succeeded')
    expect(task.progress).toEqual({ framesDone: 12, framesTotal: 12 })

    const redirect = await request(`${tasksUrl}${location}/video`, { token: accessToken })
    expect(redirect.status).toBe(302)
    const videoUrl = redirect.headers.get('Location') ?? ''
    expect(videoUrl.startsWith(`${storageEnvironment().S3_PUBLIC_ENDPOINT}/`)).toBe(true)

    const download = await fetch(videoUrl)
    expect(download.status).toBe(200)
    const video = new Uint8Array(await download.arrayBuffer())
    expect(video.byteLength).toBe(task.video?.bytes)

    const atoms = topLevelAtoms(video)
    expect(atoms[0]).toBe('ftyp')
    expect(atoms.indexOf('moov')).toBeLessThan(atoms.indexOf('mdat'))
    const path = join(scratchDir, 'walk-through.mp4')
    await writeFile(path, video)
    const probe = await probeVideo(path)
    expect(probe).toMatchObject({
      codec: 'h264',
      width: 64,
      height: 48,
      pixFmt: 'yuv420p',
      frames: 12,
    })

    // The pre-signed URL carries a signature for its own host; another host name fails it.
    const tampered = await fetch(videoUrl.replace('localhost', '127.0.0.1'))
    expect(tampered.status).toBe(403)
  })

  test('tasks spread over both workers', async () => {
    const token = await signUpAndLogIn('spread')
    const spec = {
      fractal: 'julia',
      c: { re: -0.4, im: 0.6 },
      width: 64,
      height: 48,
      fps: 24,
      durationSeconds: 1,
    }
    // Posted together, while both workers wait on the stream: Redis hands each new entry to the
    // consumer that has waited longest, so a busy worker does not take the next one.
    const locations = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const created = await request(`${tasksUrl}/v1/tasks`, { method: 'POST', token, json: spec })
        expect(created.status).toBe(202)
        return created.headers.get('Location') ?? ''
      }),
    )
    for (const location of locations) {
      expect((await waitForTask(`${tasksUrl}${location}`, token)).state).toBe('succeeded')
    }

    const ids = locations.map((location) => location.split('/').at(-1))
    const finishedBy = services
      .filter((service) => service.name.startsWith('worker'))
      .map((service) => finishedTaskIds(service.output).filter((id) => ids.includes(id)))
    expect(finishedBy.flat().sort()).toEqual([...ids].sort())
    for (const finished of finishedBy) expect(finished.length, serviceOutput()).toBeGreaterThan(0)

    // The worker autoscaler counts unfinished tasks as the stream's length, which holds only
    // while workers delete the entries of finished tasks.
    expect(await stack?.redis.xlen(`${stack.keyPrefix}tasks`)).toBe(0)
  })

  test('deleted account token rejected by task API', async () => {
    const accessToken = await signUpAndLogIn('gone')
    expect((await request(`${tasksUrl}/v1/tasks`, { token: accessToken })).status).toBe(200)

    expect(
      (await request(`${authUrl}/v1/users/me`, { method: 'DELETE', token: accessToken })).status,
    ).toBe(204)
    expect((await request(`${tasksUrl}/v1/tasks`, { token: accessToken })).status).toBe(401)
  })

  test('services exit with status 0 on SIGTERM within their grace period', async () => {
    const graceSeconds = (name: string) =>
      workload(name).template.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS
    const results = await Promise.all(
      services.map(async (service) => {
        const name = service.name.startsWith('worker') ? 'worker' : service.name
        return { name: service.name, ...(await service.stop(graceSeconds(name) * 1000)) }
      }),
    )
    for (const result of results) {
      expect(result, serviceOutput()).toEqual({
        name: result.name,
        code: 0,
        signal: null,
        killed: false,
      })
    }
  }, 60_000)
})

interface TaskBody {
  state: string
  progress: { framesDone: number; framesTotal: number }
  error?: unknown
  video?: { url: string; bytes: number }
}

async function signUpAndLogIn(prefix: string): Promise<string> {
  const credentials = {
    username: `${prefix}_${randomBytes(4).toString('hex')}`,
    password: 'correct horse battery staple',
  }
  expect(
    (await request(`${authUrl}/v1/auth/signup`, { method: 'POST', json: credentials })).status,
  ).toBe(201)
  const login = await request(`${authUrl}/v1/auth/login`, { method: 'POST', json: credentials })
  expect(login.status).toBe(200)
  return ((await login.json()) as { accessToken: string }).accessToken
}

/** Returns the task ids of the worker's `task finished` log lines (pino JSON, one per line). */
function finishedTaskIds(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; task_id?: string })
    .filter((entry) => entry.msg === 'task finished' && entry.task_id !== undefined)
    .map((entry) => entry.task_id as string)
}

async function waitForTask(url: string, token: string): Promise<TaskBody> {
  const deadline = Date.now() + TASK_TIMEOUT_MS
  let task: TaskBody | undefined
  while (Date.now() < deadline) {
    const response = await request(url, { token })
    task = (await response.json()) as TaskBody
    if (['succeeded', 'failed', 'cancelled'].includes(task.state)) return task
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`task still ${task?.state} after ${TASK_TIMEOUT_MS} ms:\n${serviceOutput()}`)
}
