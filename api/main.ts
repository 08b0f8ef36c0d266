import { pino } from 'pino'

import { ConfigError, requireVariables } from '../db/environment.js'
import { loadApiConfig } from './config.js'
import { openApiRuntime, startApiServer } from './server.js'

// The API as a separate service, next to separate workers: all state lives in PostgreSQL, Redis
// and the object store, and every replica must sign tokens with the same secret.
async function main(): Promise<void> {
  const config = loadApiConfig(process.env)
  requireVariables(
    process.env,
    ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'],
    'for a separate API process (use "make run" for one process)',
  )

  const logger = pino({ level: config.logLevel, base: { service: `api-${config.routes}` } })
  const { runtime, secret } = await openApiRuntime(config)
  const server = await startApiServer(config, runtime, secret, logger)
  logger.info({ url: server.url, routes: config.routes }, 'api listening')

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    await server.close().catch((error: unknown) => logger.error({ err: error }, 'server close failed'))
    await runtime.close().catch((error: unknown) => logger.error({ err: error }, 'data layer close failed'))
    process.exit(0)
  }
  process.once('SIGTERM', (signal) => void shutdown(signal))
  process.once('SIGINT', (signal) => void shutdown(signal))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
