import type { Context } from 'hono'
import * as v from 'valibot'

import type { AppEnv } from './context.js'
import { ApiError, type FieldError } from './errors.js'

/** Converts valibot issues to field errors whose path is a dot path ('' for the whole value). */
export function toFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }))
}

/** Parses `input` with `schema`, or throws a 422 `validation_failed` naming every invalid field. */
export function parseOrThrow<const Schema extends v.GenericSchema>(
  schema: Schema,
  input: unknown,
  subject: string,
): v.InferOutput<Schema> {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output

  const errors = toFieldErrors(result.issues)
  const summary = errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`))
  throw new ApiError('validation_failed', `Invalid ${subject}: ${summary.join('; ')}.`, { errors })
}

/**
 * Reads the JSON request body and validates it against `schema`. A body that is not JSON gets
 * 415 or 400 before validation runs, so the client learns which of the two to fix.
 */
export async function readJsonBody<const Schema extends v.GenericSchema>(
  c: Context<AppEnv>,
  schema: Schema,
): Promise<v.InferOutput<Schema>> {
  const contentType = c.req.header('Content-Type') ?? ''
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new ApiError(
      'unsupported_media_type',
      `Send the body as JSON with "Content-Type: application/json" (got "${contentType}").`,
    )
  }

  const text = await c.req.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw new ApiError('invalid_json', `The body is not valid JSON: ${(error as Error).message}.`)
  }
  return parseOrThrow(schema, body, 'request body')
}
