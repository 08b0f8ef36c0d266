import { mkdir } from 'node:fs/promises'

import type { Logger } from 'pino'

import type { Database } from '../db/client.js'
import type { ObjectStore } from '../db/objects/types.js'
import type { TaskQueue } from '../db/queue/types.js'
import { DEFAULT_PRESET, type X264Preset } from './encode/ffmpeg.js'
import type { FrameRenderer } from './render/renderer.js'
import { processDelivery } from './process-task.js'

/** Options of a {@link TaskWorker}. */
export interface TaskWorkerOptions {
  db: Database
  queue: TaskQueue
  store: ObjectStore
  renderer: FrameRenderer
  logger: Logger
  /** ffmpeg binary that encodes the videos. */
  ffmpegPath: string
  /**
   * x264 speed preset of every video.
   * @defaultValue DEFAULT_PRESET of the encoder
   */
  x264Preset?: X264Preset
  /** Folder for videos while they are encoded. */
  tmpDir: string
  /**
   * Lease of a queue entry, in milliseconds; the worker extends it every third of this time.
   * Must match the queue's lease.
   */
  leaseMs: number
  /**
   * Deliveries of one task after which it is marked failed with its last error.
   * @defaultValue 3
   */
  maxDeliveries?: number
  /**
   * How long `close()` waits for the current task to finish before handing it back, in
   * milliseconds.
   * @defaultValue 20000
   */
  shutdownGraceMs?: number
  /**
   * Maximum wait for a queue entry before the loop checks whether it should stop, in milliseconds.
   * @defaultValue 2000
   */
  blockMs?: number
}

const RECEIVE_RETRY_MS = 1000

/**
 * Takes tasks from the queue one at a time, renders and uploads each, and records the outcome in
 * the database. `run()` loops until `close()`.
 */
export class TaskWorker {
  readonly #options: Required<TaskWorkerOptions>
  // Aborted when shutdown stops waiting for the current task, which then goes back to the queue.
  readonly #abort = new AbortController()
  #closing = false
  #closed: Promise<void> | undefined
  #loop: Promise<void> | undefined
  #current: Promise<void> | undefined
  #lastActivity = Date.now()

  constructor(options: TaskWorkerOptions) {
    const maxDeliveries = options.maxDeliveries ?? 3
    if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) {
      throw new TypeError(
        `Expected \`maxDeliveries\` to be a positive integer, got ${maxDeliveries}`,
      )
    }
    if (!Number.isFinite(options.leaseMs) || options.leaseMs < 100) {
      throw new TypeError(`Expected \`leaseMs\` to be at least 100, got ${options.leaseMs}`)
    }
    this.#options = {
      maxDeliveries,
      shutdownGraceMs: 20_000,
      blockMs: 2000,
      x264Preset: DEFAULT_PRESET,
      ...options,
    }
  }

  /** Starts the loop; the promise settles once `close()` has stopped it. */
  run(): Promise<void> {
    this.#loop ??= this.#runLoop()
    return this.#loop
  }

  async #runLoop(): Promise<void> {
    const { queue, logger, blockMs, tmpDir } = this.#options
    await mkdir(tmpDir, { recursive: true })
    logger.info({ tmp_dir: tmpDir }, 'worker started')

    while (!this.#closing) {
      this.#lastActivity = Date.now()
      let delivery
      try {
        delivery = await queue.receive({ blockMs })
      } catch (error) {
        if (this.#closing) break
        logger.error({ err: error }, 'queue receive failed; retrying')
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_RETRY_MS))
        continue
      }
      if (delivery === null) continue

      const onActivity = () => {
        this.#lastActivity = Date.now()
      }
      this.#current = processDelivery(delivery, {
        ...this.#options,
        signal: this.#abort.signal,
        onActivity,
      })
      await this.#current
      this.#current = undefined
    }
    logger.info('worker stopped')
  }

  /**
   * Milliseconds since the loop last turned or the current task last finished a frame. A liveness
   * probe compares it with a limit: a loop that neither waits on the queue nor renders is stuck.
   */
  idleMs(): number {
    return Date.now() - this.#lastActivity
  }

  /**
   * Stops taking tasks, waits up to `shutdownGraceMs` for the current one, then aborts it so it
   * goes back to the queue. Idempotent: later calls return the first call's promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown()
    return this.#closed
  }

  async #shutdown(): Promise<void> {
    this.#closing = true
    const current = this.#current
    if (current !== undefined) {
      const graceSeconds = this.#options.shutdownGraceMs / 1000
      this.#options.logger.info(
        { grace_seconds: graceSeconds },
        'waiting for the current task before stopping',
      )
      let timer: NodeJS.Timeout | undefined
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.#options.shutdownGraceMs)
      })
      const outcome = await Promise.race([current.then(() => 'done' as const), graceOver])
      clearTimeout(timer)
      if (outcome === 'timeout') {
        this.#options.logger.warn('shutdown grace period over; handing the task back')
        this.#abort.abort()
      }
    }
    await this.#loop?.catch(() => undefined)
  }
}
