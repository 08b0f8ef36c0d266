import type { Redis } from 'ioredis'

import { LeaseLostError } from './errors.js'
import type { QueueKeys } from './keys.js'
import { CLAIM_IF_OWNER_SCRIPT } from './redis-replies.js'
import type { QueueDelivery } from './types.js'

/** The queue state a delivery acts on. */
export interface DeliveryContext {
  redis: Redis
  keys: QueueKeys
  /** Name of the consumer that received the entry. */
  consumer: string
  leaseMs: number
}

/** One entry delivered from a Redis stream to one consumer. */
export class RedisDelivery implements QueueDelivery {
  readonly taskId: string
  readonly entryId: string
  readonly deliveryCount: number
  readonly #context: DeliveryContext

  constructor(
    context: DeliveryContext,
    entry: { entryId: string; taskId: string; deliveryCount: number },
  ) {
    this.#context = context
    this.taskId = entry.taskId
    this.entryId = entry.entryId
    this.deliveryCount = entry.deliveryCount
  }

  /** Resets the idle time; rejects with LeaseLostError once another consumer owns the entry. */
  async extendLease(): Promise<void> {
    const claimed = await this.#claimIfOwner('')
    if (!claimed) throw new LeaseLostError(this.entryId)
  }

  async ack(): Promise<void> {
    const { redis, keys } = this.#context
    const results = await redis
      .multi()
      .xack(keys.stream, keys.group, this.entryId)
      .xdel(keys.stream, this.entryId)
      .exec()
    const failed = results?.find(([error]) => error !== null)
    if (failed?.[0]) throw failed[0]
  }

  /**
   * Backdates the entry's idle time to the full lease, so that the next XAUTOCLAIM of any
   * consumer takes it. Does nothing when another consumer already owns the entry.
   */
  async release(): Promise<void> {
    await this.#claimIfOwner(String(this.#context.leaseMs))
  }

  async #claimIfOwner(idleMs: string): Promise<boolean> {
    const { redis, keys, consumer } = this.#context
    const args = [keys.group, this.entryId, consumer, idleMs]
    const result = await redis.eval(CLAIM_IF_OWNER_SCRIPT, 1, keys.stream, ...args)
    return result === 1
  }
}
