import { rm, stat } from 'node:fs/promises'

import type { TaskSpec } from '../../shaders/catalogue.js'
import { frameCount } from '../../shaders/spec.js'
import { VideoEncoder, type X264Preset } from '../encode/ffmpeg.js'
import type { FrameRenderer } from './renderer.js'

/** Raised when the progress callback returns false to stop a render. */
export class RenderCancelledError extends Error {
  override readonly name = 'RenderCancelledError'
  readonly code = 'render_cancelled'

  constructor(message = 'the render was cancelled by its progress callback') {
    super(message)
  }
}

export interface RenderVideoOptions {
  renderer: FrameRenderer
  spec: TaskSpec
  /** ffmpeg binary, from `resolveFfmpegPath`. */
  ffmpegPath: string
  /** MP4 file to write. It is removed if the render fails or stops. */
  outPath: string
  /** x264 speed preset; the encoder's default when undefined. */
  preset?: X264Preset
  /**
   * Called after each frame is handed to the encoder, with the number of frames done so far.
   * Returning false stops the render with a RenderCancelledError. The next frame waits for it.
   */
  onProgress?: (framesDone: number) => boolean | void | Promise<boolean | void>
  /** Stops the render, and renderVideo() then rejects with the signal's reason. */
  signal?: AbortSignal
}

export interface RenderVideoResult {
  /** Frames in the video. */
  frames: number
  /** Size of the MP4 file in bytes. */
  bytes: number
}

/**
 * Renders every frame of `spec` and encodes them to an H.264 MP4 at `outPath`.
 *
 * ffmpeg runs in its own process, so it encodes frame N while this process renders frame N + 1.
 * Each write resolves once the pipe has taken the frame, which lets the renderer reuse its
 * read-back buffer. At most one frame waits in this process, and x264's own queue bounds the
 * frames held by ffmpeg.
 *
 * @throws RenderCancelledError when `onProgress` returns false.
 * @throws the signal's reason (an `AbortError` by default) when `signal` aborts.
 * @throws EncoderError when ffmpeg fails.
 */
export async function renderVideo(options: RenderVideoOptions): Promise<RenderVideoResult> {
  const { renderer, spec, outPath, onProgress, signal } = options
  signal?.throwIfAborted()
  const frames = frameCount(spec)
  if (frames < 1) {
    throw new RangeError(`the spec has no frames: round(fps * durationSeconds) is ${frames}`)
  }

  const encoder = await VideoEncoder.start({
    ffmpegPath: options.ffmpegPath,
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
    outPath,
    ...(options.preset === undefined ? {} : { preset: options.preset }),
  })
  // Killing ffmpeg also rejects a write that waits on a full pipe, so an abort is seen at once.
  const onAbort = () => void encoder.abort()
  signal?.addEventListener('abort', onAbort, { once: true })

  try {
    for (let frameIndex = 0; frameIndex < frames; frameIndex++) {
      signal?.throwIfAborted()
      // Drawing a frame blocks this thread, and writes to a pipe with room complete without
      // waiting, so give timers and sockets (the HTTP server, in `make run`) a turn each frame.
      await new Promise((resolve) => setImmediate(resolve))
      await encoder.write(renderer.renderFrame(spec, frameIndex))
      if ((await onProgress?.(frameIndex + 1)) === false) throw new RenderCancelledError()
    }
    await encoder.finish()
    signal?.throwIfAborted()
    const { size } = await stat(outPath)
    return { frames, bytes: size }
  } catch (error) {
    await encoder.abort()
    await rm(outPath, { force: true })
    if (signal?.aborted) throw signal.reason
    throw error
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}
