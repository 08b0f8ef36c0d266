import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'

import type { AppEnv } from '../context.js'

function outcomeOf(status: number): string {
  if (status >= 500) return 'server_error'
  if (status >= 400) return 'client_error'
  return 'success'
}

/**
 * Writes one log line per request when it ends, with its id, route, status, duration and user.
 * It also gives handlers a child logger that carries `request_id`.
 */
export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now()
    const requestLogger = logger.child({ request_id: c.get('requestId') })
    c.set('logger', requestLogger)

    await next()

    const status = c.res.status
    const fields = {
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      outcome: outcomeOf(status),
      user_id: c.get('userId'),
    }
    if (status >= 500) requestLogger.error(fields, 'request failed')
    else requestLogger.info(fields, 'request completed')
  }
}
