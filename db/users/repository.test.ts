import { randomUUID } from 'node:crypto'

import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { Database } from '../client.js'
import { tasks } from '../tasks/table.js'
import {
  insertTestTask,
  insertTestUser,
  openTestDatabase,
  type OpenTestDatabase,
} from '../testing/index.js'
import { createUser, deleteUser, findUserById, findUserByUsername } from './repository.js'

describe.each(['postgres', 'pglite'] as const)('users on %s', (kind) => {
  let database: OpenTestDatabase
  let db: Database

  beforeAll(async () => {
    database = await openTestDatabase(kind)
    db = database.handle.db
  })

  afterAll(async () => {
    await database.close()
  })

  describe('createUser', () => {
    test('stores the username as given', async () => {
      const user = await createUser(db, { username: 'Mixed.Case', passwordHash: 'hash' })
      expect(user?.username).toBe('Mixed.Case')
    })

    test('returns null for a taken name', async () => {
      await createUser(db, { username: 'taken', passwordHash: 'hash' })
      expect(await createUser(db, { username: 'taken', passwordHash: 'other' })).toBeNull()
    })

    test('treats case variants as taken', async () => {
      await createUser(db, { username: 'casey', passwordHash: 'hash' })
      expect(await createUser(db, { username: 'CASEY', passwordHash: 'hash' })).toBeNull()
    })

    test('sets id and creation time', async () => {
      const user = await insertTestUser(db)
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(user.createdAt).toBeInstanceOf(Date)
    })
  })

  describe('findUserByUsername', () => {
    test('ignores case', async () => {
      const user = await createUser(db, { username: 'Finder', passwordHash: 'hash' })
      expect((await findUserByUsername(db, 'fINDER'))?.id).toBe(user?.id)
    })

    test('returns undefined when unknown', async () => {
      expect(await findUserByUsername(db, 'nobody-here')).toBeUndefined()
    })
  })

  describe('findUserById', () => {
    test('finds an existing user', async () => {
      const user = await insertTestUser(db)
      expect(await findUserById(db, user.id)).toEqual(user)
    })

    test('returns undefined for unknown id', async () => {
      expect(await findUserById(db, randomUUID())).toBeUndefined()
    })

    test('returns undefined for malformed id', async () => {
      expect(await findUserById(db, 'not-a-uuid')).toBeUndefined()
    })
  })

  describe('deleteUser', () => {
    test('deletes the user', async () => {
      const user = await insertTestUser(db)
      expect(await deleteUser(db, user.id)).toBe(true)
      expect(await findUserById(db, user.id)).toBeUndefined()
    })

    test('cascades to tasks', async () => {
      const user = await insertTestUser(db)
      const task = await insertTestTask(db, user.id)
      await deleteUser(db, user.id)
      expect(await db.select().from(tasks).where(eq(tasks.id, task.id))).toEqual([])
    })

    test('returns false when unknown', async () => {
      expect(await deleteUser(db, randomUUID())).toBe(false)
    })

    test('returns false for malformed id', async () => {
      expect(await deleteUser(db, "1' or '1'='1")).toBe(false)
    })
  })
})
