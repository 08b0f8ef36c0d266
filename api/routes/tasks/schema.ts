import * as v from 'valibot'

import { TaskSpecSchema } from '../../../shaders/catalogue.js'
import { objectMessage } from '../../../shaders/spec.js'

const timestamp = v.pipe(v.string(), v.isoTimestamp())

/** Response body of every task route: one task as its owner sees it. */
export const TaskSchema = v.object({
  id: v.pipe(v.string(), v.uuid()),
  state: v.picklist(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  spec: TaskSpecSchema,
  progress: v.object({
    framesDone: v.pipe(v.number(), v.integer()),
    framesTotal: v.pipe(v.number(), v.integer()),
  }),
  attempts: v.pipe(v.number(), v.integer(), v.description('Times a worker has started the task')),
  error: v.optional(v.string()),
  createdAt: timestamp,
  startedAt: v.optional(timestamp),
  finishedAt: v.optional(timestamp),
  video: v.optional(
    v.object({
      url: v.pipe(v.string(), v.url(), v.description('Pre-signed URL: a plain GET downloads it')),
      expiresAt: timestamp,
      bytes: v.pipe(v.number(), v.integer()),
    }),
  ),
})

export type TaskBody = v.InferOutput<typeof TaskSchema>

/** Response body of `GET /v1/tasks`. */
export const TaskPageSchema = v.object({
  items: v.array(TaskSchema),
  nextCursor: v.nullable(v.string()),
})

/** Query string of `GET /v1/tasks`. */
export const ListQuerySchema = v.strictObject(
  {
    limit: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100'),
        v.transform(Number),
        v.minValue(1, 'must be at least 1'),
        v.maxValue(100, 'must be at most 100'),
      ),
      '20',
    ),
    cursor: v.optional(v.pipe(v.string(), v.maxLength(200, 'is not a cursor from this API'))),
  },
  objectMessage(['limit', 'cursor']),
)
