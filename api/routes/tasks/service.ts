import type { Logger } from 'pino'

import { type TaskSpec } from '../../../shaders/catalogue.js'
import { frameCount, frameWork, pixelCount, workCost } from '../../../shaders/spec.js'
import {
  cancelTask,
  countActiveTasks,
  deleteTask,
  insertTask,
} from '../../../db/tasks/repository.js'
import type { TaskRow } from '../../../db/tasks/table.js'
import { isForeignKeyViolation } from '../../../db/postgres-errors.js'
import type { ApiLimits, AppDeps } from '../../deps.js'
import { deletedAccountError } from '../../middleware/bearer-auth.js'
import { ApiError } from '../../errors.js'

function overBudget(formula: string, cost: number, budget: number, remedy: string): ApiError {
  const message = `${formula} = ${cost} exceeds the budget of ${budget}: ${remedy}`
  return new ApiError('work_budget_exceeded', `The task is too large: ${message}.`, {
    errors: [{ path: '', message }],
    cost,
    budget,
  })
}

/**
 * Checks the limits a schema cannot: at least one frame, and the configured budgets for the
 * whole task, for each frame and for the pixel count.
 */
export function checkTaskLimits(spec: TaskSpec, limits: ApiLimits): void {
  const frames = frameCount(spec)
  if (frames < 1) {
    const message = 'fps * durationSeconds must round to at least 1 frame'
    throw new ApiError(
      'validation_failed',
      'The animation has no frames: raise fps or durationSeconds.',
      { errors: [{ path: 'durationSeconds', message }] },
    )
  }

  const cost = workCost(spec)
  if (cost > limits.workBudget) {
    const formula = 'width * height * frames * maxIterations'
    const remedy = 'lower the size, the frame count or maxIterations'
    throw overBudget(formula, cost, limits.workBudget, remedy)
  }
  const perFrame = frameWork(spec)
  if (perFrame > limits.frameWorkBudget) {
    const remedy = 'lower the size or maxIterations'
    throw overBudget('width * height * maxIterations', perFrame, limits.frameWorkBudget, remedy)
  }
  const pixels = pixelCount(spec)
  if (pixels > limits.pixelBudget) {
    const remedy = 'lower the size, fps or durationSeconds'
    throw overBudget('width * height * frames', pixels, limits.pixelBudget, remedy)
  }
}

/**
 * Stores a new task for `userId` and queues it. If the queue rejects the entry, the task row is
 * removed again and the client gets 503, so no task waits forever without a queue entry.
 */
export async function submitTask(deps: AppDeps, userId: string, spec: TaskSpec): Promise<TaskRow> {
  checkTaskLimits(spec, deps.limits)
  // Counted before the insert, so parallel requests can pass the limit by a few tasks.
  const active = await countActiveTasks(deps.db, userId, deps.limits.maxActiveTasks)
  if (active >= deps.limits.maxActiveTasks) {
    throw new ApiError(
      'too_many_tasks',
      `You have ${active} unfinished tasks, the most allowed: wait for one to finish or cancel one.`,
      { active, limit: deps.limits.maxActiveTasks },
    )
  }

  const task = await insertTask(deps.db, { userId, spec, framesTotal: frameCount(spec) }).catch(
    (error: unknown) => {
      // The task's user_id references users, so this is a valid token of a deleted account.
      throw isForeignKeyViolation(error) ? deletedAccountError() : error
    },
  )
  try {
    await deps.queue.enqueue(task.id)
  } catch (error) {
    await deleteTask(deps.db, task.id)
    throw new ApiError('service_unavailable', 'The task queue is unavailable: retry shortly.', {
      cause: String(error),
    })
  }
  return task
}

/**
 * Cancels a queued or running task, or deletes a finished one, and removes its video.
 * Returns undefined when the caller owns no such task.
 */
export async function cancelOrDeleteTask(
  deps: AppDeps,
  userId: string,
  taskId: string,
  logger: Logger,
): Promise<TaskRow | undefined> {
  const task = await cancelTask(deps.db, userId, taskId)
  if (task?.videoKey) {
    try {
      await deps.store.remove(task.videoKey)
    } catch (error) {
      logger.warn(
        { err: error, task_id: taskId, object_key: task.videoKey },
        'video removal failed',
      )
    }
  }
  return task
}
