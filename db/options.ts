import { inspect } from 'node:util'

/**
 * Throws a TypeError naming the option, the expected value and what was passed, unless `valid`.
 * Constructors call it for each option, so a wrong setting fails at start-up.
 */
export function assertOption(
  valid: boolean,
  name: string,
  expected: string,
  value: unknown,
): asserts valid {
  if (valid) return
  const printed = inspect(value, { depth: 0, breakLength: Infinity })
  throw new TypeError(`Expected \`${name}\` to be ${expected}, got ${printed} (${typeof value})`)
}

/** Returns whether `value` is an integer from `min` to `max`, inclusive. */
export function isIntegerInRange(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
}

/** Returns whether `value` is a string that is not empty. */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

/** Returns `url` with any password replaced by `***`, for error messages and logs. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/[^@/]*@/, '//***@')
  const parsed = new URL(url)
  if (parsed.password !== '') parsed.password = '***'
  return parsed.toString()
}
