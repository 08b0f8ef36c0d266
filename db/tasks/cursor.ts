import { isUuid } from '../ids.js'

/** Position in a newest-first task list: the last row of the previous page. */
export interface TaskCursor {
  createdAt: Date
  id: string
}

/** Raised for a page cursor that this module did not produce. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
  /** Stable machine-readable code, for the API's problem responses. */
  readonly code = 'invalid_cursor'

  constructor() {
    super('The cursor is invalid: pass the nextCursor of the previous page unchanged.')
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/
// Milliseconds since the epoch, then the task id.
const PAYLOAD = /^(\d{1,15}):([0-9a-f-]{36})$/
// 9999-12-31T23:59:59.999Z: PostgreSQL rejects the ISO form of a later time ("+010000-...").
const LATEST_MILLIS = 253_402_300_799_999

/** Encodes `cursor` as an opaque base64url string. */
export function encodeCursor(cursor: TaskCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}:${cursor.id}`).toString('base64url')
}

/** Decodes a string from {@link encodeCursor}; throws InvalidCursorError for anything else. */
export function decodeCursor(encoded: string): TaskCursor {
  // Buffer's base64url decoder skips characters outside the alphabet, so check them first.
  if (!BASE64URL.test(encoded)) throw new InvalidCursorError()

  const match = PAYLOAD.exec(Buffer.from(encoded, 'base64url').toString('latin1'))
  if (match === null) throw new InvalidCursorError()

  const [, millis, id] = match as unknown as [string, string, string]
  if (!isUuid(id) || Number(millis) > LATEST_MILLIS) throw new InvalidCursorError()
  return { createdAt: new Date(Number(millis)), id }
}
