import { pino } from 'pino'

import { ConfigError, requireVariables } from '../db/environment.js'
import { loadApiConfig } from './config.js'
import { openApiRuntime, startApiServer } from './server.js'
import { exitOnSignals } from './shutdown.js'

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

  exitOnSignals(logger, [() => server.close(), () => runtime.close()])
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
