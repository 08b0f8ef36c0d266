// Helpers for integration tests against real services. Each test gets its own database, key
// prefix or bucket, so test files can run in parallel against one server.
export { openTestDatabase, type OpenTestDatabase } from './database.js'
export { createTestDatabase, DEFAULT_TEST_DATABASE_URL, type TestDatabase } from './postgres.js'
export {
  connectTestRedis,
  DEFAULT_TEST_REDIS_URL,
  deleteKeys,
  randomKeyPrefix,
  testRedisUrl,
} from './redis.js'
export { startS3Server, type TestS3Server } from './s3.js'
export { startServiceStack, type TestServiceStack } from './stack.js'
export { insertTestTask, insertTestUser, sampleSpec } from './fixtures.js'
