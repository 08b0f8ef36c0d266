import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'

import { Redis } from 'ioredis'

import { QueueClosedError } from './errors.js'
import { DEFAULT_KEY_PREFIX, queueKeys, type QueueKeys } from './keys.js'
import { checkBlockMs, DEFAULT_LEASE_MS } from './options.js'
import { BlockingConnections, isReplyError } from './redis-connections.js'
import { RedisDelivery } from './redis-delivery.js'
import { checkRedisOptions, type RedisTaskQueueOptions } from './redis-options.js'
import {
  parseAutoclaimReply,
  parsePendingCount,
  parseReadReply,
  TASK_ID_FIELD,
  type StreamEntry,
} from './redis-replies.js'
import type { QueueDelivery, TaskQueue } from './types.js'

export type { RedisTaskQueueOptions } from './redis-options.js'

/** How long `ping` waits for PONG before it rejects, in milliseconds. */
const PING_TIMEOUT_MS = 5000

/**
 * A task queue on one Redis stream read through one consumer group. Needs Redis 6.2 or later
 * for XAUTOCLAIM. Entries are deleted once acknowledged, so the stream length is the backlog.
 */
export class RedisTaskQueue implements TaskQueue {
  /** This consumer's name in the group. */
  readonly consumerName: string
  /** Idle time after which another consumer takes an entry over, in milliseconds. */
  readonly leaseMs: number
  readonly #keys: QueueKeys
  readonly #redis: Redis
  readonly #ownsRedis: boolean
  readonly #readers: BlockingConnections
  #group: Promise<void> | undefined
  #closing: Promise<void> | undefined

  constructor(options: RedisTaskQueueOptions) {
    checkRedisOptions(options)
    const { redis } = options
    this.consumerName =
      options.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
    this.#keys = queueKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX)
    this.#ownsRedis = typeof redis === 'string'
    // Without an error listener, ioredis prints every failed reconnect to the console.
    const onError = options.onConnectionError ?? (() => {})
    const connect = () => {
      const connection = typeof redis === 'string' ? new Redis(redis) : redis.duplicate()
      return connection.on('error', onError)
    }
    this.#redis = typeof redis === 'string' ? connect() : redis
    this.#readers = new BlockingConnections(connect)
  }

  async enqueue(taskId: string): Promise<void> {
    await this.#ensureGroup()
    await this.#redis.xadd(this.#keys.stream, '*', TASK_ID_FIELD, taskId)
  }

  async receive(options: { blockMs: number }): Promise<QueueDelivery | null> {
    const { blockMs } = options
    checkBlockMs(blockMs)
    if (this.#closing !== undefined) throw new QueueClosedError()

    try {
      return await this.#receiveOnce(blockMs)
    } catch (error) {
      // close() disconnects a blocked read, which ends the wait and is no failure.
      if (this.#closing !== undefined) return null
      // The stream or group vanished, for example after a Redis restart without persistence.
      if (!isReplyError(error, 'NOGROUP')) throw error
      this.#group = undefined
      return await this.#receiveOnce(blockMs)
    }
  }

  async depth(): Promise<number> {
    return await this.#redis.xlen(this.#keys.stream)
  }

  async ping(): Promise<void> {
    // While reconnecting, ioredis queues commands instead of failing them, so reject at once.
    const { status } = this.#redis
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      throw new Error(`Redis is unreachable: the connection is ${status}`)
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis PING timed out after ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      )
    })
    try {
      await Promise.race([this.#redis.ping(), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown()
    return this.#closing
  }

  async #shutDown(): Promise<void> {
    this.#readers.disconnectAll()
    if (!this.#ownsRedis) return
    if (this.#redis.status === 'ready') {
      await this.#redis.quit()
    } else {
      this.#redis.disconnect()
    }
  }

  #ensureGroup(): Promise<void> {
    this.#group ??= this.#createGroup().catch((error: unknown) => {
      this.#group = undefined
      throw error
    })
    return this.#group
  }

  async #createGroup(): Promise<void> {
    const { stream, group } = this.#keys
    try {
      // Start at 0, not `$`: acknowledged entries are deleted, so every entry in the stream is
      // work still to do, including entries added while the group was lost.
      await this.#redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM')
    } catch (error) {
      if (!isReplyError(error, 'BUSYGROUP')) throw error
    }
  }

  async #receiveOnce(blockMs: number): Promise<QueueDelivery | null> {
    await this.#ensureGroup()
    const expired = await this.#takeOverExpired()
    if (expired !== null) return expired

    const entry = await this.#readNew(blockMs)
    return entry === null ? null : this.#deliver(entry.id, entry.taskId, 1)
  }

  async #readNew(blockMs: number): Promise<{ id: string; taskId: string } | null> {
    const { stream, group } = this.#keys
    const me = this.consumerName
    // Redis reads BLOCK 0 as "wait forever", so a zero wait leaves the option out.
    const block = blockMs > 0 ? ['BLOCK', blockMs] : []
    const reply = await this.#readers.use((redis) =>
      redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', 1, ...block, 'STREAMS', stream, '>'),
    )
    const entry = parseReadReply(reply)
    if (entry === null) return null
    if (entry.taskId !== undefined) return { id: entry.id, taskId: entry.taskId }

    await this.#drop(entry.id)
    return null
  }

  // Walks the whole pending list: XAUTOCLAIM inspects at most ten times COUNT entries per call.
  async #takeOverExpired(): Promise<QueueDelivery | null> {
    const { stream, group } = this.#keys
    const { consumerName: me, leaseMs } = this
    let cursor = '0-0'
    do {
      const reply = await this.#redis.xautoclaim(stream, group, me, leaseMs, cursor, 'COUNT', 1)
      const parsed = parseAutoclaimReply(reply)
      for (const entry of parsed.entries) {
        const delivery = await this.#deliverClaimed(entry)
        if (delivery !== null) return delivery
      }
      cursor = parsed.cursor
    } while (cursor !== '0-0')
    return null
  }

  async #deliverClaimed(entry: StreamEntry): Promise<QueueDelivery | null> {
    if (entry.taskId === undefined) {
      await this.#drop(entry.id)
      return null
    }
    const { stream, group } = this.#keys
    const pending = await this.#redis.xpending(stream, group, entry.id, entry.id, 1)
    const count = parsePendingCount(pending)
    // Not pending any more: the previous owner acknowledged it after all.
    if (count === undefined) return null
    return this.#deliver(entry.id, entry.taskId, count)
  }

  // Removes an entry that carries no task id: one deleted while pending, or one not written by
  // this queue. Redelivering it would only fail again.
  async #drop(entryId: string): Promise<void> {
    const { stream, group } = this.#keys
    await this.#redis.multi().xack(stream, group, entryId).xdel(stream, entryId).exec()
  }

  #deliver(entryId: string, taskId: string, deliveryCount: number): QueueDelivery {
    return new RedisDelivery(
      { redis: this.#redis, keys: this.#keys, consumer: this.consumerName, leaseMs: this.leaseMs },
      { entryId, taskId, deliveryCount },
    )
  }
}
