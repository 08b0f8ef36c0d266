import { Hono } from 'hono'

import { deleteUser } from '../../../db/users/repository.js'
import { listVideoKeysForUser } from '../../../db/tasks/repository.js'
import type { AppEnv } from '../../context.js'
import type { AppDeps } from '../../deps.js'
import { bearerAuth, deletedAccountError } from '../../middleware/bearer-auth.js'

/** Routes under `/v1/users`: account deletion. */
export function userRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  app.use(bearerAuth(deps.tokens))

  app.delete('/me', async (c) => {
    const userId = c.get('userId')
    const videoKeys = await listVideoKeysForUser(deps.db, userId)

    // Deleting the row cascades to the user's tasks. A worker still rendering one of them finds
    // the row gone at its next progress update and stops; one finishing an upload removes it.
    if (!(await deleteUser(deps.db, userId))) throw deletedAccountError()

    const logger = c.get('logger')
    for (const key of videoKeys) {
      try {
        await deps.store.remove(key)
      } catch (error) {
        logger.warn({ err: error, user_id: userId, object_key: key }, 'video removal failed')
      }
    }
    return c.body(null, 204)
  })

  return app
}
