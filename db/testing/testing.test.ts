import { access } from 'node:fs/promises'

import postgres from 'postgres'
import { afterEach, describe, expect, test, vi } from 'vitest'

import {
  connectTestRedis,
  createTestDatabase,
  deleteKeys,
  randomKeyPrefix,
  startS3Server,
} from './index.js'

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('createTestDatabase', () => {
  test('creates and drops a database', async () => {
    const database = await createTestDatabase()
    const sql = postgres(database.url, { max: 1 })
    const [row] = await sql<{ name: string }[]>`select current_database() as name`
    await sql.end()
    await database.drop()
    expect(row?.name).toMatch(/^fas_test_[0-9a-f]{12}$/)
  })

  test('names PostgreSQL when unreachable', async () => {
    vi.stubEnv('DATABASE_URL', 'postgres://tester:secret@127.0.0.1:1/postgres')
    const failure = createTestDatabase()
    const message = /PostgreSQL is unreachable at postgres:\/\/tester:\*\*\*@/
    await expect(failure).rejects.toThrow(message)
  })
})

describe('connectTestRedis', () => {
  test('names Redis when unreachable', async () => {
    vi.stubEnv('REDIS_URL', 'redis://127.0.0.1:1')
    const message = /Redis is unreachable at redis:\/\/127\.0\.0\.1:1/
    await expect(connectTestRedis()).rejects.toThrow(message)
  })
})

describe('deleteKeys', () => {
  test('deletes only its prefix', async () => {
    const redis = await connectTestRedis()
    // Glob characters in the prefix must match literally.
    const prefix = `${randomKeyPrefix()}[x]*:`
    const neighbour = `${prefix.slice(0, -1)}-neighbour`
    await redis.mset(`${prefix}a`, '1', `${prefix}b`, '2', neighbour, '3')
    const deleted = await deleteKeys(redis, prefix)
    const left = await redis.exists(neighbour)
    await redis.del(neighbour)
    redis.disconnect()
    expect(deleted).toBe(2)
    expect(left).toBe(1)
  })
})

describe('startS3Server', () => {
  test('stop removes its files', async () => {
    const server = await startS3Server()
    const directory = server.directory
    await server.stop()
    await expect(access(directory)).rejects.toThrow(/ENOENT/)
  })
})
