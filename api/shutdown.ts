import type { Logger } from 'pino'

/**
 * On SIGTERM or SIGINT, runs `steps` in order, each in its own try so that one failure does not
 * skip the rest, then exits with status 0.
 */
export function exitOnSignals(logger: Logger, steps: Array<() => Promise<unknown>>): void {
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down')
    for (const step of steps) {
      await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'))
    }
    process.exit(0)
  }
  process.once('SIGTERM', (signal) => void shutdown(signal))
  process.once('SIGINT', (signal) => void shutdown(signal))
}
