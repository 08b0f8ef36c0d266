import { Redis } from 'ioredis'

import { assertOption, isNonEmptyString, redactUrl } from '../options.js'
import { checkLeaseMs } from './options.js'
import type { TaskQueueOptions } from './types.js'

/** Options of a RedisTaskQueue. */
export interface RedisTaskQueueOptions extends TaskQueueOptions {
  /**
   * A `redis://` or `rediss://` URL, or an ioredis client. The queue closes the connections it
   * opens from a URL. It shares a given client and leaves it open, and reads through duplicates
   * of it.
   */
  redis: string | Redis
  /**
   * Prefix of every Redis key the queue uses.
   * @defaultValue `'fas:'`
   */
  keyPrefix?: string
  /**
   * Name of this consumer in the group, unique per process.
   * @defaultValue `<hostname>-<pid>-<random hex>`
   */
  consumerName?: string
  /**
   * Called with each error event of the connections the queue opens, such as every failed
   * reconnect. Commands that fail also reject, so the default ignores the events.
   * @defaultValue a function that does nothing
   */
  onConnectionError?: (error: Error) => void
}

/** Throws a TypeError naming the first invalid option. */
export function checkRedisOptions(options: RedisTaskQueueOptions): void {
  const { redis, keyPrefix, consumerName, onConnectionError } = options
  const validRedis =
    typeof redis === 'string' ? /^rediss?:\/\//.test(redis) : redis instanceof Redis
  const shownRedis = typeof redis === 'string' ? redactUrl(redis) : redis
  assertOption(validRedis, 'redis', 'a redis:// URL or an ioredis client', shownRedis)

  const validPrefix = keyPrefix === undefined || typeof keyPrefix === 'string'
  assertOption(validPrefix, 'keyPrefix', 'a string', keyPrefix)
  const validName = consumerName === undefined || isNonEmptyString(consumerName)
  assertOption(validName, 'consumerName', 'a non-empty string', consumerName)
  const validHandler = onConnectionError === undefined || typeof onConnectionError === 'function'
  assertOption(validHandler, 'onConnectionError', 'a function', onConnectionError)
  checkLeaseMs(options.leaseMs)
}
