/** SQLSTATE of a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505'

/** SQLSTATE of a foreign-key violation, such as a row that references a deleted user. */
const FOREIGN_KEY_VIOLATION = '23503'

// Maximum depth of `cause` links followed, against cycles.
const MAX_CAUSE_DEPTH = 5

/**
 * Returns whether `error` is a unique-constraint violation. drizzle wraps driver errors in a
 * DrizzleQueryError, so this follows the `cause` chain. postgres.js and PGlite both put the
 * SQLSTATE in `code`.
 */
export function isUniqueViolation(error: unknown): boolean {
  return hasSqlState(error, UNIQUE_VIOLATION)
}

/** Returns whether `error` is a foreign-key violation, following the `cause` chain likewise. */
export function isForeignKeyViolation(error: unknown): boolean {
  return hasSqlState(error, FOREIGN_KEY_VIOLATION)
}

function hasSqlState(error: unknown, sqlState: string): boolean {
  let current: unknown = error
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if ((current as { code?: unknown }).code === sqlState) return true
    current = current.cause
  }
  return false
}
