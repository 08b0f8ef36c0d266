import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

import type { AppEnv } from './context.js'

/** HTTP status of every error code the API returns. Clients branch on the code, not the text. */
export const errorStatus = {
  invalid_json: 400,
  missing_token: 401,
  invalid_token: 401,
  invalid_credentials: 401,
  signature_invalid: 403,
  url_expired: 403,
  not_found: 404,
  task_not_found: 404,
  username_taken: 409,
  not_ready: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  too_many_tasks: 429,
  client_closed_request: 400,
  validation_failed: 422,
  work_budget_exceeded: 422,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>

export type ErrorCode = keyof typeof errorStatus

/** Short, fixed title of each error code: the `title` member of the problem document. */
const errorTitle: Record<ErrorCode, string> = {
  invalid_json: 'Request body is not valid JSON',
  missing_token: 'Missing bearer token',
  invalid_token: 'Invalid or expired bearer token',
  invalid_credentials: 'Invalid username or password',
  signature_invalid: 'Invalid URL signature',
  url_expired: 'URL has expired',
  not_found: 'Not found',
  task_not_found: 'Task not found',
  username_taken: 'Username is taken',
  not_ready: 'Video is not ready',
  payload_too_large: 'Request body is too large',
  unsupported_media_type: 'Unsupported media type',
  range_not_satisfiable: 'Range not satisfiable',
  too_many_tasks: 'Too many unfinished tasks',
  client_closed_request: 'Client closed the request',
  validation_failed: 'Request is invalid',
  work_budget_exceeded: 'Task exceeds the work budget',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
}

/** One invalid field: a dot path into the request (empty for the whole body) and what is wrong. */
export interface FieldError {
  path: string
  message: string
}

/** An error the API reports to the client as an RFC 9457 problem document with a stable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: ContentfulStatusCode

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[] } & Record<string, unknown> = {},
  ) {
    super(detail)
    this.status = errorStatus[code]
  }
}

/** Builds the `application/problem+json` response for `code`, with the request id in the body. */
export function problemResponse(
  c: Context<AppEnv>,
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  const status = errorStatus[code]
  const body = {
    type: `/docs#problem-${code}`,
    title: errorTitle[code],
    status,
    detail,
    code,
    requestId: c.get('requestId'),
    ...extra,
  }
  if (status === 401) c.header('WWW-Authenticate', 'Bearer')
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' })
}

/** Titles of every error code, for the API reference. */
export function describeErrors(): Array<{ code: ErrorCode; status: number; title: string }> {
  return (Object.keys(errorStatus) as ErrorCode[]).map((code) => ({
    code,
    status: errorStatus[code],
    title: errorTitle[code],
  }))
}
