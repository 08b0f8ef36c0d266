import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'

import * as v from 'valibot'

import { LeaseLostError } from '../db/queue/errors.js'
import type { QueueDelivery } from '../db/queue/types.js'
import {
  claimTask,
  completeTask,
  failTask,
  findTaskById,
  recordProgress,
  requeueTask,
} from '../db/tasks/repository.js'
import type { TaskRow } from '../db/tasks/table.js'
import { TaskSpecSchema } from '../shaders/catalogue.js'
import { ShaderCompileError } from '../shaders/program.js'
import { UnrecoverableError } from './errors.js'
import { RenderCancelledError, renderVideo } from './render/video.js'
import type { TaskWorkerOptions } from './worker.js'

/** Dependencies and settings of one delivery, taken from the worker's options. */
export type DeliveryContext = Pick<
  Required<TaskWorkerOptions>,
  | 'db'
  | 'store'
  | 'renderer'
  | 'logger'
  | 'ffmpegPath'
  | 'x264Preset'
  | 'tmpDir'
  | 'leaseMs'
  | 'maxDeliveries'
> & {
  /** Aborted when shutdown hands the current task back to the queue. */
  signal: AbortSignal
  /** Called after every rendered frame, so the liveness probe can detect progress. */
  onActivity?: () => void
}

/** Progress goes to the database after this many frames, and after the last one. */
const PROGRESS_EVERY_FRAMES = 10

/**
 * Object key of one attempt's video. Each attempt gets its own key, so a worker that lost its
 * lease and finishes second can remove its upload without touching the winner's.
 */
export function videoKeyFor(task: Pick<TaskRow, 'id' | 'userId'>): string {
  return `videos/${task.userId}/${task.id}/${randomUUID()}.mp4`
}

type Outcome =
  'succeeded' | 'failed' | 'cancelled' | 'retry' | 'handed_back' | 'lease_lost' | 'skipped'

/**
 * Handles one queue delivery from start to acknowledgement. It never throws: every failure ends
 * as a recorded task state, a retry, or an entry left for another worker to take over.
 */
export async function processDelivery(
  delivery: QueueDelivery,
  context: DeliveryContext,
): Promise<void> {
  const logger = context.logger.child({
    task_id: delivery.taskId,
    delivery: delivery.deliveryCount,
    entry_id: delivery.entryId,
  })
  const started = performance.now()
  let outcome: Outcome = 'skipped'
  let frames = 0

  try {
    const result = await runTask(delivery, { ...context, logger })
    outcome = result.outcome
    frames = result.frames
  } catch (error) {
    // Reached only when the database or queue failed while recording the outcome. The entry stays
    // unacknowledged, so another worker takes it over once its lease expires.
    outcome = 'retry'
    logger.error({ err: error }, 'task outcome not recorded; the lease will expire')
  }

  const durationMs = Math.round(performance.now() - started)
  logger.info({ outcome, frames, duration_ms: durationMs }, 'task finished')
}

async function runTask(
  delivery: QueueDelivery,
  context: DeliveryContext,
): Promise<{ outcome: Outcome; frames: number }> {
  const { db, logger } = context
  const existing = await findTaskById(db, delivery.taskId)
  if (existing === undefined || !['queued', 'running'].includes(existing.state)) {
    // Deleted, cancelled or already finished: the entry is a leftover.
    await delivery.ack()
    return { outcome: 'skipped', frames: 0 }
  }

  if (delivery.deliveryCount > context.maxDeliveries) {
    const lastError =
      existing.error ??
      'its lease expired before a worker finished it (the worker stopped, or one frame took ' +
        'longer than the lease)'
    await failTask(
      db,
      delivery.taskId,
      `gave up after ${context.maxDeliveries} attempts: ${lastError}`,
    )
    await delivery.ack()
    return { outcome: 'failed', frames: 0 }
  }

  const task = await claimTask(db, delivery.taskId)
  if (task === undefined) {
    await delivery.ack()
    return { outcome: 'skipped', frames: 0 }
  }
  // The claim counted this attempt; from here on every line names it.
  const attemptLogger = logger.child({ attempt: task.attempts })
  const attemptContext = { ...context, logger: attemptLogger }
  attemptLogger.info({ frames_total: task.framesTotal }, 'task started')

  // Aborted on shutdown, or when another worker has taken the entry over.
  const taskAbort = new AbortController()
  const onShutdown = () => taskAbort.abort()
  context.signal.addEventListener('abort', onShutdown)
  let leaseLost = false
  const heartbeat = setInterval(
    () => {
      delivery.extendLease().catch((error: unknown) => {
        if (error instanceof LeaseLostError) {
          leaseLost = true
          taskAbort.abort()
        }
        attemptLogger.warn({ err: error }, 'lease extension failed')
      })
    },
    Math.max(50, Math.floor(context.leaseMs / 3)),
  )

  const outPath = join(context.tmpDir, `${task.id}-${randomUUID()}.mp4`)
  try {
    const result = await renderAndStore(task, outPath, {
      ...attemptContext,
      signal: taskAbort.signal,
    })
    await delivery.ack()
    return result
  } catch (error) {
    if (leaseLost) {
      // Another worker owns the task now and records its outcome.
      return { outcome: 'lease_lost', frames: 0 }
    }
    return await recordFailure(task, delivery, error, attemptContext)
  } finally {
    clearInterval(heartbeat)
    context.signal.removeEventListener('abort', onShutdown)
    await rm(outPath, { force: true })
  }
}

async function renderAndStore(
  task: TaskRow,
  outPath: string,
  context: DeliveryContext,
): Promise<{ outcome: Outcome; frames: number }> {
  const { db, store, logger } = context
  const parsed = v.safeParse(TaskSpecSchema, task.spec)
  if (!parsed.success) {
    throw new UnrecoverableError(
      `the stored spec is invalid: ${parsed.issues[0]?.message ?? 'unknown issue'}`,
    )
  }

  const result = await renderVideo({
    renderer: context.renderer,
    spec: parsed.output,
    ffmpegPath: context.ffmpegPath,
    preset: context.x264Preset,
    outPath,
    signal: context.signal,
    onProgress: async (framesDone) => {
      context.onActivity?.()
      if (framesDone % PROGRESS_EVERY_FRAMES !== 0 && framesDone !== task.framesTotal) return true
      return recordProgress(db, task.id, framesDone, task.attempts)
    },
  })

  const videoKey = videoKeyFor(task)
  const { bytes } = await store.putFile(videoKey, outPath, 'video/mp4')
  const completed = await completeTask(db, task.id, { videoKey, videoBytes: bytes }, task.attempts)
  if (completed === undefined) {
    // Cancelled, deleted or claimed by another worker while uploading: this video is not the
    // task's, and its key belongs to this attempt alone.
    await store.remove(videoKey)
    logger.info('task no longer owned after upload; video removed')
    return { outcome: 'cancelled', frames: result.frames }
  }
  return { outcome: 'succeeded', frames: result.frames }
}

function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || error instanceof ShaderCompileError
}

/**
 * Records why a claimed task stopped. A cancelled task needs nothing more, and one interrupted by
 * shutdown goes back to the queue. A task that cannot succeed, or has used its last delivery, is
 * marked failed. Any other task is queued again at once for another attempt.
 */
async function recordFailure(
  task: TaskRow,
  delivery: QueueDelivery,
  error: unknown,
  context: DeliveryContext,
): Promise<{ outcome: Outcome; frames: number }> {
  const { db, logger } = context
  if (error instanceof RenderCancelledError) {
    await delivery.ack()
    return { outcome: 'cancelled', frames: 0 }
  }

  if (context.signal.aborted) {
    await requeueTask(db, task.id, 'the worker shut down before the task finished', task.attempts)
    await delivery.release()
    return { outcome: 'handed_back', frames: 0 }
  }

  const message = error instanceof Error ? error.message : String(error)
  if (isUnrecoverable(error) || delivery.deliveryCount >= context.maxDeliveries) {
    logger.error({ err: error }, 'task failed')
    await failTask(db, task.id, message, task.attempts)
    await delivery.ack()
    return { outcome: 'failed', frames: 0 }
  }

  logger.warn({ err: error }, 'task attempt failed; queued again')
  await requeueTask(db, task.id, message, task.attempts)
  await delivery.release()
  return { outcome: 'retry', frames: 0 }
}
