/** Raised for an object key that the stores do not accept. */
export class InvalidObjectKeyError extends Error {
  override readonly name = 'InvalidObjectKeyError'
  readonly code = 'invalid_object_key'

  constructor(readonly key: string) {
    super(
      `Invalid object key ${JSON.stringify(key)}: use 1-1024 characters of A-Z a-z 0-9 . _ - /, ` +
        'in non-empty segments that do not start with a dot',
    )
  }
}

/** Maximum object key length, in bytes, the same as in S3. */
export const MAX_KEY_LENGTH = 1024

/** Minimum lifetime of a pre-signed URL, in seconds. */
export const MIN_EXPIRY_SECONDS = 1

/** Maximum lifetime of a pre-signed URL, in seconds: 7 days, the limit of S3 Signature V4. */
export const MAX_EXPIRY_SECONDS = 604_800

const KEY_CHARACTERS = /^[A-Za-z0-9._/-]+$/

/**
 * Returns whether `key` is safe both as an S3 key and as a relative file path. It must not be
 * absolute or contain an empty segment. No segment may start with a dot, which rules out `.` and
 * `..` and leaves dot-names free for the folder store's partial uploads.
 */
export function isValidObjectKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false
  if (!KEY_CHARACTERS.test(key)) return false
  return key.split('/').every((segment) => segment.length > 0 && !segment.startsWith('.'))
}

/** Throws InvalidObjectKeyError unless `key` is valid. */
export function assertObjectKey(key: string): void {
  if (!isValidObjectKey(key)) throw new InvalidObjectKeyError(key)
}

/** Throws a RangeError unless `seconds` is a whole number of seconds within the S3 limits. */
export function assertExpiry(seconds: number): void {
  if (Number.isInteger(seconds) && seconds >= MIN_EXPIRY_SECONDS && seconds <= MAX_EXPIRY_SECONDS) {
    return
  }
  throw new RangeError(
    `expiresInSeconds must be an integer from ${MIN_EXPIRY_SECONDS} to ${MAX_EXPIRY_SECONDS}, ` +
      `got ${seconds}`,
  )
}
