import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { Database } from '../client.js'
import {
  insertTestTask,
  insertTestUser,
  openTestDatabase,
  type OpenTestDatabase,
} from '../testing/index.js'
import { cancelTask } from './repository.js'
import type { TaskRow } from './table.js'
import { claimTask, completeTask, failTask, recordProgress, requeueTask } from './transitions.js'

const video = { videoKey: 'videos/u/t.mp4', videoBytes: 123_456 }

describe.each(['postgres', 'pglite'] as const)('task transitions on %s', (kind) => {
  let database: OpenTestDatabase
  let db: Database

  beforeAll(async () => {
    database = await openTestDatabase(kind)
    db = database.handle.db
  })

  afterAll(async () => {
    await database.close()
  })

  async function queuedTask(): Promise<TaskRow> {
    const user = await insertTestUser(db)
    return insertTestTask(db, user.id)
  }

  async function runningTask(): Promise<TaskRow> {
    const task = await queuedTask()
    const claimed = await claimTask(db, task.id)
    if (claimed === undefined) throw new Error('claim of a new task failed')
    return claimed
  }

  async function cancelledTask(): Promise<TaskRow> {
    const task = await runningTask()
    await cancelTask(db, task.userId, task.id)
    return task
  }

  describe('claimTask', () => {
    test('starts a queued task', async () => {
      const task = await runningTask()
      expect(task.state).toBe('running')
      expect(task.attempts).toBe(1)
      expect(task.startedAt).toBeInstanceOf(Date)
    })

    test('sets updatedAt with startedAt', async () => {
      const task = await runningTask()
      expect(task.updatedAt).toEqual(task.startedAt)
    })

    test('reclaims a running task', async () => {
      const task = await runningTask()
      await recordProgress(db, task.id, 40)
      const again = await claimTask(db, task.id)
      expect(again?.attempts).toBe(2)
      expect(again?.framesDone).toBe(0)
    })

    test('skips a cancelled task', async () => {
      const task = await cancelledTask()
      expect(await claimTask(db, task.id)).toBeUndefined()
    })

    test('skips a succeeded task', async () => {
      const task = await runningTask()
      await completeTask(db, task.id, video)
      expect(await claimTask(db, task.id)).toBeUndefined()
    })

    test('keeps the last error', async () => {
      const task = await runningTask()
      await requeueTask(db, task.id, 'GPU context lost')
      expect((await claimTask(db, task.id))?.error).toBe('GPU context lost')
    })

    test('ignores a malformed id', async () => {
      expect(await claimTask(db, 'nope')).toBeUndefined()
    })
  })

  describe('recordProgress', () => {
    test('updates a running task', async () => {
      const task = await runningTask()
      expect(await recordProgress(db, task.id, 7)).toBe(true)
    })

    test('returns false once cancelled', async () => {
      const task = await cancelledTask()
      expect(await recordProgress(db, task.id, 8)).toBe(false)
    })

    test('returns false for a queued task', async () => {
      const task = await queuedTask()
      expect(await recordProgress(db, task.id, 1)).toBe(false)
    })

    test('returns false once deleted', async () => {
      expect(await recordProgress(db, randomUUID(), 1)).toBe(false)
    })

    test('rejects a negative count', async () => {
      const task = await runningTask()
      await expect(recordProgress(db, task.id, -1)).rejects.toThrow(RangeError)
    })
  })

  describe('completeTask', () => {
    test('stores the video', async () => {
      const task = await runningTask()
      const done = await completeTask(db, task.id, video)
      expect(done?.state).toBe('succeeded')
      expect(done?.videoKey).toBe(video.videoKey)
      expect(done?.videoBytes).toBe(video.videoBytes)
    })

    test('fills progress and finish time', async () => {
      const task = await runningTask()
      const done = await completeTask(db, task.id, video)
      expect(done?.framesDone).toBe(task.framesTotal)
      expect(done?.finishedAt).toBeInstanceOf(Date)
    })

    test('succeeds at most once', async () => {
      const task = await runningTask()
      await completeTask(db, task.id, video)
      expect(await completeTask(db, task.id, video)).toBeUndefined()
    })

    test('skips a cancelled task', async () => {
      const task = await cancelledTask()
      expect(await completeTask(db, task.id, video)).toBeUndefined()
    })

    test('skips a queued task', async () => {
      const task = await queuedTask()
      expect(await completeTask(db, task.id, video)).toBeUndefined()
    })
  })

  describe('when two workers race', () => {
    test('only one completes', async () => {
      const task = await runningTask()
      const results = await Promise.all([
        completeTask(db, task.id, video),
        completeTask(db, task.id, video),
      ])
      expect(results.filter((row) => row !== undefined)).toHaveLength(1)
    })
  })

  describe('failTask', () => {
    test('fails a running task', async () => {
      const task = await runningTask()
      const failed = await failTask(db, task.id, 'shader did not compile')
      expect(failed?.state).toBe('failed')
      expect(failed?.error).toBe('shader did not compile')
      expect(failed?.finishedAt).toBeInstanceOf(Date)
    })

    test('fails a queued task', async () => {
      const task = await queuedTask()
      expect((await failTask(db, task.id, 'over budget'))?.state).toBe('failed')
    })

    test('skips a succeeded task', async () => {
      const task = await runningTask()
      await completeTask(db, task.id, video)
      expect(await failTask(db, task.id, 'late failure')).toBeUndefined()
    })
  })

  describe('requeueTask', () => {
    test('returns a running task to the queue', async () => {
      const task = await runningTask()
      const requeued = await requeueTask(db, task.id, 'Redis connection reset')
      expect(requeued?.state).toBe('queued')
      expect(requeued?.error).toBe('Redis connection reset')
    })

    test('skips a queued task', async () => {
      const task = await queuedTask()
      expect(await requeueTask(db, task.id, 'error')).toBeUndefined()
    })

    test('skips a cancelled task', async () => {
      const task = await cancelledTask()
      expect(await requeueTask(db, task.id, 'error')).toBeUndefined()
    })
  })

  describe('when another worker claimed the task again', () => {
    async function reclaimed(): Promise<{ stale: TaskRow; current: TaskRow }> {
      const stale = await runningTask()
      const current = await claimTask(db, stale.id)
      if (current === undefined) throw new Error('second claim failed')
      return { stale, current }
    }

    test('the stale attempt cannot record progress', async () => {
      const { stale } = await reclaimed()
      expect(await recordProgress(db, stale.id, 5, stale.attempts)).toBe(false)
    })

    test('the stale attempt cannot complete it', async () => {
      const { stale } = await reclaimed()
      expect(await completeTask(db, stale.id, video, stale.attempts)).toBeUndefined()
    })

    test('the stale attempt cannot fail or requeue it', async () => {
      const { stale } = await reclaimed()
      expect(await failTask(db, stale.id, 'stale', stale.attempts)).toBeUndefined()
      expect(await requeueTask(db, stale.id, 'stale', stale.attempts)).toBeUndefined()
    })

    test('the current attempt completes it', async () => {
      const { current } = await reclaimed()
      const done = await completeTask(db, current.id, video, current.attempts)
      expect(done?.state).toBe('succeeded')
    })
  })
})
