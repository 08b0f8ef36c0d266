import { assertOption, isIntegerInRange } from '../options.js'

/** Lease of a delivered entry unless configured otherwise, in milliseconds. */
export const DEFAULT_LEASE_MS = 30_000

/** Maximum lease and maximum blocking wait, in milliseconds: one day. */
export const MAX_WAIT_MS = 86_400_000

/** Throws a TypeError unless `leaseMs` is undefined or a whole number of milliseconds > 0. */
export function checkLeaseMs(leaseMs: unknown): void {
  assertOption(
    leaseMs === undefined || isIntegerInRange(leaseMs, 1, MAX_WAIT_MS),
    'leaseMs',
    `an integer number of milliseconds from 1 to ${MAX_WAIT_MS}`,
    leaseMs,
  )
}

/** Throws a TypeError unless `blockMs` is a whole number of milliseconds >= 0. */
export function checkBlockMs(blockMs: unknown): void {
  assertOption(
    isIntegerInRange(blockMs, 0, MAX_WAIT_MS),
    'blockMs',
    `an integer number of milliseconds from 0 to ${MAX_WAIT_MS}`,
    blockMs,
  )
}
