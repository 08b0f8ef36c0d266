import { randomBytes } from 'node:crypto'

import { Redis } from 'ioredis'

import { redactUrl } from '../options.js'

/** Redis that tests use, unless `REDIS_URL` names another. */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379'

/** Returns the Redis URL for tests: `REDIS_URL`, else {@link DEFAULT_TEST_REDIS_URL}. */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? DEFAULT_TEST_REDIS_URL
}

/** Returns a key prefix of its own for one test, such as `fas_test:3f9a0c1b2d4e:`. */
export function randomKeyPrefix(): string {
  return `fas_test:${randomBytes(6).toString('hex')}:`
}

/**
 * Connects to the test Redis and sends PING. Rejects with a message naming Redis
 * and the URL when it does not, instead of retrying for ever.
 */
export async function connectTestRedis(): Promise<Redis> {
  const url = testRedisUrl()
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null })
  // connect() rejects with the same error, and without a listener ioredis also prints it.
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    redis.disconnect()
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(
      `Redis is unreachable at ${redactUrl(url)} (${reason}). Start it, or set REDIS_URL.`,
      { cause: error },
    )
  }
  return redis
}

// Glob metacharacters of SCAN's MATCH pattern.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/** Deletes every key that starts with `prefix`, and no other. Returns how many it deleted. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  if (prefix === '') throw new RangeError('deleteKeys needs a non-empty prefix')

  let deleted = 0
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 100)
    if (keys.length > 0) deleted += await redis.del(...keys)
    cursor = next
  } while (cursor !== '0')
  return deleted
}
