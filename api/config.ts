import * as v from 'valibot'

import {
  integerVariable,
  logLevelVariable,
  parseEnvironment,
  storageEnvironment,
  storageEnvironmentChecks,
  toStorageSettings,
  urlVariable,
} from '../db/environment.js'
import type { StorageSettings } from '../db/environment.js'
import type { ApiLimits, RouteGroup } from './deps.js'

const apiEntries = v.object({
  ...storageEnvironment,
  PORT: integerVariable(8080, 0, 65_535),
  HOST: v.optional(v.string(), '127.0.0.1'),
  PUBLIC_URL: urlVariable(['http:', 'https:']),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  LOG_LEVEL: logLevelVariable,
  API_ROUTES: v.optional(
    v.picklist(['all', 'auth', 'tasks'], 'must be one of: all, auth, tasks'),
    'all',
  ),
  WORK_BUDGET: integerVariable(500_000_000_000, 1, Number.MAX_SAFE_INTEGER),
  FRAME_WORK_BUDGET: integerVariable(5_000_000_000, 1, Number.MAX_SAFE_INTEGER),
  PIXEL_BUDGET: integerVariable(10_000_000_000, 1, Number.MAX_SAFE_INTEGER),
  MAX_ACTIVE_TASKS: integerVariable(20, 1, 100_000),
  TOKEN_TTL_SECONDS: integerVariable(3600, 60, 30 * 24 * 3600),
  VIDEO_URL_TTL_SECONDS: integerVariable(3600, 1, 7 * 24 * 3600),
  MAX_BODY_BYTES: integerVariable(16 * 1024, 1024, 10 * 1024 * 1024),
})

/** Environment variables of the API, validated once at start-up. */
const apiEnvironment = v.pipe(
  apiEntries,
  storageEnvironmentChecks<v.InferOutput<typeof apiEntries>>(),
)

/** Typed configuration of an API process. */
export interface ApiConfig {
  port: number
  host: string
  /** Base URL clients use to reach this API; folder-store download links start with it. */
  publicUrl: string
  /** Secret for access tokens; undefined means "generate one and keep it under DATA_DIR". */
  jwtSecret?: string
  logLevel: string
  routes: RouteGroup
  tokenTtlSeconds: number
  limits: ApiLimits
  storage: StorageSettings
}

/** Reads and validates the API's environment; throws a `ConfigError` naming every bad variable. */
export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  const parsed = parseEnvironment(apiEnvironment, env)
  const reachableHost =
    parsed.HOST === '0.0.0.0' || parsed.HOST === '::' ? '127.0.0.1' : parsed.HOST

  return {
    port: parsed.PORT,
    host: parsed.HOST,
    publicUrl: (parsed.PUBLIC_URL ?? `http://${reachableHost}:${parsed.PORT}`).replace(/\/$/, ''),
    jwtSecret: parsed.JWT_SECRET,
    logLevel: parsed.LOG_LEVEL,
    routes: parsed.API_ROUTES,
    tokenTtlSeconds: parsed.TOKEN_TTL_SECONDS,
    limits: {
      workBudget: parsed.WORK_BUDGET,
      frameWorkBudget: parsed.FRAME_WORK_BUDGET,
      pixelBudget: parsed.PIXEL_BUDGET,
      maxActiveTasks: parsed.MAX_ACTIVE_TASKS,
      maxBodyBytes: parsed.MAX_BODY_BYTES,
      videoUrlTtlSeconds: parsed.VIDEO_URL_TTL_SECONDS,
    },
    storage: toStorageSettings(parsed),
  }
}
