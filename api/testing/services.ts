import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Characters of a process's output kept for failure messages. */
const OUTPUT_TAIL_CHARS = 64 * 1024

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}

/** A service started from a TypeScript entry point, as its container would run it. */
export class ServiceProcess {
  readonly #child: ChildProcess
  #output = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  /**
   * Starts `node --import tsx <entry>` in the repository root with exactly `env`, so that no
   * variable of the test runner leaks into the service.
   */
  constructor(
    readonly name: string,
    entry: string,
    env: Record<string, string>,
  ) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)
    }
    this.#child.stdout?.on('data', keep)
    this.#child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code, signal) => resolve({ code, signal })),
    )
  }

  /** The end of what the service wrote to stdout and stderr. */
  get output(): string {
    return this.#output
  }

  /** Process id, for reading its memory use from /proc. */
  get pid(): number {
    return this.#child.pid ?? -1
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /**
   * Sends SIGTERM, as the kubelet does, and waits up to `graceMs` for the exit; past that it
   * sends SIGKILL. Returns the exit status and whether SIGKILL was needed.
   */
  async stop(
    graceMs: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (!this.running) return { ...(await this.exited), killed: false }
    this.#child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs)
    })
    const first = await Promise.race([this.exited, timedOut])
    clearTimeout(timer)
    if (first !== 'timeout') return { ...first, killed: false }

    this.#child.kill('SIGKILL')
    return { ...(await this.exited), killed: true }
  }
}

/**
 * Polls `url` until it returns 200 or `timeoutMs` passes. Throws with the service's output when
 * the service exits or the time runs out.
 */
export async function waitUntilReady(
  service: ServiceProcess,
  url: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (!service.running) {
      throw new Error(
        `${service.name} exited before it was ready (${JSON.stringify(await service.exited)}):\n${service.output}`,
      )
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (response.status === 200) return
      last = `${response.status} ${await response.text()}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(
    `${service.name} was not ready at ${url} within ${timeoutMs} ms (last: ${last}):\n${service.output}`,
  )
}

/** Variables a test never passes on, so the machine's own settings cannot change what it runs. */
const SERVICE_VARIABLES =
  /^(DATABASE_URL|REDIS_URL|REDIS_KEY_PREFIX|S3_\w+|JWT_SECRET|DATA_DIR|PORT|HOST|PUBLIC_URL|API_ROUTES|DISPLAY|FFMPEG_PATH|HEALTH_PORT|WORKER_TMP_DIR)$/

/** This process's environment without the variables that configure the service. */
export function cleanEnvironment(): Record<string, string> {
  const entries = Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined && !SERVICE_VARIABLES.test(entry[0]),
  )
  return Object.fromEntries(entries)
}

/** An API process and a worker process that share a database, a queue and an object store. */
export interface SeparateServices {
  api: ServiceProcess
  worker: ServiceProcess
  /** Base URL of the API. */
  url: string
  /** Stops both processes. */
  stop(): Promise<void>
}

/**
 * Starts `api/main.ts` and `worker/main.ts` with the storage variables in `storage`, plus
 * `apiEnvironment` for the API, and waits until both report ready. Started together, both apply
 * migrations at once, which the advisory lock must serialise.
 */
export async function startSeparateServices(
  storage: Record<string, string>,
  workerTmpDir: string,
  apiEnvironment: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<SeparateServices> {
  const [apiPort, healthPort] = [await freePort(), await freePort()]
  const shared = { ...cleanEnvironment(), ...storage, LOG_LEVEL: 'warn' }
  const api = new ServiceProcess('api', 'api/main.ts', {
    ...shared,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    ...apiEnvironment,
  })
  const worker = new ServiceProcess('worker', 'worker/main.ts', {
    ...shared,
    HEALTH_PORT: String(healthPort),
    WORKER_TMP_DIR: workerTmpDir,
  })
  const url = `http://127.0.0.1:${apiPort}`
  const stop = async () => {
    await Promise.all([api.stop(30_000), worker.stop(30_000)])
  }

  try {
    await Promise.all([
      waitUntilReady(api, `${url}/readyz`, timeoutMs),
      waitUntilReady(worker, `http://127.0.0.1:${healthPort}/readyz`, timeoutMs),
    ])
  } catch (error) {
    await stop()
    throw error
  }
  return { api, worker, url, stop }
}
