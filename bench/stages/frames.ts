import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { TaskSpec } from '../../shaders/catalogue.js'
import { renderReferenceFrame } from '../../shaders/reference.js'
import { frameCount } from '../../shaders/spec.js'
import { VideoEncoder } from '../../worker/encode/ffmpeg.js'
import type { FrameRenderer } from '../../worker/render/renderer.js'
import { renderVideo } from '../../worker/render/video.js'
import { cpuTicks, repeat, summarize, type Repetitions, type Summary } from '../stats.js'

function renderFps(renderer: FrameRenderer, spec: TaskSpec): number {
  const frames = frameCount(spec)
  const started = performance.now()
  for (let i = 0; i < frames; i++) renderer.renderFrame(spec, i)
  return frames / ((performance.now() - started) / 1000)
}

/** Frames per second of rendering plus read-back alone: every frame of `spec`, nothing else. */
export function measureRender(
  renderer: FrameRenderer,
  spec: TaskSpec,
  repetitions: Repetitions,
): Promise<Summary> {
  return repeat(repetitions, () => renderFps(renderer, spec))
}

/** Render rates of the shipped shader and of the brute-force loop, and their ratio. */
export interface SpeedupResult {
  bruteForceFps: Summary
  speedup: Summary
}

/**
 * Measures the brute-force shader and the shipped one on the same frames, alternating run by
 * run so that both see the same machine load, and returns the ratio of each pair.
 */
export async function measureShaderSpeedup(
  renderer: FrameRenderer,
  bruteForce: FrameRenderer,
  spec: TaskSpec,
  repetitions: Repetitions,
): Promise<SpeedupResult> {
  const bruteForceRates: number[] = []
  const speedup = await repeat(repetitions, () => {
    const bruteForceRate = renderFps(bruteForce, spec)
    bruteForceRates.push(bruteForceRate)
    return renderFps(renderer, spec) / bruteForceRate
  })
  return { bruteForceFps: summarize(bruteForceRates.slice(repetitions.warmups)), speedup }
}

/**
 * Frames per second of the float64 CPU reference: a plain escape-time loop per pixel in this
 * process, over every `stride`-th frame of `spec` because it is far slower than the shader.
 */
export function measureReference(
  spec: TaskSpec,
  stride: number,
  repetitions: Repetitions,
): Promise<Summary> {
  const indices = Array.from({ length: frameCount(spec) }, (_, i) => i).filter(
    (i) => i % stride === 0,
  )
  return repeat(repetitions, () => {
    const started = performance.now()
    for (const i of indices) renderReferenceFrame(spec, i)
    return indices.length / ((performance.now() - started) / 1000)
  })
}

/** Renders every frame of `spec` into memory, for the encoder benchmark. */
export function renderAll(renderer: FrameRenderer, spec: TaskSpec): Uint8Array[] {
  return Array.from({ length: frameCount(spec) }, (_, i) => renderer.renderFrame(spec, i).slice())
}

function scratchVideo(name: string): string {
  return join(tmpdir(), `fas-bench-${process.pid}-${name}.mp4`)
}

/** Frames per second of ffmpeg alone, encoding frames that are already in memory. */
export function measureEncode(
  frames: readonly Uint8Array[],
  spec: TaskSpec,
  ffmpegPath: string,
  repetitions: Repetitions,
): Promise<Summary> {
  const outPath = scratchVideo('encode')
  return repeat(repetitions, async () => {
    const started = performance.now()
    const encoder = await VideoEncoder.start({
      ffmpegPath,
      width: spec.width,
      height: spec.height,
      fps: spec.fps,
      outPath,
    })
    for (const frame of frames) await encoder.write(frame)
    await encoder.finish()
    const fps = frames.length / ((performance.now() - started) / 1000)
    await rm(outPath, { force: true })
    return fps
  })
}

/** Rendering and encoding together: wall time and the machine's CPU use while it ran. */
export interface PipelineResult {
  seconds: Summary
  /** Busy share of all cores during the runs, from /proc/stat: 1 means every core was busy. */
  cpuBusyFraction: Summary
}

/** Measures `renderVideo`, the worker's render-and-encode pipeline, on `spec`. */
export async function measurePipeline(
  renderer: FrameRenderer,
  spec: TaskSpec,
  ffmpegPath: string,
  repetitions: Repetitions,
): Promise<PipelineResult> {
  const outPath = scratchVideo('pipeline')
  const busy: number[] = []
  const seconds = await repeat(repetitions, async () => {
    const before = await cpuTicks()
    const started = performance.now()
    await renderVideo({ renderer, spec, ffmpegPath, outPath })
    const elapsed = (performance.now() - started) / 1000
    const after = await cpuTicks()
    busy.push((after.busy - before.busy) / (after.total - before.total))
    await rm(outPath, { force: true })
    return elapsed
  })
  const measuredBusy = busy.slice(repetitions.warmups)
  return { seconds, cpuBusyFraction: summarize(measuredBusy) }
}
