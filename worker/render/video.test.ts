import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { palettes } from '../../shaders/palettes.js'
import { referenceRgba, renderReferenceFrame } from '../../shaders/reference.js'
import { EncoderError } from '../encode/ffmpeg.js'
import { writeFakeFfmpegs } from '../testing/fake-ffmpeg.js'
import { decodeFrame, probeVideo } from '../testing/media.js'
import { childProcesses } from '../testing/processes.js'
import { testSpec } from '../testing/specs.js'
import { FrameRenderer } from './renderer.js'
import { RenderCancelledError, renderVideo } from './video.js'

let folder: string
let renderer: FrameRenderer
let fakes: Awaited<ReturnType<typeof writeFakeFfmpegs>>

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'render-video-test-'))
  renderer = await FrameRenderer.create()
  fakes = await writeFakeFfmpegs()
})

afterAll(async () => {
  await renderer?.close()
  await rm(folder, { recursive: true, force: true })
  await rm(join(fakes.stall, '..'), { recursive: true, force: true })
})

/** Mean absolute difference per channel between an RGB image and the RGB part of an RGBA one. */
function meanDifference(rgb: Uint8Array, rgba: Uint8Array): number {
  let sum = 0
  for (let pixel = 0; pixel < rgb.length / 3; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      sum += Math.abs((rgb[pixel * 3 + channel] ?? 0) - (rgba[pixel * 4 + channel] ?? 0))
    }
  }
  return sum / rgb.length
}

/** Returns the image upside down. */
function flipRows(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const flipped = new Uint8Array(rgba.length)
  const rowBytes = width * 4
  for (let y = 0; y < height; y++) {
    flipped.set(rgba.subarray(y * rowBytes, (y + 1) * rowBytes), (height - 1 - y) * rowBytes)
  }
  return flipped
}

describe('renderVideo', () => {
  test('encodes every frame and reports progress', async () => {
    const spec = testSpec()
    const outPath = join(folder, 'full.mp4')
    const progress: number[] = []

    const result = await renderVideo({
      renderer,
      spec,
      ffmpegPath: 'ffmpeg',
      outPath,
      onProgress: async (framesDone) => {
        progress.push(framesDone)
        return true
      },
    })
    const probe = await probeVideo(outPath)

    expect(result.frames).toBe(12)
    expect(result.bytes).toBe((await stat(outPath)).size)
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(probe.codec).toBe('h264')
    expect(probe.frames).toBe(12)
    expect(probe.durationSeconds).toBeCloseTo(0.5, 2)
  })

  test('first video frame is upright', async () => {
    // The view spans im in [0.1, 2.1]: the set fills the bottom rows only.
    const spec = testSpec({
      c: { re: -0.123, im: 0.745 },
      center: { re: 0, im: 1.1 },
      scale: 1,
      animation: { kind: 'still' },
    })
    const outPath = join(folder, 'upright.mp4')
    const expected = referenceRgba(renderReferenceFrame(spec, 0), palettes[spec.palette])

    await renderVideo({ renderer, spec, ffmpegPath: 'ffmpeg', outPath })
    const decoded = await decodeFrame(outPath, 0)
    const upright = meanDifference(decoded.rgb, expected)
    const flipped = meanDifference(decoded.rgb, flipRows(expected, spec.width, spec.height))
    console.log(
      `decoded frame 0 differs by ${upright.toFixed(2)} from the upright reference and by ` +
        `${flipped.toFixed(2)} from the flipped one, per channel on average`,
    )

    // yuv420p halves the chroma resolution and x264 is lossy, so a small mean error is expected,
    // while a flipped image differs by far more.
    expect(upright).toBeLessThan(8)
    expect(flipped).toBeGreaterThan(upright * 4)
    const topRow = meanDifference(
      decoded.rgb.subarray(0, spec.width * 3),
      expected.subarray(0, spec.width * 4),
    )
    expect(topRow).toBeLessThan(8)
  })

  test('progress callback returning false cancels', async () => {
    const outPath = join(folder, 'cancelled.mp4')
    const progress: number[] = []

    const render = renderVideo({
      renderer,
      spec: testSpec(),
      ffmpegPath: 'ffmpeg',
      outPath,
      onProgress: (framesDone) => {
        progress.push(framesDone)
        return framesDone < 3
      },
    })

    await expect(render).rejects.toThrow(RenderCancelledError)
    expect(progress).toEqual([1, 2, 3])
    expect(existsSync(outPath)).toBe(false)
    expect(await childProcesses('ffmpeg')).toEqual([])
  })

  test('abort signal stops the render', async () => {
    const outPath = join(folder, 'aborted.mp4')
    const controller = new AbortController()

    const render = renderVideo({
      renderer,
      spec: testSpec(),
      ffmpegPath: 'ffmpeg',
      outPath,
      signal: controller.signal,
      onProgress: (framesDone) => {
        if (framesDone === 2) controller.abort()
      },
    })

    await expect(render).rejects.toMatchObject({ name: 'AbortError' })
    expect(existsSync(outPath)).toBe(false)
    expect(await childProcesses('ffmpeg')).toEqual([])
  })

  test('abort during a stalled write stops the render', async () => {
    const outPath = join(folder, 'stalled.mp4')
    const controller = new AbortController()
    const spec = testSpec({ width: 1280, height: 720 })

    const render = renderVideo({
      renderer,
      spec,
      ffmpegPath: fakes.stall,
      outPath,
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(), 300)

    await expect(render).rejects.toMatchObject({ name: 'AbortError' })
  }, 10_000)

  test('aborted signal rejects before starting ffmpeg', async () => {
    const render = renderVideo({
      renderer,
      spec: testSpec(),
      ffmpegPath: '/nonexistent/ffmpeg',
      outPath: join(folder, 'never.mp4'),
      signal: AbortSignal.abort(),
    })

    await expect(render).rejects.toMatchObject({ name: 'AbortError' })
  })

  test('ffmpeg failure rejects and removes the partial file', async () => {
    const outPath = join(folder, 'partial.mp4')

    const render = renderVideo({
      renderer,
      spec: testSpec({ width: 640, height: 480 }),
      ffmpegPath: fakes.partial,
      outPath,
    })

    await expect(render).rejects.toThrow(EncoderError)
    await expect(render).rejects.toThrow(/stopped early/)
    expect(existsSync(outPath)).toBe(false)
  }, 10_000)

  test('missing ffmpeg rejects', async () => {
    const render = renderVideo({
      renderer,
      spec: testSpec(),
      ffmpegPath: '/nonexistent/ffmpeg',
      outPath: join(folder, 'missing.mp4'),
    })

    await expect(render).rejects.toThrow(/\/nonexistent\/ffmpeg not found/)
  })
})
