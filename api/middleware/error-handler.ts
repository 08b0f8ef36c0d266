import type { ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'

import type { AppEnv } from '../context.js'
import { ApiError, problemResponse } from '../errors.js'

/**
 * Turns an {@link ApiError} into its problem document. Anything else becomes a generic 500 whose
 * body holds only the request id; the error itself goes to the log.
 */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ApiError) {
    return problemResponse(c, error.code, error.detail, error.extra)
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own middleware throws these for malformed requests it catches first.
    return problemResponse(
      c,
      error.status === 413 ? 'payload_too_large' : 'invalid_json',
      error.message,
    )
  }

  const logger = c.get('logger')
  if (c.req.raw.signal.aborted) {
    // The client closed the connection, typically while its body was being read. No client
    // receives this response, and the event is not a server failure.
    logger?.info({ path: c.req.path }, 'client closed the request')
    return problemResponse(c, 'client_closed_request', 'The client closed the connection.')
  }
  logger?.error({ err: error, path: c.req.path }, 'unhandled error')
  return problemResponse(
    c,
    'internal_error',
    `The server failed to handle this request. Quote request id ${c.get('requestId')} when reporting it.`,
  )
}

/** Responds to unknown routes with a problem document instead of Hono's plain-text 404. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, 'not_found', `No route matches ${c.req.method} ${c.req.path}.`)
