import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { Database } from '../client.js'
import {
  insertTestTask,
  insertTestUser,
  openTestDatabase,
  sampleSpec,
  type OpenTestDatabase,
} from '../testing/index.js'
import { encodeCursor, InvalidCursorError } from './cursor.js'
import { listTasksForUser } from './pages.js'
import { tasks, type TaskRow } from './table.js'

// Newest first, ties on created_at broken by id, both descending: the list's documented order.
function newestFirst(rows: TaskRow[]): string[] {
  return [...rows]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
    .map((row) => row.id)
}

describe.each(['postgres', 'pglite'] as const)('listTasksForUser on %s', (kind) => {
  let database: OpenTestDatabase
  let db: Database

  beforeAll(async () => {
    database = await openTestDatabase(kind)
    db = database.handle.db
  })

  afterAll(async () => {
    await database.close()
  })

  async function collectPages(userId: string, limit: number) {
    const pages: TaskRow[][] = []
    let cursor: string | undefined
    do {
      const page = await listTasksForUser(db, userId, { limit, cursor })
      pages.push(page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return pages
  }

  // Four tasks inserted one by one, then four in one statement, which share one created_at.
  async function userWithTasks(): Promise<{ userId: string; rows: TaskRow[] }> {
    const user = await insertTestUser(db)
    const rows: TaskRow[] = []
    for (let i = 0; i < 4; i++) rows.push(await insertTestTask(db, user.id))
    const batch = Array.from({ length: 4 }, () => ({
      userId: user.id,
      spec: sampleSpec,
      framesTotal: 120,
    }))
    rows.push(...(await db.insert(tasks).values(batch).returning()))
    return { userId: user.id, rows }
  }

  describe('when paging through every task', () => {
    test('returns newest first', async () => {
      const { userId, rows } = await userWithTasks()
      const ids = (await collectPages(userId, 3)).flat().map((row) => row.id)
      expect(ids).toEqual(newestFirst(rows))
    })

    test('fills pages up to limit', async () => {
      const { userId } = await userWithTasks()
      const sizes = (await collectPages(userId, 3)).map((page) => page.length)
      expect(sizes).toEqual([3, 3, 2])
    })

    test('ends without an empty page', async () => {
      const { userId } = await userWithTasks()
      const sizes = (await collectPages(userId, 4)).map((page) => page.length)
      expect(sizes).toEqual([4, 4])
    })
  })

  test('skips tasks added after page one', async () => {
    const { userId, rows } = await userWithTasks()
    const first = await listTasksForUser(db, userId, { limit: 4 })
    await insertTestTask(db, userId)
    const second = await listTasksForUser(db, userId, { limit: 4, cursor: first.nextCursor! })
    expect(second.items.map((row) => row.id)).toEqual(newestFirst(rows).slice(4))
  })

  test("hides other users' tasks", async () => {
    await userWithTasks()
    const other = await insertTestUser(db)
    const own = await insertTestTask(db, other.id)
    const page = await listTasksForUser(db, other.id, { limit: 100 })
    expect(page.items.map((row) => row.id)).toEqual([own.id])
  })

  test('returns empty for malformed user id', async () => {
    expect(await listTasksForUser(db, 'nobody', { limit: 5 })).toEqual({
      items: [],
      nextCursor: null,
    })
  })

  describe('when the cursor is malformed', () => {
    const bad = {
      'not base64url': 'a+b/c=',
      'random text': Buffer.from('hello').toString('base64url'),
      'bad uuid': Buffer.from('1700000000000:zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz').toString(
        'base64url',
      ),
      empty: '',
      'time after year 9999': Buffer.from(
        '999999999999999:00000000-0000-4000-8000-000000000000',
      ).toString('base64url'),
    }

    test.each(Object.entries(bad))('rejects %s', async (_, cursor) => {
      const user = await insertTestUser(db)
      await expect(listTasksForUser(db, user.id, { limit: 5, cursor })).rejects.toThrow(
        InvalidCursorError,
      )
    })
  })

  test('accepts a cursor it encoded', async () => {
    const { userId, rows } = await userWithTasks()
    const [newest] = newestFirst(rows)
    const row = rows.find((task) => task.id === newest)!
    const page = await listTasksForUser(db, userId, { limit: 100, cursor: encodeCursor(row) })
    expect(page.items).toHaveLength(rows.length - 1)
  })

  test.each([0, 101, 2.5])('rejects limit %s', async (limit) => {
    const user = await insertTestUser(db)
    await expect(listTasksForUser(db, user.id, { limit })).rejects.toThrow(RangeError)
  })
})
