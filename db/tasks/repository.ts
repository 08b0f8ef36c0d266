import { and, asc, count, eq, inArray, isNotNull, sql } from 'drizzle-orm'

import type { TaskSpec } from '../../shaders/catalogue.js'
import type { Database } from '../client.js'
import { isUuid } from '../ids.js'
import { FINISHED_STATES, tasks, type TaskRow } from './table.js'

export { decodeCursor, encodeCursor, InvalidCursorError, type TaskCursor } from './cursor.js'
export { listTasksForUser, MAX_PAGE_SIZE, type PageRequest, type TaskPage } from './pages.js'
export * from './transitions.js'

/** Fields of a new task. */
export interface NewTask {
  userId: string
  /** The request with every default filled in. */
  spec: TaskSpec
  /** Frames the animation has: `round(fps * durationSeconds)`. */
  framesTotal: number
}

/** Inserts a queued task and returns it. */
export async function insertTask(db: Database, task: NewTask): Promise<TaskRow> {
  if (!Number.isInteger(task.framesTotal) || task.framesTotal < 1) {
    throw new RangeError(`framesTotal must be a positive integer, got ${task.framesTotal}`)
  }
  const [row] = await db.insert(tasks).values(task).returning()
  if (row === undefined) throw new Error('INSERT ... RETURNING returned no row for the new task')
  return row
}

/** Returns the task with this id whoever owns it, for the worker; undefined when there is none. */
export async function findTaskById(db: Database, taskId: string): Promise<TaskRow | undefined> {
  if (!isUuid(taskId)) return undefined

  const [row] = await db.select().from(tasks).where(eq(tasks.id, taskId))
  return row
}

function prepareFindTaskForUser(db: Database) {
  return db
    .select()
    .from(tasks)
    .where(
      and(eq(tasks.id, sql.placeholder('taskId')), eq(tasks.userId, sql.placeholder('userId'))),
    )
    .prepare('find_task_for_user')
}

// Clients poll this query, so it is built once per database and reused: drizzle then skips
// building the SQL text, and the server reuses its plan.
const findTaskForUserStatements = new WeakMap<Database, ReturnType<typeof prepareFindTaskForUser>>()

/** Returns the task when `userId` owns it; undefined for another user's task or a malformed id. */
export async function findTaskForUser(
  db: Database,
  userId: string,
  taskId: string,
): Promise<TaskRow | undefined> {
  if (!isUuid(userId) || !isUuid(taskId)) return undefined

  let statement = findTaskForUserStatements.get(db)
  if (statement === undefined) {
    statement = prepareFindTaskForUser(db)
    findTaskForUserStatements.set(db, statement)
  }
  const [row] = await statement.execute({ taskId, userId })
  return row
}

/**
 * Cancels the user's queued or running task (state `cancelled`, `finishedAt` set), or deletes
 * the row of a finished one. Returns the task as it was left or removed, so the caller can remove
 * its video. Returns undefined when the user owns no such task.
 */
export async function cancelTask(
  db: Database,
  userId: string,
  taskId: string,
): Promise<TaskRow | undefined> {
  if (!isUuid(userId) || !isUuid(taskId)) return undefined
  const owned = and(eq(tasks.id, taskId), eq(tasks.userId, userId))

  const [cancelled] = await db
    .update(tasks)
    .set({ state: 'cancelled', finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(owned, inArray(tasks.state, ['queued', 'running'])))
    .returning()
  if (cancelled !== undefined) return cancelled

  // Finished states are final, so a task that the update missed is finished or absent.
  const [deleted] = await db
    .delete(tasks)
    .where(and(owned, inArray(tasks.state, [...FINISHED_STATES])))
    .returning()
  return deleted
}

/** Deletes a task whatever its state, such as one whose queue entry could not be added. */
export async function deleteTask(db: Database, taskId: string): Promise<boolean> {
  if (!isUuid(taskId)) return false

  const deleted = await db.delete(tasks).where(eq(tasks.id, taskId)).returning({ id: tasks.id })
  return deleted.length > 0
}

/**
 * Returns how many of the user's tasks are queued or running, counting no further than `limit`.
 * A caller that compares the count with a limit needs no more. The query then reads at most
 * `limit` index entries, however many tasks the user has.
 */
export async function countActiveTasks(
  db: Database,
  userId: string,
  limit: number,
): Promise<number> {
  if (!isUuid(userId)) return 0

  const active = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.userId, userId), inArray(tasks.state, ['queued', 'running'])))
    .limit(limit)
    .as('active')
  const [row] = await db.select({ count: count() }).from(active)
  return row?.count ?? 0
}

/** Returns the object-store keys of the user's videos, to remove them with the account. */
export async function listVideoKeysForUser(db: Database, userId: string): Promise<string[]> {
  if (!isUuid(userId)) return []

  const rows = await db
    .select({ videoKey: tasks.videoKey })
    .from(tasks)
    .where(and(eq(tasks.userId, userId), isNotNull(tasks.videoKey)))
  return rows.flatMap((row) => (row.videoKey === null ? [] : [row.videoKey]))
}

/**
 * Returns the ids of queued and running tasks, oldest first. The embedded queue lives in memory,
 * so after a restart these are queued again.
 */
export async function listUnfinishedTaskIds(db: Database): Promise<string[]> {
  const rows = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(inArray(tasks.state, ['queued', 'running']))
    .orderBy(asc(tasks.createdAt), asc(tasks.id))
  return rows.map((row) => row.id)
}
