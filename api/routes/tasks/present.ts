import * as v from 'valibot'

import type { ObjectStore } from '../../../db/objects/types.js'
import type { TaskRow } from '../../../db/tasks/table.js'
import { TaskSpecSchema } from '../../../shaders/catalogue.js'
import type { TaskBody } from './schema.js'

/**
 * Returns `spec` with its keys in the schema's order, which JSONB does not keep. A spec that an
 * older, looser schema accepted comes back unchanged.
 */
function inSchemaOrder(spec: TaskRow['spec']): TaskRow['spec'] {
  const parsed = v.safeParse(TaskSpecSchema, spec)
  return parsed.success ? parsed.output : spec
}

/**
 * Converts a task row to its response body. A succeeded task gets a freshly signed video URL,
 * valid for `videoUrlTtlSeconds`.
 */
export async function presentTask(
  task: TaskRow,
  store: ObjectStore,
  videoUrlTtlSeconds: number,
): Promise<TaskBody> {
  const body: TaskBody = {
    id: task.id,
    state: task.state,
    spec: inSchemaOrder(task.spec),
    progress: { framesDone: task.framesDone, framesTotal: task.framesTotal },
    attempts: task.attempts,
    createdAt: task.createdAt.toISOString(),
  }
  if (task.error !== null) body.error = task.error
  if (task.startedAt !== null) body.startedAt = task.startedAt.toISOString()
  if (task.finishedAt !== null) body.finishedAt = task.finishedAt.toISOString()

  if (task.state === 'succeeded' && task.videoKey !== null && task.videoBytes !== null) {
    const signed = await store.presignGet(task.videoKey, videoUrlTtlSeconds)
    body.video = {
      url: signed.url,
      expiresAt: signed.expiresAt.toISOString(),
      bytes: task.videoBytes,
    }
  }
  return body
}
