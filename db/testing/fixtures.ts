import { randomBytes } from 'node:crypto'

import * as v from 'valibot'

import { TaskSpecSchema, type TaskSpec } from '../../shaders/catalogue.js'
import type { Database } from '../client.js'
import { insertTask } from '../tasks/repository.js'
import type { TaskRow } from '../tasks/table.js'
import { createUser } from '../users/repository.js'
import type { UserRow } from '../users/table.js'

/** A valid TaskSpec with every default filled in: 120 frames of 800x600 Julia set. */
export const sampleSpec: TaskSpec = v.parse(TaskSpecSchema, { c: { re: -0.8, im: -0.18 } })

/** Inserts a user with a random username, so that tests sharing a database do not collide. */
export async function insertTestUser(db: Database): Promise<UserRow> {
  const username = `user-${randomBytes(6).toString('hex')}`
  const user = await createUser(db, { username, passwordHash: '$argon2id$test' })
  if (user === null) throw new Error(`random username ${username} is taken`)
  return user
}

/** Inserts a queued task of {@link sampleSpec} for `userId`. */
export function insertTestTask(db: Database, userId: string): Promise<TaskRow> {
  return insertTask(db, { userId, spec: sampleSpec, framesTotal: 120 })
}
