import { eq, sql } from 'drizzle-orm'

import type { Database } from '../client.js'
import { isUuid } from '../ids.js'
import { isUniqueViolation } from '../postgres-errors.js'
import { users, type UserRow } from './table.js'

/** Fields of a new account. */
export interface NewUser {
  username: string
  /** An argon2id hash in PHC string format. The password itself never reaches this layer. */
  passwordHash: string
}

/**
 * Inserts an account and returns it, or returns null when the username is taken. Usernames
 * that differ only in case count as the same.
 */
export async function createUser(db: Database, user: NewUser): Promise<UserRow | null> {
  try {
    const [row] = await db.insert(users).values(user).returning()
    return row ?? null
  } catch (error) {
    if (isUniqueViolation(error)) return null
    throw error
  }
}

/** Returns the account whose username matches `username` ignoring case, if any. */
export async function findUserByUsername(
  db: Database,
  username: string,
): Promise<UserRow | undefined> {
  // Written as lower(...) = lower(...) so that the unique index on lower(username) serves it.
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
  return row
}

/** Returns the account with this id; undefined when there is none or `id` is not a UUID. */
export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined

  const [row] = await db.select().from(users).where(eq(users.id, id))
  return row
}

/**
 * Deletes an account and, by the foreign key's ON DELETE CASCADE, all of its tasks. Returns
 * whether the account existed. Removing the videos in the object store is the caller's job.
 */
export async function deleteUser(db: Database, id: string): Promise<boolean> {
  if (!isUuid(id)) return false

  const deleted = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id })
  return deleted.length > 0
}
