import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'

/** Characters of ffmpeg's stderr kept for error messages. */
const STDERR_TAIL_CHARS = 4000

/**
 * Raised when ffmpeg cannot start, exits with an error, or dies while frames are written. The
 * message contains the end of ffmpeg's stderr.
 */
export class EncoderError extends Error {
  override readonly name = 'EncoderError'
  readonly code = 'encoder_failed'
}

/**
 * Returns the ffmpeg binary to run: `configured` when given, else the binary of the optional
 * `ffmpeg-static` package when it is installed and its file exists, else `ffmpeg` from PATH.
 */
export async function resolveFfmpegPath(configured?: string): Promise<string> {
  if (configured !== undefined && configured !== '') return configured

  // A variable specifier keeps TypeScript from requiring the package, which is not a dependency.
  const optionalPackage = 'ffmpeg-static'
  try {
    const module = (await import(optionalPackage)) as { default?: unknown }
    const binary = module.default
    if (typeof binary === 'string' && existsSync(binary)) return binary
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error
  }
  return 'ffmpeg'
}

/** x264's speed presets, fastest first. */
export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const

export type X264Preset = (typeof X264_PRESETS)[number]

/**
 * Preset when none is configured. On 2 CPU cores, where rendering and encoding share the cores,
 * `ultrafast` finished the default task (120 frames of 800x600) in 1.3 to 1.5 s. `superfast`
 * took 1.6 to 1.8 s and `veryfast` 1.9 to 2.1 s, with files a third and nearly half smaller
 * (28 and 23 KiB per frame against 42 at CRF 20; ffmpeg 5.1, Mesa llvmpipe, renderVideo).
 */
export const DEFAULT_PRESET: X264Preset = 'ultrafast'

export interface VideoEncoderOptions {
  /** ffmpeg binary, from `resolveFfmpegPath`. */
  ffmpegPath: string
  /** Frame width in pixels. H.264 with yuv420p needs it even. */
  width: number
  /** Frame height in pixels. H.264 with yuv420p needs it even. */
  height: number
  /** Frames per second of the video. */
  fps: number
  /** MP4 file to write. An existing file is overwritten. */
  outPath: string
  /**
   * x264 speed preset, from `ultrafast` to `veryslow`.
   * @defaultValue DEFAULT_PRESET
   */
  preset?: X264Preset
}

type FfmpegProcess = ChildProcessByStdio<Writable, null, Readable>

/**
 * An ffmpeg process that encodes raw RGBA frames from its stdin to an H.264 MP4 file. Write
 * every frame, then call `finish()`, or `abort()` to give up. Either way the caller removes the
 * output file if it is not wanted.
 */
export class VideoEncoder {
  readonly #child: FfmpegProcess
  readonly #frameBytes: number
  readonly #stderr: () => string
  /** Settles when ffmpeg exits, and rejects with an EncoderError unless the exit code is 0. */
  readonly #exit: Promise<void>
  /** Rejects the write() in progress, if any, when ffmpeg exits. */
  #rejectWrite: ((error: Error) => void) | undefined
  #finishing = false

  private constructor(child: FfmpegProcess, frameBytes: number, ffmpegPath: string) {
    this.#child = child
    this.#frameBytes = frameBytes
    this.#stderr = tail(child.stderr)
    // Writes to a pipe whose reader exited fail with EPIPE. The exit status and stderr explain
    // more than that, so write() reports those instead.
    child.stdin.on('error', () => undefined)

    this.#exit = new Promise<void>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === 'ENOENT'
            ? `${ffmpegPath} not found: install ffmpeg or set FFMPEG_PATH`
            : `failed to start ${ffmpegPath}: ${error.message}`
        reject(new EncoderError(reason))
      })
      child.once('close', (code, signal) => {
        const failure = code === 0 ? undefined : exitError(ffmpegPath, code, signal, this.#stderr())
        const early = new EncoderError('ffmpeg exited before reading every frame')
        this.#rejectWrite?.(failure ?? early)
        if (failure === undefined) resolve()
        else reject(failure)
      })
    })
    // Callers see failures through start(), write() and finish(), so this only marks it handled.
    this.#exit.catch(() => undefined)
  }

  /**
   * Starts ffmpeg. x264 runs with CRF 20, a little above its default quality of 23, and the
   * preset from the options (see {@link DEFAULT_PRESET}). `+faststart` moves the index (the `moov`
   * box) before the media data, so players can start before the download ends.
   *
   * @throws EncoderError when ffmpeg cannot be started, for example because the path is wrong.
   */
  static async start(options: VideoEncoderOptions): Promise<VideoEncoder> {
    const { ffmpegPath, width, height, fps, outPath, preset = DEFAULT_PRESET } = options
    // The sizes follow ffmpeg's option syntax, so check them before they reach the command line.
    for (const [name, value] of Object.entries({ width, height, fps })) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new RangeError(`${name} must be a positive integer, got ${value}`)
      }
    }

    const args = [
      ...['-hide_banner', '-loglevel', 'error'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`],
      ...['-framerate', String(fps), '-i', 'pipe:0'],
      ...['-an', '-c:v', 'libx264', '-preset', preset, '-crf', '20'],
      ...['-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', '-y', outPath],
    ]
    // A process group of its own keeps ffmpeg out of a terminal's Ctrl-C, which goes to the whole
    // foreground group: the worker decides whether to finish or abort the video, not the signal.
    const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'], detached: true })
    const encoder = new VideoEncoder(child, width * height * 4, ffmpegPath)
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      encoder.#exit.catch(reject)
    })
    return encoder
  }

  /**
   * Writes one RGBA frame, top row first. Resolves once the pipe has taken the bytes, so the
   * caller may then reuse `frame`, and waits for `drain` while the pipe is full. Call it again
   * only after the previous call has settled.
   *
   * @throws RangeError when `frame` does not hold exactly one frame.
   * @throws EncoderError when ffmpeg has exited or exits before taking the frame.
   */
  write(frame: Uint8Array): Promise<void> {
    if (frame.byteLength !== this.#frameBytes) {
      const message = `frame has ${frame.byteLength} bytes, expected ${this.#frameBytes}`
      return Promise.reject(new RangeError(message))
    }
    if (this.#finishing) {
      return Promise.reject(new EncoderError('write() called after finish() or abort()'))
    }
    const stdin = this.#child.stdin
    if (!stdin.writable) {
      // ffmpeg exited between writes (Node destroys stdin at the exit event), or it closed its
      // input. Killing it, a no-op after the exit, guarantees the close event, and #exit then
      // rejects with the exit status and stderr.
      this.#child.kill('SIGKILL')
      return this.#exit.then(() => {
        throw new EncoderError('ffmpeg exited before reading every frame')
      })
    }
    if (this.#rejectWrite !== undefined) {
      return Promise.reject(new Error('write() called before the previous write() settled'))
    }

    return new Promise<void>((resolve, reject) => {
      let written = false
      let drained = true
      const settle = (error?: Error) => {
        if (error === undefined && !(written && drained)) return
        this.#rejectWrite = undefined
        if (error === undefined) resolve()
        else reject(error)
      }
      this.#rejectWrite = settle

      drained = stdin.write(frame, (error) => {
        if (error) {
          // Usually EPIPE because ffmpeg exited. Killing it guarantees the close event, which
          // rejects this write with ffmpeg's exit status and stderr.
          this.#child.kill('SIGKILL')
          return
        }
        written = true
        settle()
      })
      if (!drained) {
        stdin.once('drain', () => {
          drained = true
          settle()
        })
      }
    })
  }

  /**
   * Closes ffmpeg's input and waits for it to write the file.
   *
   * @throws EncoderError with the end of ffmpeg's stderr when it exits with an error.
   */
  finish(): Promise<void> {
    this.#finishing = true
    this.#child.stdin.end()
    return this.#exit
  }

  /** Kills ffmpeg and waits for it to exit. The output file is left for the caller to remove. */
  async abort(): Promise<void> {
    this.#finishing = true
    const child = this.#child
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await this.#exit.catch(() => undefined)
  }
}

function exitError(
  ffmpegPath: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): EncoderError {
  const status = signal === null ? `exit code ${code}` : `signal ${signal}`
  const log = stderr.trim()
  return new EncoderError(`${ffmpegPath} failed (${status})${log ? `:\n${log}` : ''}`)
}

/** Collects the last characters that `stream` emits. */
function tail(stream: Readable): () => string {
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)
  })
  return () => text
}
