import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import autocannon from 'autocannon'

import {
  cleanEnvironment,
  freePort,
  ServiceProcess,
  waitUntilReady,
} from '../../api/testing/services.js'
import { signUpAndLogIn, type ApiUrls } from '../../api/testing/walkthrough.js'
import { startServiceStack, type TestServiceStack } from '../../db/testing/stack.js'
import { DEFAULT_REQUEST } from '../specs.js'
import { repeat, summarize, type Repetitions, type Summary } from '../stats.js'

const START_TIMEOUT_MS = 120_000
/** Users whose tokens the POST load takes turns with. */
const POSTING_USERS = 50

/** Requests per second and latency of one endpoint under load. */
export interface LoadResult {
  rps: Summary
  p50Ms: Summary
  p99Ms: Summary
}

export interface ApiResult {
  mode: 'embedded' | 'service'
  getTask: LoadResult
  postTask: LoadResult
  bare: LoadResult
}

export interface ApiOptions {
  service: boolean
  repetitions: Repetitions
  /** Concurrent connections. */
  connections: number
  /** Length of each run, in seconds. */
  durationSeconds: number
}

async function load(
  options: ApiOptions,
  request: Pick<autocannon.Options, 'url' | 'method' | 'headers' | 'body' | 'requests'>,
): Promise<LoadResult> {
  const rps: number[] = []
  const p50: number[] = []
  const p99: number[] = []
  await repeat(options.repetitions, async () => {
    const result = await autocannon({
      ...request,
      connections: options.connections,
      duration: options.durationSeconds,
    })
    const failed = result.errors + result.timeouts + result.non2xx
    if (failed > 0) {
      throw new Error(`${request.method ?? 'GET'} ${request.url}: ${failed} failed requests`)
    }
    rps.push(result.requests.average)
    p50.push(result.latency.p50)
    p99.push(result.latency.p99)
    return 0
  })
  const keptRuns = options.repetitions.runs
  return {
    rps: summarize(rps.slice(-keptRuns)),
    p50Ms: summarize(p50.slice(-keptRuns)),
    p99Ms: summarize(p99.slice(-keptRuns)),
  }
}

/**
 * Loads `GET /v1/tasks/{id}`, `POST /v1/tasks` and a bare Hono handler with autocannon, each
 * server in its own process. The API process has no worker, so queued tasks are never rendered.
 */
export async function measureApi(options: ApiOptions): Promise<ApiResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'fas-bench-api-'))
  const [apiPort, barePort] = [await freePort(), await freePort()]
  const stack: TestServiceStack | undefined = options.service
    ? await startServiceStack()
    : undefined
  const api = new ServiceProcess('api', 'bench/servers/api-only.ts', {
    ...cleanEnvironment(),
    ...stack?.environment,
    DATA_DIR: scratch,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'info',
    // Every POST adds a task that no worker renders, so lift the per-user limit on them.
    MAX_ACTIVE_TASKS: '100000',
  })
  const bare = new ServiceProcess('bare', 'bench/servers/bare.ts', {
    ...cleanEnvironment(),
    PORT: String(barePort),
  })
  try {
    const url = `http://127.0.0.1:${apiPort}`
    await waitUntilReady(api, `${url}/readyz`, START_TIMEOUT_MS)
    const urls: ApiUrls = { auth: url, tasks: url }
    const auth = await signUpAndLogIn(urls, `bench-${randomBytes(4).toString('hex')}`)
    const headers = { ...auth, 'content-type': 'application/json' }
    const created = await fetch(`${url}/v1/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify(DEFAULT_REQUEST),
    })
    const { id } = (await created.json()) as { id: string }

    const getTask = await load(options, { url: `${url}/v1/tasks/${id}`, headers: auth })

    // POST adds a task that no worker renders, so the tasks are spread over many users, as on a
    // real service, instead of piling thousands onto one.
    const posters = await Promise.all(
      Array.from({ length: POSTING_USERS }, (_, i) =>
        signUpAndLogIn(urls, `bench-post-${i}-${randomBytes(4).toString('hex')}`),
      ),
    )
    let next = 0
    const postTask = await load(options, {
      url: `${url}/v1/tasks`,
      method: 'POST',
      headers,
      body: JSON.stringify(DEFAULT_REQUEST),
      requests: [
        {
          setupRequest: (request) => {
            const poster = posters[next++ % posters.length] as Record<string, string>
            return { ...request, headers: { ...request.headers, ...poster } }
          },
        },
      ],
    })
    await waitUntilReady(bare, `http://127.0.0.1:${barePort}/readyz`, START_TIMEOUT_MS)
    const bareResult = await load(options, { url: `http://127.0.0.1:${barePort}/healthz` })
    return { mode: options.service ? 'service' : 'embedded', getTask, postTask, bare: bareResult }
  } finally {
    await Promise.all([api.stop(30_000), bare.stop(5000)])
    await stack?.close()
    await rm(scratch, { recursive: true, force: true })
  }
}
