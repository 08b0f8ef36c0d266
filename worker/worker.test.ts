import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import type { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'

import { openDatabase, type DatabaseHandle } from '../db/client.js'
import { migrateDatabase } from '../db/migrate.js'
import { FolderObjectStore } from '../db/objects/folder.js'
import { RedisTaskQueue } from '../db/queue/redis.js'
import { claimTask, findTaskById, insertTask } from '../db/tasks/repository.js'
import { cancelTask } from '../db/tasks/repository.js'
import {
  connectTestRedis,
  createTestDatabase,
  deleteKeys,
  insertTestUser,
  randomKeyPrefix,
  testRedisUrl,
  type TestDatabase,
} from '../db/testing/index.js'
import { frameCount } from '../shaders/spec.js'
import { FrameRenderer } from './render/renderer.js'
import { writeFakeFfmpegs } from './testing/fake-ffmpeg.js'
import { waitFor } from './testing/processes.js'
import { testSpec } from './testing/specs.js'
import { TaskWorker, type TaskWorkerOptions } from './worker.js'

const LEASE_MS = 600

let database: TestDatabase
let handle: DatabaseHandle
let redis: Redis
let renderers: FrameRenderer[]
let scratch: string
let store: FolderObjectStore
let fakeFfmpeg: Awaited<ReturnType<typeof writeFakeFfmpegs>>

beforeAll(async () => {
  database = await createTestDatabase()
  handle = await openDatabase({ url: database.url })
  await migrateDatabase(handle)
  redis = await connectTestRedis()
  // Two workers rendering at once need a renderer each, because a renderer reuses its frame buffer.
  const first = await FrameRenderer.create()
  renderers = [first, await FrameRenderer.create({ display: first.display })]
  scratch = await mkdtemp(join(tmpdir(), 'fas-worker-test-'))
  store = new FolderObjectStore({
    dir: join(scratch, 'objects'),
    publicBaseUrl: 'http://unused.test',
    signingKey: new Uint8Array(32),
  })
  await store.init()
  fakeFfmpeg = await writeFakeFfmpegs()
})

afterAll(async () => {
  for (const renderer of [...(renderers ?? [])].reverse()) await renderer.close()
  redis?.disconnect()
  await handle?.close()
  await database?.drop()
  await rm(scratch, { recursive: true, force: true })
  if (fakeFfmpeg !== undefined) {
    await rm(dirname(fakeFfmpeg.fail), { recursive: true, force: true })
  }
})

let keyPrefix: string
let queues: RedisTaskQueue[]
let workers: TaskWorker[]

beforeEach(() => {
  keyPrefix = randomKeyPrefix()
  queues = []
  workers = []
})

afterEach(async () => {
  await Promise.all(workers.map((worker) => worker.close()))
  await Promise.all(queues.map((queue) => queue.close()))
  await deleteKeys(redis, keyPrefix)
})

function openQueue(): RedisTaskQueue {
  const queue = new RedisTaskQueue({ redis: testRedisUrl(), keyPrefix, leaseMs: LEASE_MS })
  queues.push(queue)
  return queue
}

function startWorker(options: Partial<TaskWorkerOptions> = {}): TaskWorker {
  const worker = new TaskWorker({
    db: handle.db,
    queue: openQueue(),
    store,
    renderer: renderers[workers.length] as FrameRenderer,
    logger: pino({ level: 'silent' }),
    ffmpegPath: 'ffmpeg',
    tmpDir: join(scratch, `tmp-${workers.length}`),
    leaseMs: LEASE_MS,
    blockMs: 200,
    ...options,
  })
  workers.push(worker)
  void worker.run()
  return worker
}

async function submit(fields: Parameters<typeof testSpec>[0] = {}) {
  const user = await insertTestUser(handle.db)
  const spec = testSpec(fields)
  const task = await insertTask(handle.db, { userId: user.id, spec, framesTotal: frameCount(spec) })
  await openQueue().enqueue(task.id)
  return task
}

async function waitForState(taskId: string, states: string[], timeoutMs = 60_000) {
  const reached = await waitFor(
    async () => states.includes((await findTaskById(handle.db, taskId))?.state ?? ''),
    timeoutMs,
  )
  const task = await findTaskById(handle.db, taskId)
  expect(reached, `task ${taskId} is ${task?.state}, expected ${states.join(' or ')}`).toBe(true)
  return task!
}

test('renders, uploads and acknowledges a task', async () => {
  const task = await submit()
  startWorker()

  const done = await waitForState(task.id, ['succeeded', 'failed'])
  expect(done.state).toBe('succeeded')
  expect(done.attempts).toBe(1)
  expect(done.framesDone).toBe(12)
  expect(done.videoKey).toMatch(new RegExp(`^videos/${task.userId}/${task.id}/`))
  expect(done.videoBytes).toBeGreaterThan(0)
  await waitFor(async () => (await queues[0]!.depth()) === 0)
  expect(await queues[0]!.depth()).toBe(0)
  expect(await readdir(join(scratch, 'tmp-0'))).toEqual([])
})

test('two workers finish each task exactly once', async () => {
  const tasks = await Promise.all(Array.from({ length: 6 }, () => submit()))
  startWorker()
  startWorker()

  for (const task of tasks) {
    const done = await waitForState(task.id, ['succeeded', 'failed'])
    expect(done.state).toBe('succeeded')
    expect(done.attempts).toBe(1)
  }
})

describe('when a worker stops without acknowledging', () => {
  test('another worker takes the entry over after the lease', async () => {
    const task = await submit()
    // A consumer that claims the task and dies: no lease extension, no acknowledgement.
    const crashed = await openQueue().receive({ blockMs: 1000 })
    expect(crashed?.taskId).toBe(task.id)
    await claimTask(handle.db, task.id)

    startWorker()
    const done = await waitForState(task.id, ['succeeded', 'failed'])
    expect(done.state).toBe('succeeded')
    expect(done.attempts).toBe(2)
  })

  test('the task fails once the delivery cap is used', async () => {
    const task = await submit()
    const crashed = await openQueue().receive({ blockMs: 1000 })
    expect(crashed?.deliveryCount).toBe(1)

    startWorker({ maxDeliveries: 1 })
    const done = await waitForState(task.id, ['succeeded', 'failed'])
    expect(done.state).toBe('failed')
    expect(done.error).toMatch(/gave up after 1 attempts: .*lease expired/)
  })
})

describe('when encoding keeps failing', () => {
  test('the task fails after the maximum deliveries with the error', async () => {
    const task = await submit()
    startWorker({ ffmpegPath: fakeFfmpeg.fail, maxDeliveries: 3 })

    const done = await waitForState(task.id, ['succeeded', 'failed'])
    expect(done.state).toBe('failed')
    expect(done.attempts).toBe(3)
    expect(done.error).toContain('fake ffmpeg: invalid input data')
    expect(await readdir(join(scratch, 'tmp-0'))).toEqual([])
  })
})

describe('when the task is cancelled while rendering', () => {
  test('the worker stops and stores no video', async () => {
    const task = await submit({ width: 320, height: 240, durationSeconds: 20 })
    startWorker()
    await waitFor(
      async () => ((await findTaskById(handle.db, task.id))?.framesDone ?? 0) >= 10,
      60_000,
    )

    await cancelTask(handle.db, task.userId, task.id)
    await waitFor(async () => (await queues[0]!.depth()) === 0, 10_000)
    const after = await findTaskById(handle.db, task.id)
    expect(after?.state).toBe('cancelled')
    expect(after?.videoKey).toBeNull()
    expect(await queues[0]!.depth()).toBe(0)
    expect(await readdir(join(scratch, 'objects'))).not.toContain(task.userId)
  })
})

describe('when the worker shuts down mid-task', () => {
  test('close() hands the task back to the queue', async () => {
    const task = await submit({ width: 320, height: 240, durationSeconds: 20 })
    const worker = startWorker({ shutdownGraceMs: 0 })
    await waitFor(
      async () => ((await findTaskById(handle.db, task.id))?.framesDone ?? 0) >= 10,
      60_000,
    )

    await worker.close()
    const after = await findTaskById(handle.db, task.id)
    expect(after?.state).toBe('queued')
    expect(after?.error).toMatch(/shut down/)

    // Released, not left to the lease: another consumer gets it at once.
    const next = await openQueue().receive({ blockMs: 100 })
    expect(next?.taskId).toBe(task.id)
    expect(next?.deliveryCount).toBe(2)
  })
})

describe('when the stored spec is invalid', () => {
  test('the task fails at once without retries', async () => {
    const user = await insertTestUser(handle.db)
    const bad = { ...testSpec(), width: 63 }
    const task = await insertTask(handle.db, { userId: user.id, spec: bad, framesTotal: 12 })
    await openQueue().enqueue(task.id)
    startWorker()

    const done = await waitForState(task.id, ['succeeded', 'failed'])
    expect(done.state).toBe('failed')
    expect(done.attempts).toBe(1)
    expect(done.error).toMatch(/stored spec is invalid/)
  })
})
