import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'

import type { AppEnv } from './context.js'
import type { AppDeps } from './deps.js'
import { problemResponse } from './errors.js'
import { accessLog } from './middleware/access-log.js'
import { handleError, handleNotFound } from './middleware/error-handler.js'
import { authRoutes } from './routes/auth/index.js'
import { docsRoutes } from './routes/docs/index.js'
import { healthRoutes } from './routes/health/index.js'
import { objectRoutes } from './routes/objects/index.js'
import { taskRoutes } from './routes/tasks/index.js'
import { userRoutes } from './routes/users/index.js'

/**
 * Builds the HTTP API. `deps.routes` selects the route groups, so that one image can run as the
 * auth service (`auth`), the task service (`tasks`) or both (`all`).
 */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const serveAuth = deps.routes !== 'tasks'
  const serveTasks = deps.routes !== 'auth'

  app.use(requestId())
  app.use(accessLog(deps.logger))
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.limits.maxBodyBytes,
      onError: (c) =>
        problemResponse(
          c,
          'payload_too_large',
          `The body must be at most ${deps.limits.maxBodyBytes} bytes.`,
        ),
    }),
  )
  app.onError(handleError)
  app.notFound(handleNotFound)

  app.route('/', healthRoutes(deps))
  if (serveAuth) {
    app.route('/v1/auth', authRoutes(deps))
    app.route('/v1/users', userRoutes(deps))
  }
  if (serveTasks) {
    app.route('/v1/tasks', taskRoutes(deps))
    app.route('/', docsRoutes())
  }
  if (deps.folderStore !== undefined) app.route('/objects', objectRoutes(deps.folderStore))

  return app
}
