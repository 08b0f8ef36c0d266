import { setTimeout as sleep } from 'node:timers/promises'

import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { connectTestRedis, deleteKeys, randomKeyPrefix, testRedisUrl } from '../testing/index.js'
import { LeaseLostError, QueueClosedError } from './errors.js'
import { MemoryTaskQueue } from './memory.js'
import { RedisTaskQueue } from './redis.js'
import type { QueueDelivery, TaskQueue } from './types.js'

/** Two consumers of one queue. The memory queue has no consumer names: both are one object. */
interface Consumers {
  first: TaskQueue
  second: TaskQueue
  close(): Promise<void>
}

let redis: Redis

beforeAll(async () => {
  redis = await connectTestRedis()
})

afterAll(async () => {
  redis.disconnect()
})

const implementations = {
  redis: async (leaseMs: number): Promise<Consumers> => {
    const keyPrefix = randomKeyPrefix()
    const open = (consumerName: string) =>
      new RedisTaskQueue({ redis: testRedisUrl(), keyPrefix, consumerName, leaseMs })
    const first = open('first')
    const second = open('second')
    return {
      first,
      second,
      close: async () => {
        await Promise.all([first.close(), second.close()])
        await deleteKeys(redis, keyPrefix)
      },
    }
  },
  memory: async (leaseMs: number): Promise<Consumers> => {
    const queue = new MemoryTaskQueue({ leaseMs })
    return { first: queue, second: queue, close: () => queue.close() }
  },
}

async function receiveNow(queue: TaskQueue): Promise<QueueDelivery | null> {
  return queue.receive({ blockMs: 0 })
}

describe.each(Object.entries(implementations))('%s queue', (_, open) => {
  async function withQueue(leaseMs: number, run: (queues: Consumers) => Promise<void>) {
    const queues = await open(leaseMs)
    try {
      await run(queues)
    } finally {
      await queues.close()
    }
  }

  test('delivers an enqueued id', () =>
    withQueue(30_000, async ({ first }) => {
      await first.enqueue('task-1')
      const delivery = await first.receive({ blockMs: 1000 })
      expect(delivery?.taskId).toBe('task-1')
      expect(delivery?.deliveryCount).toBe(1)
    }))

  test('delivers in enqueue order', () =>
    withQueue(30_000, async ({ first }) => {
      for (const id of ['a', 'b', 'c']) await first.enqueue(id)
      const ids = []
      for (let i = 0; i < 3; i++) ids.push((await receiveNow(first))?.taskId)
      expect(ids).toEqual(['a', 'b', 'c'])
    }))

  test('returns null after blockMs', () =>
    withQueue(30_000, async ({ first }) => {
      const started = performance.now()
      expect(await first.receive({ blockMs: 300 })).toBeNull()
      expect(performance.now() - started).toBeGreaterThanOrEqual(250)
    }))

  test('wakes a blocked receive', () =>
    withQueue(30_000, async ({ first, second }) => {
      const waiting = first.receive({ blockMs: 5000 })
      await sleep(100)
      await second.enqueue('late')
      expect((await waiting)?.taskId).toBe('late')
    }))

  test('depth counts unacknowledged entries', () =>
    withQueue(30_000, async ({ first }) => {
      await first.enqueue('a')
      await first.enqueue('b')
      const delivery = await receiveNow(first)
      expect(await first.depth()).toBe(2)
      await delivery?.ack()
      expect(await first.depth()).toBe(1)
    }))

  test('ping resolves', () =>
    withQueue(30_000, async ({ first }) => {
      await expect(first.ping()).resolves.toBeUndefined()
    }))

  describe('when two consumers race', () => {
    test('each entry goes to one', () =>
      withQueue(30_000, async ({ first, second }) => {
        const ids = Array.from({ length: 30 }, (_, i) => `task-${i}`)
        for (const id of ids) await first.enqueue(id)

        const drain = async (queue: TaskQueue) => {
          const received: string[] = []
          for (;;) {
            const delivery = await queue.receive({ blockMs: 50 })
            if (delivery === null) return received
            received.push(delivery.taskId)
          }
        }
        const [a, b] = await Promise.all([drain(first), drain(second)])
        expect([...a, ...b].sort()).toEqual([...ids].sort())
      }))
  })

  describe('when a consumer stops without ack', () => {
    test('entry waits for the lease', () =>
      withQueue(2000, async ({ first, second }) => {
        await first.enqueue('stalled')
        await receiveNow(first)
        expect(await receiveNow(second)).toBeNull()
      }))

    test('another consumer takes it over', () =>
      withQueue(300, async ({ first, second }) => {
        await first.enqueue('stalled')
        await receiveNow(first)
        await sleep(400)
        const takeover = await receiveNow(second)
        expect(takeover?.taskId).toBe('stalled')
        expect(takeover?.deliveryCount).toBe(2)
      }))

    test('old owner loses the lease', () =>
      withQueue(300, async ({ first, second }) => {
        await first.enqueue('stalled')
        const stale = await receiveNow(first)
        await sleep(400)
        await receiveNow(second)
        await expect(stale?.extendLease()).rejects.toThrow(LeaseLostError)
      }))
  })

  describe('when the lease is extended', () => {
    // The extensions span more than a lease, with a wide margin for a busy test machine.
    test('no takeover happens', () =>
      withQueue(1500, async ({ first, second }) => {
        await first.enqueue('busy')
        const delivery = await receiveNow(first)
        for (let i = 0; i < 8; i++) {
          await sleep(250)
          await delivery?.extendLease()
        }
        expect(await receiveNow(second)).toBeNull()
      }))

    test('delivery count stays', () =>
      withQueue(300, async ({ first, second }) => {
        await first.enqueue('busy')
        const delivery = await receiveNow(first)
        await delivery?.extendLease()
        await sleep(400)
        expect((await receiveNow(second))?.deliveryCount).toBe(2)
      }))
  })

  describe('when an entry is released', () => {
    test('it is available at once', () =>
      withQueue(30_000, async ({ first, second }) => {
        await first.enqueue('handed-back')
        await (await receiveNow(first))?.release()
        const again = await receiveNow(second)
        expect(again?.taskId).toBe('handed-back')
        expect(again?.deliveryCount).toBe(2)
      }))
  })

  describe('when an entry is acknowledged', () => {
    test('it is never delivered again', () =>
      withQueue(300, async ({ first, second }) => {
        await first.enqueue('done')
        await (await receiveNow(first))?.ack()
        await sleep(400)
        expect(await receiveNow(second)).toBeNull()
      }))
  })

  describe('when closed', () => {
    test('a blocked receive returns promptly', () =>
      withQueue(30_000, async ({ first }) => {
        const waiting = first.receive({ blockMs: 20_000 })
        await sleep(200)
        const closedAt = performance.now()
        await first.close()
        expect(await waiting).toBeNull()
        expect(performance.now() - closedAt).toBeLessThan(2000)
      }))

    test('receive rejects', () =>
      withQueue(30_000, async ({ first }) => {
        await first.close()
        await expect(first.receive({ blockMs: 0 })).rejects.toThrow(QueueClosedError)
      }))

    test('close is idempotent', () =>
      withQueue(30_000, async ({ first }) => {
        await first.close()
        await expect(first.close()).resolves.toBeUndefined()
      }))
  })

  test('rejects a negative blockMs', () =>
    withQueue(30_000, async ({ first }) => {
      await expect(first.receive({ blockMs: -1 })).rejects.toThrow(/`blockMs`/)
    }))
})
