import { sql } from 'drizzle-orm'
import {
  bigint,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'

import type { TaskSpec } from '../../shaders/catalogue.js'
import { users } from '../users/table.js'

/** Task states, in lifecycle order: `queued -> running -> succeeded | failed | cancelled`. */
export const TASK_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const

export type TaskState = (typeof TASK_STATES)[number]

/** States a task leaves no more; a finished task is deleted rather than cancelled. */
export const FINISHED_STATES = ['succeeded', 'failed', 'cancelled'] as const satisfies TaskState[]

export const taskState = pgEnum('task_state', TASK_STATES)

// Millisecond precision matches JavaScript's Date, so a (created_at, id) page cursor built from a
// Date compares equal to the stored value. Microseconds would make the last row of a page
// reappear on the next one.
function timestampColumn(name: string) {
  return timestamp(name, { withTimezone: true, precision: 3 })
}

/** Render requests: the spec, the state machine, progress, and the finished video. */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: taskState('state').notNull().default('queued'),
    /** The request with every default filled in. */
    spec: jsonb('spec').$type<TaskSpec>().notNull(),
    framesTotal: integer('frames_total').notNull(),
    framesDone: integer('frames_done').notNull().default(0),
    /** Times a worker has claimed the task, this run included. */
    attempts: integer('attempts').notNull().default(0),
    /** Message of the last failure. A later successful attempt keeps it. */
    error: text('error'),
    /** Object-store key of the MP4, set once the task succeeds. */
    videoKey: text('video_key'),
    videoBytes: bigint('video_bytes', { mode: 'number' }),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
    startedAt: timestampColumn('started_at'),
    finishedAt: timestampColumn('finished_at'),
    updatedAt: timestampColumn('updated_at').notNull().defaultNow(),
  },
  (table) => [
    // Serves the per-user list, newest first, and its keyset cursor. PostgreSQL's plain DESC
    // means NULLS FIRST, but drizzle-kit writes NULLS LAST by default, and an index with the
    // other null order cannot serve `ORDER BY created_at DESC, id DESC`.
    index('tasks_user_id_created_at_id_idx').on(
      table.userId,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    // Serves restart recovery, which looks up queued and running tasks.
    index('tasks_state_idx').on(table.state),
    // Serves the per-user limit on unfinished tasks: it holds only queued and running rows, so
    // counting them does not grow with a user's finished tasks.
    index('tasks_active_user_id_idx')
      .on(table.userId)
      .where(sql`${table.state} in ('queued', 'running')`),
  ],
)

/** A row of `tasks`. */
export type TaskRow = typeof tasks.$inferSelect
