import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { pino } from 'pino'

import { openRuntime, type Runtime } from '../../db/runtime.js'
import { createTestDatabase } from '../../db/testing/postgres.js'
import { createApp } from '../app.js'
import { TokenIssuer } from '../auth/tokens.js'
import type { ApiLimits, AppDeps, RouteGroup } from '../deps.js'

/** Secret of the harness's token issuer, so tests can forge tokens with other claims. */
export const TEST_SECRET = new TextEncoder().encode('test-secret-that-is-at-least-32-bytes-long')

export const TEST_BASE_URL = 'http://api.test'

/** An app on a fresh PostgreSQL database, an in-process queue and a temporary folder store. */
export interface TestApi {
  app: ReturnType<typeof createApp>
  deps: AppDeps
  runtime: Runtime
  /** Sends a request to the app with no socket, as a client would. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** Signs up and logs in a new user; returns its id and an Authorization header. */
  signUp(username?: string): Promise<{ userId: string; headers: Record<string, string> }>
  close(): Promise<void>
}

/** Default limits of the harness: the production defaults. */
export const TEST_LIMITS: ApiLimits = {
  workBudget: 500_000_000_000,
  frameWorkBudget: 5_000_000_000,
  pixelBudget: 10_000_000_000,
  maxActiveTasks: 1000,
  maxBodyBytes: 16 * 1024,
  videoUrlTtlSeconds: 3600,
}

/** Builds a {@link TestApi}. Share one per test file: each one creates a database. */
export async function createTestApi(
  options: { routes?: RouteGroup; limits?: Partial<ApiLimits> } = {},
): Promise<TestApi> {
  const database = await createTestDatabase()
  const dataDir = await mkdtemp(join(tmpdir(), 'fas-api-test-'))
  const runtime = await openRuntime(
    { dataDir, databaseUrl: database.url, redisKeyPrefix: 'unused:', queueLeaseMs: 30_000 },
    { publicBaseUrl: TEST_BASE_URL, signingKey: TEST_SECRET },
  )
  const deps: AppDeps = {
    db: runtime.database.db,
    queue: runtime.queue,
    store: runtime.store,
    folderStore: runtime.folderStore,
    tokens: new TokenIssuer({ secret: TEST_SECRET }),
    logger: pino({ level: 'silent' }),
    routes: options.routes ?? 'all',
    limits: { ...TEST_LIMITS, ...options.limits },
  }
  const app = createApp(deps)
  const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init))
  let users = 0

  return {
    app,
    deps,
    runtime,
    request,
    async signUp(username = `user${++users}-${Date.now()}`) {
      const credentials = JSON.stringify({ username, password: 'correct horse battery' })
      const headers = { 'Content-Type': 'application/json' }
      const signup = await request('/v1/auth/signup', {
        method: 'POST',
        headers,
        body: credentials,
      })
      if (signup.status !== 201)
        throw new Error(`signup failed: ${signup.status} ${await signup.text()}`)
      const login = await request('/v1/auth/login', { method: 'POST', headers, body: credentials })
      const { accessToken } = (await login.json()) as { accessToken: string }
      const { id } = (await signup.json()) as { id: string }
      return { userId: id, headers: { Authorization: `Bearer ${accessToken}` } }
    },
    async close() {
      await runtime.close()
      await database.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** Request options for a JSON body. */
export function jsonBody(
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}
