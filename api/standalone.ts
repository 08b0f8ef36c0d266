import { pino } from 'pino'

import { ConfigError } from '../db/environment.js'
import { MemoryTaskQueue } from '../db/queue/memory.js'
import { listUnfinishedTaskIds } from '../db/tasks/repository.js'
import { loadWorkerConfig } from '../worker/config.js'
import { startWorker } from '../worker/start.js'
import { loadApiConfig } from './config.js'
import { openApiRuntime, startApiServer } from './server.js'
import { exitOnSignals } from './shutdown.js'

// `make run`: the API and one worker in a single process, on whatever the environment selects
// and the embedded stand-ins for the rest. This is the one module that imports the worker, so
// that a laptop needs no servers at all.
async function main(): Promise<void> {
  const apiConfig = loadApiConfig(process.env)
  const workerConfig = loadWorkerConfig(process.env)
  const logger = pino({ level: apiConfig.logLevel, base: { service: 'standalone' } })

  const { runtime, secret } = await openApiRuntime(apiConfig)
  if (runtime.queue instanceof MemoryTaskQueue) {
    // The in-process queue starts empty, so tasks the last run left unfinished are queued again.
    const unfinished = await listUnfinishedTaskIds(runtime.database.db)
    for (const taskId of unfinished) await runtime.queue.enqueue(taskId)
    if (unfinished.length > 0)
      logger.info({ tasks: unfinished.length }, 'unfinished tasks queued again')
  }

  const worker = await startWorker(workerConfig, runtime, logger.child({ component: 'worker' }))
  const server = await startApiServer(apiConfig, runtime, secret, logger)
  logger.info({ url: server.url, data_dir: apiConfig.storage.dataDir }, 'listening')
  console.log(
    `Fractal Animation Server is running at ${server.url} (API reference: ${server.url}/docs)`,
  )

  exitOnSignals(logger, [() => server.close(), () => worker.close(), () => runtime.close()])
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
