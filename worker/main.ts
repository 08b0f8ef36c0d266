import { pino } from 'pino'

import { ConfigError, requireVariables } from '../db/environment.js'
import { openRuntime } from '../db/runtime.js'
import { loadWorkerConfig } from './config.js'
import { startHealthServer } from './health.js'
import { startWorker } from './start.js'

// A loop that has neither waited on the queue nor finished a frame for this long is stuck. The
// limit is far above the queue's 2 s blocking read and a 4K frame on a CPU renderer.
const LIVENESS_MAX_IDLE_MS = 120_000

// The worker as a separate service: it shares the database, the Redis stream and the object
// store with the API processes, so it needs their URLs.
async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env)
  requireVariables(
    process.env,
    ['DATABASE_URL', 'REDIS_URL'],
    'for a separate worker process (use "make run" for one process)',
  )

  const logger = pino({ level: config.logLevel, base: { service: 'worker' } })
  // Folder-store links are signed by the API, never by a worker, so this key is never used.
  const runtime = await openRuntime(config.storage, {
    publicBaseUrl: 'http://unused.invalid',
    signingKey: new Uint8Array(32),
  })
  const running = await startWorker(config, runtime, logger)
  const health =
    config.healthPort === undefined
      ? undefined
      : await startHealthServer(config.healthPort, {
          idleMs: () => running.worker.idleMs(),
          maxIdleMs: LIVENESS_MAX_IDLE_MS,
          checks: {
            database: () => runtime.database.ping(),
            queue: () => runtime.queue.ping(),
            objectStore: () => runtime.store.ping(),
          },
        })

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    await health?.close()
    await running.close()
    await runtime
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'data layer close failed'))
    process.exit(0)
  }
  process.once('SIGTERM', (signal) => void shutdown(signal))
  process.once('SIGINT', (signal) => void shutdown(signal))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
