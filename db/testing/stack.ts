import type { Redis } from 'ioredis'

import { createTestDatabase, type TestDatabase } from './postgres.js'
import { connectTestRedis, deleteKeys, randomKeyPrefix, testRedisUrl } from './redis.js'
import { startS3Server, type TestS3Server } from './s3.js'

/** The servers a separate API or worker process needs, each fresh for one test file. */
export interface TestServiceStack {
  database: TestDatabase
  s3: TestS3Server
  /** A connection for the test's own checks and clean-up. */
  redis: Redis
  keyPrefix: string
  /** The storage variables that point a service process at these servers. */
  environment: Record<string, string>
  /** Deletes the key prefix, the database and the S3 server's files. */
  close(): Promise<void>
}

/**
 * Creates a database, picks a Redis key prefix and starts a local S3-protocol server, then
 * returns the environment variables a service needs to use them. On failure it removes whatever
 * it had created.
 */
export async function startServiceStack(): Promise<TestServiceStack> {
  const keyPrefix = randomKeyPrefix()
  const cleanups: Array<() => Promise<unknown>> = []
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  }

  try {
    const database = await createTestDatabase()
    cleanups.push(() => database.drop())
    const redis = await connectTestRedis()
    cleanups.push(async () => {
      await deleteKeys(redis, keyPrefix)
      redis.disconnect()
    })
    const s3 = await startS3Server()
    cleanups.push(() => s3.stop())

    const environment = {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      S3_ENDPOINT: s3.endpoint,
      S3_PUBLIC_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
    }
    return { database, s3, redis, keyPrefix, environment, close }
  } catch (error) {
    await close()
    throw error
  }
}
