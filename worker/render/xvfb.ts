import { spawn } from 'node:child_process'
import type { Readable } from 'node:stream'

/** A running Xvfb server. */
export interface Xvfb {
  /** Value for `DISPLAY`, such as `:1`. */
  display: string
  /** Process id of the server. */
  pid: number
  /** Stops the server and waits for it to exit. Idempotent. */
  stop(): Promise<void>
}

export interface XvfbOptions {
  /** Executable to run. @defaultValue `'Xvfb'` (from PATH) */
  command?: string
  /**
   * How long to wait for the server to report its display number, in milliseconds.
   * @defaultValue 10000
   */
  startTimeoutMs?: number
}

/** Time between SIGTERM and SIGKILL when the server does not exit, in milliseconds. */
const STOP_GRACE_MS = 2000

/** Characters of the server's stderr kept for error messages. */
const STDERR_TAIL_CHARS = 2000

/**
 * Starts Xvfb, an X server without a screen, for headless OpenGL. `-displayfd` makes it pick a
 * free display number and write it to a pipe once it accepts connections, which avoids both
 * guessing a free number and polling for readiness. It listens on a Unix socket only.
 *
 * An `exit` handler stops the server if the process ends without calling `stop()`. With
 * `-terminate` the server also exits when its last client disconnects, which covers a process
 * killed by a signal, where no exit handler runs.
 *
 * NOTE: a server that no client ever connected to survives a process killed by a signal.
 *
 * @throws Error when Xvfb is not installed, exits during start-up or does not start in time.
 */
export async function startXvfb(options: XvfbOptions = {}): Promise<Xvfb> {
  const command = options.command ?? 'Xvfb'
  // The screen is never drawn on: headless-gl renders to its own off-screen buffers.
  const args = ['-displayfd', '3', '-nolisten', 'tcp', '-terminate', '-screen', '0', '64x64x24']
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
  const stderr = tail(child.stderr)
  // SIGTERM lets the server remove its socket in /tmp/.X11-unix before it exits.
  const killOnExit = () => child.kill('SIGTERM')
  process.on('exit', killOnExit)

  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= terminate(child, exited).finally(() => process.off('exit', killOnExit))
    return stopping
  }

  try {
    const displayNumber = await readDisplayNumber(
      child,
      child.stdio[3] as Readable,
      options.startTimeoutMs ?? 10_000,
      command,
      stderr,
    )
    return { display: `:${displayNumber}`, pid: child.pid as number, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function readDisplayNumber(
  child: ReturnType<typeof spawn>,
  pipe: Readable,
  timeoutMs: number,
  command: string,
  stderr: () => string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const fail = (message: string) => {
      cleanup()
      const log = stderr().trim()
      reject(new Error(log ? `${message}. Xvfb stderr:\n${log}` : message))
    }
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /^(\d+)\n/.exec(output)
      if (match?.[1] === undefined) return
      cleanup()
      resolve(match[1])
    }
    const onError = (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'ENOENT'
          ? `${command} not found: install Xvfb (Debian package xvfb) or set DISPLAY`
          : `failed to start ${command}: ${error.message}`,
      )
    }
    const onExit = (code: number | null, signal: string | null) => {
      fail(`${command} exited during start-up (${signal ?? `exit code ${code}`})`)
    }
    const timer = setTimeout(
      () => fail(`${command} did not report a display number within ${timeoutMs} ms`),
      timeoutMs,
    )
    const cleanup = () => {
      clearTimeout(timer)
      pipe.off('data', onData)
      child.off('error', onError)
      child.off('exit', onExit)
    }
    pipe.on('data', onData)
    child.on('error', onError)
    child.on('exit', onExit)
  })
}

async function terminate(child: ReturnType<typeof spawn>, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    await exited
    return
  }
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/** Collects the last characters that `stream` emits. */
function tail(stream: Readable | null): () => string {
  let text = ''
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)
  })
  return () => text
}
