import { tmpdir } from 'node:os'
import { join } from 'node:path'

import * as v from 'valibot'

import {
  integerVariable,
  logLevelVariable,
  optionalIntegerVariable,
  parseEnvironment,
  storageEnvironment,
  storageEnvironmentChecks,
  toStorageSettings,
} from '../db/environment.js'
import type { StorageSettings } from '../db/environment.js'
import { DEFAULT_PRESET, X264_PRESETS, type X264Preset } from './encode/ffmpeg.js'

const workerEntries = v.object({
  ...storageEnvironment,
  FFMPEG_PATH: v.optional(v.string()),
  X264_PRESET: v.optional(
    v.picklist(X264_PRESETS, `must be one of: ${X264_PRESETS.join(', ')}`),
    DEFAULT_PRESET,
  ),
  DISPLAY: v.optional(v.string()),
  LOG_LEVEL: logLevelVariable,
  WORKER_TMP_DIR: v.optional(v.string()),
  MAX_DELIVERIES: integerVariable(3, 1, 100),
  SHUTDOWN_GRACE_MS: integerVariable(20_000, 0, 3_600_000),
  HEALTH_PORT: optionalIntegerVariable(1, 65_535),
})

/** Environment variables of a worker, validated once at start-up. */
const workerEnvironment = v.pipe(
  workerEntries,
  storageEnvironmentChecks<v.InferOutput<typeof workerEntries>>(),
)

/** Typed configuration of a worker process. */
export interface WorkerConfig {
  /** ffmpeg binary chosen by the operator; undefined lets the encoder look for one. */
  ffmpegPath?: string
  /** x264 speed preset of every video. */
  x264Preset: X264Preset
  /** X display for headless-gl; undefined makes the renderer start its own Xvfb. */
  display?: string
  logLevel: string
  /** Folder for videos while they are encoded; each is removed once uploaded or failed. */
  tmpDir: string
  /** Deliveries of one task after which it is marked failed. */
  maxDeliveries: number
  /** How long shutdown waits for the current task before handing it back, in milliseconds. */
  shutdownGraceMs: number
  /** Port of the liveness and readiness endpoint; undefined serves none. */
  healthPort?: number
  storage: StorageSettings
}

/** Reads and validates a worker's environment; throws a `ConfigError` naming every bad variable. */
export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const parsed = parseEnvironment(workerEnvironment, env)
  return {
    ffmpegPath: parsed.FFMPEG_PATH,
    x264Preset: parsed.X264_PRESET,
    display: parsed.DISPLAY,
    logLevel: parsed.LOG_LEVEL,
    tmpDir: parsed.WORKER_TMP_DIR ?? join(tmpdir(), 'fractal-worker'),
    maxDeliveries: parsed.MAX_DELIVERIES,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    healthPort: parsed.HEALTH_PORT,
    storage: toStorageSettings(parsed),
  }
}
