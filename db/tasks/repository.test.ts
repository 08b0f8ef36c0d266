import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { Database } from '../client.js'
import {
  insertTestTask,
  insertTestUser,
  openTestDatabase,
  sampleSpec,
  type OpenTestDatabase,
} from '../testing/index.js'
import {
  cancelTask,
  claimTask,
  completeTask,
  countActiveTasks,
  deleteTask,
  findTaskById,
  findTaskForUser,
  insertTask,
  listUnfinishedTaskIds,
  listVideoKeysForUser,
} from './repository.js'

describe.each(['postgres', 'pglite'] as const)('task repository on %s', (kind) => {
  let database: OpenTestDatabase
  let db: Database

  beforeAll(async () => {
    database = await openTestDatabase(kind)
    db = database.handle.db
  })

  afterAll(async () => {
    await database.close()
  })

  describe('insertTask', () => {
    test('starts queued with no progress', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      expect(task.state).toBe('queued')
      expect(task.framesDone).toBe(0)
      expect(task.attempts).toBe(0)
    })

    test('stores the spec as given', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      expect((await findTaskForUser(db, user.id, task.id))?.spec).toEqual(sampleSpec)
    })

    test('rejects zero frames', async () => {
      const user = await insertTestUser(db)
      const task = { userId: user.id, spec: sampleSpec, framesTotal: 0 }
      await expect(insertTask(db, task)).rejects.toThrow(RangeError)
    })
  })

  describe('countActiveTasks', () => {
    test('counts queued and running tasks only', async () => {
      const user = await insertTestUser(db)
      const [queued, running, finished] = [
        await insertTestTask(db, user.id),
        await insertTestTask(db, user.id),
        await insertTestTask(db, user.id),
      ]
      await claimTask(db, running.id)
      await claimTask(db, finished.id)
      await completeTask(db, finished.id, { videoKey: 'videos/x.mp4', videoBytes: 1 })
      await insertTestTask(db, (await insertTestUser(db)).id)

      expect(queued.state).toBe('queued')
      expect(await countActiveTasks(db, user.id, 100)).toBe(2)
    })

    test('stops counting at the limit', async () => {
      const user = await insertTestUser(db)
      for (let i = 0; i < 5; i++) await insertTestTask(db, user.id)
      expect(await countActiveTasks(db, user.id, 3)).toBe(3)
    })
  })

  describe('findTaskForUser', () => {
    test('finds own task', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      expect(await findTaskForUser(db, user.id, task.id)).toEqual(task)
    })

    test("hides another user's task", async () => {
      const owner = await insertTestUser(db)
      const other = await insertTestUser(db)
      const task = await insertTestTask(db, owner.id)
      expect(await findTaskForUser(db, other.id, task.id)).toBeUndefined()
    })

    test.each(['', 'abc', '123', `${randomUUID()}x`, "' or 1=1 --"])(
      'returns undefined for id %j',
      async (id) => {
        const user = await insertTestUser(db)
        expect(await findTaskForUser(db, user.id, id)).toBeUndefined()
      },
    )
  })

  describe('findTaskById', () => {
    test("finds any user's task", async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      expect(await findTaskById(db, task.id)).toEqual(task)
    })

    test('returns undefined for malformed id', async () => {
      expect(await findTaskById(db, 'task-1')).toBeUndefined()
    })
  })

  describe('cancelTask', () => {
    test('cancels a queued task', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      const cancelled = await cancelTask(db, user.id, task.id)
      expect(cancelled?.state).toBe('cancelled')
      expect(cancelled?.finishedAt).toBeInstanceOf(Date)
    })

    test('cancels a running task', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      await claimTask(db, task.id)
      expect((await cancelTask(db, user.id, task.id))?.state).toBe('cancelled')
    })

    test('deletes a finished task', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      await claimTask(db, task.id)
      await completeTask(db, task.id, { videoKey: 'videos/x.mp4', videoBytes: 10 })
      expect((await cancelTask(db, user.id, task.id))?.videoKey).toBe('videos/x.mp4')
      expect(await findTaskForUser(db, user.id, task.id)).toBeUndefined()
    })

    test('deletes a cancelled task', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      await cancelTask(db, user.id, task.id)
      expect(await cancelTask(db, user.id, task.id)).toBeDefined()
      expect(await findTaskForUser(db, user.id, task.id)).toBeUndefined()
    })

    test("leaves another user's task", async () => {
      const owner = await insertTestUser(db)
      const other = await insertTestUser(db)
      const task = await insertTestTask(db, owner.id)
      expect(await cancelTask(db, other.id, task.id)).toBeUndefined()
      expect((await findTaskForUser(db, owner.id, task.id))?.state).toBe('queued')
    })

    test('returns undefined when unknown', async () => {
      const user = await insertTestUser(db)
      expect(await cancelTask(db, user.id, randomUUID())).toBeUndefined()
    })

    test('returns undefined for malformed id', async () => {
      const user = await insertTestUser(db)
      expect(await cancelTask(db, user.id, 'not-a-uuid')).toBeUndefined()
    })
  })

  describe('deleteTask', () => {
    test('deletes in any state', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      await claimTask(db, task.id)
      expect(await deleteTask(db, task.id)).toBe(true)
      expect(await findTaskForUser(db, user.id, task.id)).toBeUndefined()
    })

    test('returns false when unknown', async () => {
      expect(await deleteTask(db, randomUUID())).toBe(false)
    })
  })

  describe('listVideoKeysForUser', () => {
    test('lists only stored videos', async () => {
      const user = await insertTestUser(db)
      const done = await insertTestTask(db, user.id)
      await insertTestTask(db, user.id)
      await claimTask(db, done.id)
      await completeTask(db, done.id, { videoKey: `videos/${done.id}.mp4`, videoBytes: 1 })
      expect(await listVideoKeysForUser(db, user.id)).toEqual([`videos/${done.id}.mp4`])
    })
  })

  describe('listUnfinishedTaskIds', () => {
    test('lists queued and running, oldest first', async () => {
      const user = await insertTestUser(db)
      const first = await insertTestTask(db, user.id)
      const second = await insertTestTask(db, user.id)
      const finished = await insertTestTask(db, user.id)
      await claimTask(db, first.id)
      await claimTask(db, finished.id)
      await completeTask(db, finished.id, { videoKey: 'videos/f.mp4', videoBytes: 1 })

      // Other tests share the database, so look only at this test's tasks.
      const mine = new Set([first.id, second.id, finished.id])
      const ids = (await listUnfinishedTaskIds(db)).filter((id) => mine.has(id))
      expect(ids).toEqual([first.id, second.id])
    })
  })
})
