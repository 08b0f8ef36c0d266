import { Hono } from 'hono'

import {
  InvalidCursorError,
  findTaskForUser,
  listTasksForUser,
} from '../../../db/tasks/repository.js'
import { TaskSpecSchema } from '../../../shaders/catalogue.js'
import type { Database } from '../../../db/client.js'
import type { AppEnv } from '../../context.js'
import type { AppDeps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { assertUserExists, bearerAuth } from '../../middleware/bearer-auth.js'
import { parseOrThrow, readJsonBody } from '../../validation.js'
import { presentTask } from './present.js'
import { ListQuerySchema } from './schema.js'
import { cancelOrDeleteTask, submitTask } from './service.js'

/** Builds the 404 for a task the caller does not own, or throws 401 when the account is gone. */
async function taskNotFound(db: Database, userId: string, taskId: string): Promise<ApiError> {
  await assertUserExists(db, userId)
  return new ApiError('task_not_found', `You have no task with id "${taskId}".`)
}

/** Routes under `/v1/tasks`, each scoped to the authenticated user. */
export function taskRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const ttl = deps.limits.videoUrlTtlSeconds
  app.use(bearerAuth(deps.tokens))

  app.post('/', async (c) => {
    const spec = await readJsonBody(c, TaskSpecSchema)
    const task = await submitTask(deps, c.get('userId'), spec)
    c.header('Location', `/v1/tasks/${task.id}`)
    return c.json(await presentTask(task, deps.store, ttl), 202)
  })

  app.get('/', async (c) => {
    const query = parseOrThrow(ListQuerySchema, c.req.query(), 'query string')
    const page = await listTasksForUser(deps.db, c.get('userId'), query).catch((error: unknown) => {
      if (!(error instanceof InvalidCursorError)) throw error
      throw new ApiError(
        'validation_failed',
        'Invalid query string: cursor is not one this API issued.',
        {
          errors: [
            { path: 'cursor', message: 'is not a cursor from this API: pass nextCursor unchanged' },
          ],
        },
      )
    })
    if (page.items.length === 0 && query.cursor === undefined) {
      await assertUserExists(deps.db, c.get('userId'))
    }
    const items = await Promise.all(page.items.map((task) => presentTask(task, deps.store, ttl)))
    return c.json({ items, nextCursor: page.nextCursor })
  })

  app.get('/:id', async (c) => {
    const task = await findTaskForUser(deps.db, c.get('userId'), c.req.param('id'))
    if (task === undefined) throw await taskNotFound(deps.db, c.get('userId'), c.req.param('id'))
    return c.json(await presentTask(task, deps.store, ttl))
  })

  app.delete('/:id', async (c) => {
    const taskId = c.req.param('id')
    const task = await cancelOrDeleteTask(deps, c.get('userId'), taskId, c.get('logger'))
    if (task === undefined) throw await taskNotFound(deps.db, c.get('userId'), taskId)
    return c.body(null, 204)
  })

  app.get('/:id/video', async (c) => {
    const task = await findTaskForUser(deps.db, c.get('userId'), c.req.param('id'))
    if (task === undefined) throw await taskNotFound(deps.db, c.get('userId'), c.req.param('id'))
    if (task.state !== 'succeeded' || task.videoKey === null) {
      throw new ApiError(
        'not_ready',
        `The task is ${task.state}: the video exists once it has succeeded.`,
        {
          state: task.state,
        },
      )
    }

    const signed = await deps.store.presignGet(task.videoKey, ttl)
    return c.redirect(signed.url, 302)
  })

  return app
}
