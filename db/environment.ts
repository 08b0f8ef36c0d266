import * as v from 'valibot'

/** Raised at start-up when environment variables are missing or invalid; lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
  }
}

/**
 * Validates `env` against `schema` and returns the typed result. Empty values count as unset,
 * because Kubernetes and shell scripts often pass `NAME=` for an option left out.
 */
export function parseEnvironment<const Schema extends v.GenericSchema>(
  schema: Schema,
  env: Record<string, string | undefined>,
): v.InferOutput<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''))
  const result = v.safeParse(schema, present)
  if (result.success) return result.output

  throw new ConfigError(
    result.issues.map((issue) => `${v.getDotPath(issue) ?? 'environment'}: ${issue.message}`),
  )
}

/**
 * Throws a `ConfigError` unless every variable in `names` is set in `env`. Separate API and worker
 * processes share state only through PostgreSQL and Redis, so they cannot use the embedded
 * stand-ins.
 */
export function requireVariables(
  env: Record<string, unknown>,
  names: readonly string[],
  reason: string,
): void {
  const missing = names.filter((name) => env[name] === undefined || env[name] === '')
  if (missing.length > 0)
    throw new ConfigError(missing.map((name) => `${name}: is required ${reason}`))
}

/** Schema of an optional environment variable holding a URL with one of `protocols`. */
export function urlVariable(protocols: readonly string[]) {
  return v.optional(
    v.pipe(
      v.string(),
      v.url(`must be a URL such as ${protocols[0]}//host:port`),
      v.check(
        (value) => protocols.includes(new URL(value).protocol),
        `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      ),
    ),
  )
}

function integerSchema(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^\d+$/, `must be a whole number from ${min} to ${max}`),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  )
}

/** Schema of an environment variable holding a whole number in [min, max], `fallback` if unset. */
export function integerVariable(fallback: number, min: number, max: number) {
  return v.optional(integerSchema(min, max), String(fallback))
}

/** Schema of an environment variable holding a whole number in [min, max], undefined if unset. */
export function optionalIntegerVariable(min: number, max: number) {
  return v.optional(integerSchema(min, max))
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Schema of `LOG_LEVEL`: a pino level name, `info` if unset. */
export const logLevelVariable = v.optional(
  v.picklist(logLevels, `must be one of: ${logLevels.join(', ')}`),
  'info',
)

/**
 * Environment variables of the data layer, shared by every entry point. With none set, the
 * service runs on its embedded defaults: PGlite, an in-process queue and a folder of videos.
 */
export const storageEnvironment = {
  DATA_DIR: v.optional(v.string(), './data'),
  DATABASE_URL: urlVariable(['postgres:', 'postgresql:']),
  REDIS_URL: urlVariable(['redis:', 'rediss:']),
  REDIS_KEY_PREFIX: v.optional(
    v.pipe(v.string(), v.regex(/^[\w:.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ : . -')),
    'fas:',
  ),
  QUEUE_LEASE_MS: integerVariable(30_000, 1_000, 3_600_000),
  S3_ENDPOINT: urlVariable(['http:', 'https:']),
  S3_PUBLIC_ENDPOINT: urlVariable(['http:', 'https:']),
  S3_REGION: v.optional(v.string(), 'us-east-1'),
  S3_BUCKET: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be a valid S3 bucket name (3-63 of a-z 0-9 . -)',
      ),
    ),
    'videos',
  ),
  S3_ACCESS_KEY: v.optional(v.string()),
  S3_SECRET_KEY: v.optional(v.string()),
}

type StorageEnvironment = v.InferOutput<v.ObjectSchema<typeof storageEnvironment, undefined>>

/** Checks across storage variables: an S3 endpoint needs both of its keys. */
export function storageEnvironmentChecks<Env extends StorageEnvironment>() {
  return v.rawCheck<Env>(({ dataset, addIssue }) => {
    if (!dataset.typed || dataset.value.S3_ENDPOINT === undefined) return

    for (const key of ['S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const) {
      if (dataset.value[key] !== undefined) continue
      addIssue({
        message: 'is required when S3_ENDPOINT is set',
        path: [{ type: 'object', origin: 'value', input: dataset.value, key, value: undefined }],
      })
    }
  })
}

/** Connection settings of the data layer, as `openRuntime` takes them. */
export interface StorageSettings {
  dataDir: string
  databaseUrl?: string
  redisUrl?: string
  redisKeyPrefix: string
  queueLeaseMs: number
  s3?: {
    endpoint: string
    publicEndpoint: string
    region: string
    bucket: string
    accessKey: string
    secretKey: string
  }
}

/** Converts validated storage variables to {@link StorageSettings}. */
export function toStorageSettings(env: StorageEnvironment): StorageSettings {
  const settings: StorageSettings = {
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    queueLeaseMs: env.QUEUE_LEASE_MS,
  }
  if (env.S3_ENDPOINT !== undefined) {
    settings.s3 = {
      endpoint: env.S3_ENDPOINT,
      publicEndpoint: env.S3_PUBLIC_ENDPOINT ?? env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKey: env.S3_ACCESS_KEY as string,
      secretKey: env.S3_SECRET_KEY as string,
    }
  }
  return settings
}
