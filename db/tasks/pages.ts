import { and, desc, eq, sql } from 'drizzle-orm'

import type { Database } from '../client.js'
import { isUuid } from '../ids.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { tasks, type TaskRow } from './table.js'

/** Maximum page size of {@link listTasksForUser}. */
export const MAX_PAGE_SIZE = 100

/** Page size and position of a task list request. */
export interface PageRequest {
  /** Tasks per page, from 1 to {@link MAX_PAGE_SIZE}. */
  limit: number
  /** `nextCursor` of the previous page; omit it for the first page. */
  cursor?: string | undefined
}

/** One page of tasks, newest first. */
export interface TaskPage {
  items: TaskRow[]
  /** Cursor of the next page; null on the last page. */
  nextCursor: string | null
}

/**
 * Returns one page of the user's tasks, newest first. The keyset cursor on (created_at, id)
 * means tasks created while a client pages through the list shift no rows between pages.
 * Throws InvalidCursorError for a malformed cursor and RangeError for a limit out of range.
 */
export async function listTasksForUser(
  db: Database,
  userId: string,
  page: PageRequest,
): Promise<TaskPage> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${page.limit}`)
  }
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor)
  if (!isUuid(userId)) return { items: [], nextCursor: null }

  // A row comparison, so that PostgreSQL can start the index scan at the cursor.
  const afterCursor =
    after === undefined
      ? undefined
      : sql`(${tasks.createdAt}, ${tasks.id}) <
          (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`

  // Fetching one row more than the page size shows whether another page follows.
  const rows = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.userId, userId), afterCursor))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(page.limit + 1)

  const items = rows.slice(0, page.limit)
  const last = items.at(-1)
  const nextCursor = rows.length > page.limit && last !== undefined ? encodeCursor(last) : null
  return { items, nextCursor }
}
