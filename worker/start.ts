import type { Logger } from 'pino'

import type { Runtime } from '../db/runtime.js'
import type { WorkerConfig } from './config.js'
import { resolveFfmpegPath } from './encode/ffmpeg.js'
import { FrameRenderer } from './render/renderer.js'
import { TaskWorker } from './worker.js'

/** A running worker loop with the renderer it owns. */
export interface RunningWorker {
  worker: TaskWorker
  /** Stops the loop (see `TaskWorker.close`), then the renderer; each step in its own try. */
  close(): Promise<void>
}

/**
 * Creates the renderer (which compiles every shader, so a broken one fails here), finds ffmpeg
 * and starts the worker loop on `runtime`.
 */
export async function startWorker(
  config: WorkerConfig,
  runtime: Runtime,
  logger: Logger,
): Promise<RunningWorker> {
  const ffmpegPath = await resolveFfmpegPath(config.ffmpegPath)
  const renderer = await FrameRenderer.create({ display: config.display })
  const worker = new TaskWorker({
    db: runtime.database.db,
    queue: runtime.queue,
    store: runtime.store,
    renderer,
    logger,
    ffmpegPath,
    x264Preset: config.x264Preset,
    tmpDir: config.tmpDir,
    leaseMs: config.storage.queueLeaseMs,
    maxDeliveries: config.maxDeliveries,
    shutdownGraceMs: config.shutdownGraceMs,
  })
  worker.run().catch((error: unknown) => logger.fatal({ err: error }, 'worker loop crashed'))

  let closed: Promise<void> | undefined
  const close = async () => {
    for (const step of [() => worker.close(), () => renderer.close()]) {
      try {
        await step()
      } catch (error) {
        logger.error({ err: error }, 'worker shutdown step failed')
      }
    }
  }
  return { worker, close: () => (closed ??= close()) }
}
