import type { Logger } from 'pino'

/** Values that middleware stores on the Hono context for later handlers. */
export interface AppVariables {
  /** Id of this request: from a valid `X-Request-Id` header, or a new UUID. */
  requestId: string
  /** Id of the authenticated user, set by the bearer-token middleware. */
  userId: string
  /** Request-scoped logger that adds `request_id` to every line. */
  logger: Logger
}

/** Hono environment type of every app and sub-app in this service. */
export interface AppEnv {
  Variables: AppVariables
}
