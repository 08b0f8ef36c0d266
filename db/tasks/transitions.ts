import { and, eq, inArray, sql } from 'drizzle-orm'
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core'

import type { Database } from '../client.js'
import { isUuid } from '../ids.js'
import { tasks, type TaskRow, type TaskState } from './table.js'

// Each transition is one conditional UPDATE, so two workers, or a worker and a cancelling user,
// cannot both win: the loser's WHERE matches no row and it gets undefined. A worker passes the
// attempt number its claim returned as a fencing token: once another worker has claimed the task
// again, the first worker's updates match nothing.
async function transition(
  db: Database,
  id: string,
  from: readonly TaskState[],
  changes: PgUpdateSetSource<typeof tasks>,
  attempt?: number,
): Promise<TaskRow | undefined> {
  if (!isUuid(id)) return undefined

  const fence = attempt === undefined ? undefined : eq(tasks.attempts, attempt)
  const [row] = await db
    .update(tasks)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(and(eq(tasks.id, id), inArray(tasks.state, [...from]), fence))
    .returning()
  return row
}

/**
 * Marks a queued task running for a new attempt: counts the attempt, sets `startedAt` and resets
 * progress, because a retry renders from the first frame. A task left `running` by a worker that
 * died can be claimed again. The last error stays. Returns undefined when the task is finished,
 * cancelled or gone.
 */
export function claimTask(db: Database, id: string): Promise<TaskRow | undefined> {
  return transition(db, id, ['queued', 'running'], {
    state: 'running',
    attempts: sql`${tasks.attempts} + 1`,
    framesDone: 0,
    startedAt: sql`now()`,
  })
}

/**
 * Records that `framesDone` frames are rendered. Returns false when the task is no longer
 * running (cancelled, finished or deleted) or, with `attempt`, was claimed again since, and the
 * worker should then stop.
 */
export async function recordProgress(
  db: Database,
  id: string,
  framesDone: number,
  attempt?: number,
): Promise<boolean> {
  if (!Number.isInteger(framesDone) || framesDone < 0) {
    throw new RangeError(`framesDone must be a non-negative integer, got ${framesDone}`)
  }
  const row = await transition(db, id, ['running'], { framesDone }, attempt)
  return row !== undefined
}

/** Object-store location and size of a finished video. */
export interface TaskVideo {
  /** Object-store key of the MP4. */
  videoKey: string
  /** Size of the MP4 in bytes. */
  videoBytes: number
}

/**
 * Marks a running task succeeded with its video. Returns undefined when the task is not
 * running (for example cancelled during the upload) or, with `attempt`, was claimed again since.
 * The caller then removes the video.
 */
export function completeTask(
  db: Database,
  id: string,
  video: TaskVideo,
  attempt?: number,
): Promise<TaskRow | undefined> {
  const changes = {
    state: 'succeeded' as const,
    // An earlier attempt's error no longer describes the task.
    error: null,
    framesDone: sql`${tasks.framesTotal}`,
    videoKey: video.videoKey,
    videoBytes: video.videoBytes,
    finishedAt: sql`now()`,
  }
  return transition(db, id, ['running'], changes, attempt)
}

/**
 * Marks a queued or running task failed with `error`. Returns undefined when it was not or, with
 * `attempt`, was claimed again since.
 */
export function failTask(
  db: Database,
  id: string,
  error: string,
  attempt?: number,
): Promise<TaskRow | undefined> {
  const changes = { state: 'failed' as const, error, finishedAt: sql`now()` }
  return transition(db, id, ['queued', 'running'], changes, attempt)
}

/**
 * Puts a running task back to queued after a transient failure, keeping `error` as its last
 * error. Returns undefined when the task was not running or, with `attempt`, was claimed again.
 */
export function requeueTask(
  db: Database,
  id: string,
  error: string,
  attempt?: number,
): Promise<TaskRow | undefined> {
  return transition(db, id, ['running'], { state: 'queued', error }, attempt)
}
