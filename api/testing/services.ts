import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Variables a test never inherits, so the machine's own settings cannot change what it runs. */
const SERVICE_VARIABLES = /^(DATABASE_URL|REDIS_URL|REDIS_KEY_PREFIX|S3_\w+|JWT_SECRET|DATA_DIR|PORT|HOST|PUBLIC_URL|API_ROUTES|DISPLAY|FFMPEG_PATH|HEALTH_PORT|WORKER_TMP_DIR)$/

/** Returns a TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned')
  return address.port
}

/** A service started as a child process, as `node --import tsx <entry>`. */
export interface ServiceProcess {
  child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. Returns the exit code. */
  stop(graceMs?: number): Promise<number | null>
}

/**
 * Starts `entry` (a path from the repository root) with `env` on top of a clean copy of this
 * process's environment, and waits until its output matches `ready`.
 */
export async function startService(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVICE_VARIABLES.test(name)))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (ready.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${entry} exited with code ${code} before it was ready:\n${output}`))
    })
  })

  return {
    child,
    output: () => output,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}
