import { setTimeout as sleep } from 'node:timers/promises'

import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'

import { connectTestRedis, deleteKeys, randomKeyPrefix, testRedisUrl } from '../testing/index.js'
import { DEFAULT_KEY_PREFIX, queueKeys } from './keys.js'
import { MemoryTaskQueue } from './memory.js'
import { RedisTaskQueue } from './redis.js'

let redis: Redis
let keyPrefix: string
const opened: RedisTaskQueue[] = []

function openQueue(options: { leaseMs?: number; consumerName?: string } = {}) {
  const queue = new RedisTaskQueue({ redis: testRedisUrl(), keyPrefix, ...options })
  opened.push(queue)
  return queue
}

beforeAll(async () => {
  redis = await connectTestRedis()
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close()))
  await deleteKeys(redis, keyPrefix)
})

afterAll(() => {
  redis.disconnect()
})

beforeEach(() => {
  keyPrefix = randomKeyPrefix()
})

describe('queueKeys', () => {
  test('builds names under the prefix', () => {
    expect(queueKeys('p:')).toEqual({ stream: 'p:tasks', group: 'workers' })
  })

  test('defaults to fas:', () => {
    expect(queueKeys().stream).toBe(`${DEFAULT_KEY_PREFIX}tasks`)
  })
})

describe('RedisTaskQueue options', () => {
  test.each([
    [{ redis: 'http://127.0.0.1:6379' }, /`redis`/],
    [{ redis: 'redis://127.0.0.1', leaseMs: 0 }, /`leaseMs`.*got 0/],
    [{ redis: 'redis://127.0.0.1', consumerName: '' }, /`consumerName`/],
  ])('rejects %j', (options, message) => {
    expect(() => new RedisTaskQueue(options)).toThrow(message)
  })

  test('hides the URL password', () => {
    expect(() => new RedisTaskQueue({ redis: 'http://user:secret@host' })).toThrow(/\*\*\*/)
  })
})

describe('MemoryTaskQueue options', () => {
  test('rejects a fractional leaseMs', () => {
    expect(() => new MemoryTaskQueue({ leaseMs: 1.5 })).toThrow(TypeError)
  })
})

describe('RedisTaskQueue', () => {
  test('keeps keys under its prefix', async () => {
    await openQueue().enqueue('a')
    const [, keys] = await redis.scan('0', 'MATCH', `${keyPrefix}*`, 'COUNT', 1000)
    expect(keys).toEqual([`${keyPrefix}tasks`])
  })

  // On one shared connection, the short read would wait behind the long blocked one.
  test('serves concurrent receives at once', async () => {
    const queue = openQueue()
    const long = queue.receive({ blockMs: 10_000 })
    await sleep(100)
    const started = performance.now()
    expect(await queue.receive({ blockMs: 100 })).toBeNull()
    expect(performance.now() - started).toBeLessThan(3000)
    await queue.enqueue('a')
    expect((await long)?.taskId).toBe('a')
  })

  test('leaves a shared client open', async () => {
    const client = redis.duplicate()
    const queue = new RedisTaskQueue({ redis: client, keyPrefix })
    await queue.enqueue('a')
    await queue.close()
    expect(await client.ping()).toBe('PONG')
    client.disconnect()
  })

  test('ping rejects when unreachable', async () => {
    const queue = new RedisTaskQueue({ redis: 'redis://127.0.0.1:1' })
    opened.push(queue)
    await sleep(300)
    await expect(queue.ping()).rejects.toThrow(/unreachable/)
  })

  describe('when a pending entry was deleted', () => {
    test('takeover skips it', async () => {
      const first = openQueue({ leaseMs: 200, consumerName: 'first' })
      await first.enqueue('gone')
      const delivery = await first.receive({ blockMs: 0 })
      await redis.xdel(`${keyPrefix}tasks`, delivery!.entryId)
      await sleep(300)
      const second = openQueue({ leaseMs: 200, consumerName: 'second' })
      expect(await second.receive({ blockMs: 0 })).toBeNull()
    })

    test('pending list is emptied', async () => {
      const first = openQueue({ leaseMs: 200 })
      await first.enqueue('gone')
      const delivery = await first.receive({ blockMs: 0 })
      await redis.xdel(`${keyPrefix}tasks`, delivery!.entryId)
      await sleep(300)
      await openQueue({ leaseMs: 200 }).receive({ blockMs: 0 })
      const [count] = (await redis.xpending(`${keyPrefix}tasks`, 'workers')) as [number]
      expect(count).toBe(0)
    })
  })

  describe('when the group was lost', () => {
    test('entries are still delivered', async () => {
      const queue = openQueue()
      await queue.enqueue('survivor')
      await redis.xgroup('DESTROY', `${keyPrefix}tasks`, 'workers')
      expect((await queue.receive({ blockMs: 0 }))?.taskId).toBe('survivor')
    })
  })

  describe('when an entry lacks task_id', () => {
    test('it is dropped', async () => {
      const queue = openQueue()
      await queue.enqueue('first')
      await redis.xadd(`${keyPrefix}tasks`, '*', 'other', 'x')
      await (await queue.receive({ blockMs: 0 }))?.ack()
      expect(await queue.receive({ blockMs: 0 })).toBeNull()
      expect(await queue.depth()).toBe(0)
    })
  })
})
