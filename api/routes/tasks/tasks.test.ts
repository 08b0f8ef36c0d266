import { rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { claimTask, completeTask } from '../../../db/tasks/repository.js'
import { createTestApi, jsonBody, type TestApi } from '../../testing/harness.js'

const C = { re: -0.8, im: -0.18 }

let api: TestApi
let alice: { userId: string; headers: Record<string, string> }
let bob: { userId: string; headers: Record<string, string> }

beforeAll(async () => {
  api = await createTestApi()
  alice = await api.signUp('alice')
  bob = await api.signUp('bob')
})

afterAll(async () => {
  await api?.close()
})

type Task = {
  id: string
  state: string
  spec: Record<string, unknown>
  progress: { framesDone: number; framesTotal: number }
  video?: { url: string; bytes: number; expiresAt: string }
}
type Problem = { code: string; detail: string; errors?: Array<{ path: string; message: string }> }

async function postTask(body: unknown, headers = alice.headers) {
  return api.request('/v1/tasks', jsonBody(body, headers))
}

async function createTask(body: unknown = { c: C }, headers = alice.headers): Promise<Task> {
  const response = await postTask(body, headers)
  expect(response.status).toBe(202)
  return (await response.json()) as Task
}

/** Marks a task succeeded with a small stand-in video, as a worker would. */
async function finishTask(task: Task, userId: string) {
  const key = `videos/${userId}/${task.id}.mp4`
  const file = join(tmpdir(), `${task.id}.mp4`)
  await writeFile(file, 'not really a video')
  const { bytes } = await api.deps.store.putFile(key, file, 'video/mp4')
  await rm(file)
  await claimTask(api.deps.db, task.id)
  await completeTask(api.deps.db, task.id, { videoKey: key, videoBytes: bytes })
}

describe('POST /v1/tasks', () => {
  test('returns 202 with Location and defaults filled in', async () => {
    const response = await postTask({ c: C })
    expect(response.status).toBe(202)
    const task = (await response.json()) as Task
    expect(response.headers.get('location')).toBe(`/v1/tasks/${task.id}`)
    expect(task.state).toBe('queued')
    expect(task.spec).toEqual({
      fractal: 'julia',
      c: C,
      width: 800,
      height: 600,
      fps: 24,
      durationSeconds: 5,
      maxIterations: 500,
      scale: 1.2,
      center: { re: 0, im: 0 },
      palette: 'classic',
      animation: { kind: 'orbit', radiansPerFrame: 0.01 },
    })
    expect(task.progress).toEqual({ framesDone: 0, framesTotal: 120 })
  })

  test('queues the task id', async () => {
    const task = await createTask()
    expect(await api.deps.queue.depth()).toBeGreaterThan(0)
    const ids: string[] = []
    for (;;) {
      const delivery = await api.deps.queue.receive({ blockMs: 10 })
      if (delivery === null) break
      ids.push(delivery.taskId)
      await delivery.ack()
    }
    expect(ids).toContain(task.id)
  })

  test('admits 1920x1080 at 30 fps for 10 s', async () => {
    const task = await createTask({ c: C, width: 1920, height: 1080, fps: 30, durationSeconds: 10 })
    expect(task.progress.framesTotal).toBe(300)
  })

  const invalid: Array<[string, unknown, string, string]> = [
    ['odd width', { c: C, width: 801 }, 'width', 'even'],
    ['zero fps', { c: C, fps: 0 }, 'fps', 'at least 1'],
    ['missing c', {}, 'c', 'required'],
    ['unknown fractal', { fractal: 'mandelbulb', c: C }, 'fractal', 'one of'],
    ['string for a number', { c: C, maxIterations: '500' }, 'maxIterations', 'number'],
    ['string inside c', { c: { re: 'x', im: 0 } }, 'c.re', 'number'],
    ['unknown field', { c: C, widht: 640 }, 'widht', 'unknown field'],
    ['unknown palette', { c: C, palette: 'neon' }, 'palette', 'one of'],
    ['no frames', { c: C, fps: 1, durationSeconds: 0.1 }, 'durationSeconds', 'at least 1 frame'],
    ['array body', [], 'c', 'required'],
    ['null body', null, '', 'object'],
  ]
  test.each(invalid)('returns 422 for %s', async (_name, body, path, message) => {
    const response = await postTask(body)
    expect(response.status).toBe(422)
    const problem = (await response.json()) as Problem
    expect(problem.code).toBe('validation_failed')
    const error = problem.errors?.find((e) => e.path === path)
    expect(error?.message).toContain(message)
  })

  test('returns 422 with the cost over the budget', async () => {
    const response = await postTask({
      c: C,
      width: 4096,
      height: 4096,
      fps: 60,
      durationSeconds: 600,
    })
    expect(response.status).toBe(422)
    const problem = (await response.json()) as Problem & { cost: number; budget: number }
    expect(problem.code).toBe('work_budget_exceeded')
    expect(problem.cost).toBe(4096 * 4096 * 36_000 * 500)
    expect(problem.budget).toBe(500_000_000_000)
    expect(problem.errors?.[0]?.path).toBe('')
  })

  const budgets: Array<[string, Record<string, unknown>, string]> = [
    [
      'one frame over the frame budget',
      { width: 4096, height: 4096, fps: 1, durationSeconds: 1, maxIterations: 10_000 },
      'width * height * maxIterations',
    ],
    [
      'too many pixels in all',
      { width: 4096, height: 4096, fps: 120, durationSeconds: 248, maxIterations: 1 },
      'width * height * frames',
    ],
  ]
  test.each(budgets)('returns 422 for %s', async (_name, fields, formula) => {
    const response = await postTask({ c: C, ...fields })
    expect(response.status).toBe(422)
    const problem = (await response.json()) as Problem
    expect(problem.code).toBe('work_budget_exceeded')
    expect(problem.errors?.[0]?.message.startsWith(`${formula} =`)).toBe(true)
  })

  test('returns 413 for a body over the limit', async () => {
    const response = await postTask({ c: C, padding: 'x'.repeat(20_000) })
    expect(response.status).toBe(413)
    expect(((await response.json()) as Problem).code).toBe('payload_too_large')
  })

  test('stores nothing for a rejected spec', async () => {
    const before = (await (
      await api.request('/v1/tasks?limit=100', { headers: bob.headers })
    ).json()) as { items: Task[] }
    await postTask({ c: C, width: 801 }, bob.headers)
    const after = (await (
      await api.request('/v1/tasks?limit=100', { headers: bob.headers })
    ).json()) as { items: Task[] }
    expect(after.items.length).toBe(before.items.length)
  })
})

describe('GET /v1/tasks/{id}', () => {
  test('returns the caller’s task', async () => {
    const task = await createTask()
    const response = await api.request(`/v1/tasks/${task.id}`, { headers: alice.headers })
    expect(response.status).toBe(200)
    expect(((await response.json()) as Task).id).toBe(task.id)
  })

  test('returns 404 for another user’s task', async () => {
    const task = await createTask()
    const response = await api.request(`/v1/tasks/${task.id}`, { headers: bob.headers })
    expect(response.status).toBe(404)
    expect(((await response.json()) as Problem).code).toBe('task_not_found')
  })

  test('returns 404 for a malformed id', async () => {
    const response = await api.request('/v1/tasks/not-a-uuid', { headers: alice.headers })
    expect(response.status).toBe(404)
  })

  test('includes a signed video URL once succeeded', async () => {
    const task = await createTask()
    await finishTask(task, alice.userId)
    const body = (await (
      await api.request(`/v1/tasks/${task.id}`, { headers: alice.headers })
    ).json()) as Task
    expect(body.state).toBe('succeeded')
    expect(body.video?.bytes).toBe(18)
    expect(body.video?.url).toMatch(/^http:\/\/api\.test\/objects\/videos\/.+signature=/)
    expect(Date.parse(body.video?.expiresAt ?? '')).toBeGreaterThan(Date.now())
  })
})

describe('GET /v1/tasks', () => {
  test('pages newest first without gaps', async () => {
    const carol = await api.signUp('carol')
    const created: string[] = []
    for (let i = 0; i < 5; i++) created.push((await createTask({ c: C }, carol.headers)).id)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`
      const response = await api.request(`/v1/tasks?limit=2${query}`, { headers: carol.headers })
      expect(response.status).toBe(200)
      const page = (await response.json()) as { items: Task[]; nextCursor: string | null }
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((t) => t.id))
      cursor = page.nextCursor
    } while (cursor !== null)

    expect(seen).toEqual([...created].reverse())
  })

  test('returns 422 for a bad limit', async () => {
    const response = await api.request('/v1/tasks?limit=0', { headers: alice.headers })
    expect(response.status).toBe(422)
    expect(((await response.json()) as Problem).errors?.[0]?.path).toBe('limit')
  })

  test('returns 422 naming an unknown parameter', async () => {
    const response = await api.request('/v1/tasks?foo=bar', { headers: alice.headers })
    expect(response.status).toBe(422)
    const error = ((await response.json()) as Problem).errors?.[0]
    expect(error?.path).toBe('foo')
    expect(error?.message).toBe('unknown field "foo": expected one of limit, cursor')
  })

  test('returns 422 for a bad cursor', async () => {
    const response = await api.request('/v1/tasks?cursor=nonsense', { headers: alice.headers })
    expect(response.status).toBe(422)
    expect(((await response.json()) as Problem).errors?.[0]?.path).toBe('cursor')
  })
})

describe('DELETE /v1/tasks/{id}', () => {
  test('cancels a queued task', async () => {
    const task = await createTask()
    const response = await api.request(`/v1/tasks/${task.id}`, {
      method: 'DELETE',
      headers: alice.headers,
    })
    expect(response.status).toBe(204)
    const after = (await (
      await api.request(`/v1/tasks/${task.id}`, { headers: alice.headers })
    ).json()) as Task
    expect(after.state).toBe('cancelled')
  })

  test('deletes a finished task and its video', async () => {
    const task = await createTask()
    await finishTask(task, alice.userId)
    const response = await api.request(`/v1/tasks/${task.id}`, {
      method: 'DELETE',
      headers: alice.headers,
    })
    expect(response.status).toBe(204)
    expect((await api.request(`/v1/tasks/${task.id}`, { headers: alice.headers })).status).toBe(404)
    const path = api.runtime.folderStore?.filePath(`videos/${alice.userId}/${task.id}.mp4`) ?? ''
    await expect(stat(path)).rejects.toThrow(/ENOENT/)
  })

  test('returns 404 for another user’s task', async () => {
    const task = await createTask()
    const response = await api.request(`/v1/tasks/${task.id}`, {
      method: 'DELETE',
      headers: bob.headers,
    })
    expect(response.status).toBe(404)
    const after = (await (
      await api.request(`/v1/tasks/${task.id}`, { headers: alice.headers })
    ).json()) as Task
    expect(after.state).toBe('queued')
  })
})

describe('GET /v1/tasks/{id}/video', () => {
  test('returns 409 before the task succeeds', async () => {
    const task = await createTask()
    const response = await api.request(`/v1/tasks/${task.id}/video`, { headers: alice.headers })
    expect(response.status).toBe(409)
    expect(((await response.json()) as Problem).code).toBe('not_ready')
  })

  test('redirects to a working signed URL', async () => {
    const task = await createTask()
    await finishTask(task, alice.userId)
    const response = await api.request(`/v1/tasks/${task.id}/video`, { headers: alice.headers })
    expect(response.status).toBe(302)
    const location = new URL(response.headers.get('location') ?? '')
    const download = await api.request(location.pathname + location.search)
    expect(download.status).toBe(200)
    expect(await download.text()).toBe('not really a video')
  })

  test('returns 404 for another user’s task', async () => {
    const task = await createTask()
    await finishTask(task, alice.userId)
    const response = await api.request(`/v1/tasks/${task.id}/video`, { headers: bob.headers })
    expect(response.status).toBe(404)
  })
})

describe('when a user has the most unfinished tasks allowed', () => {
  let limited: TestApi

  beforeAll(async () => {
    limited = await createTestApi({ limits: { maxActiveTasks: 2 } })
  })

  afterAll(async () => {
    await limited?.close()
  })

  test('POST /v1/tasks returns 429 until one finishes', async () => {
    const { headers } = await limited.signUp('busy')
    const post = () => limited.request('/v1/tasks', jsonBody({ c: C }, headers))
    const first = (await (await post()).json()) as Task
    expect((await post()).status).toBe(202)

    const rejected = await post()
    expect(rejected.status).toBe(429)
    expect(((await rejected.json()) as Problem).code).toBe('too_many_tasks')

    await limited.request(`/v1/tasks/${first.id}`, { method: 'DELETE', headers })
    expect((await post()).status).toBe(202)
  })
})
