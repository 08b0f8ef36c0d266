import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { writeFakeFfmpegs } from '../testing/fake-ffmpeg.js'
import { gradientFrame } from '../testing/frames.js'
import { probeVideo, topLevelAtoms } from '../testing/media.js'
import { childProcesses } from '../testing/processes.js'
import { EncoderError, VideoEncoder, resolveFfmpegPath } from './ffmpeg.js'

let folder: string
let fakes: Awaited<ReturnType<typeof writeFakeFfmpegs>>

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'encoder-test-'))
  fakes = await writeFakeFfmpegs()
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
  await rm(join(fakes.stall, '..'), { recursive: true, force: true })
})

async function encode(width: number, height: number, frames: number, outPath: string) {
  const options = { ffmpegPath: 'ffmpeg', width, height, fps: 24, outPath }
  const encoder = await VideoEncoder.start(options)
  for (let index = 0; index < frames; index++) {
    await encoder.write(gradientFrame(width, height, index))
  }
  await encoder.finish()
}

describe('resolveFfmpegPath', () => {
  test('returns the configured path', async () => {
    expect(await resolveFfmpegPath('/opt/ffmpeg/bin/ffmpeg')).toBe('/opt/ffmpeg/bin/ffmpeg')
  })

  test('falls back to ffmpeg-static, then PATH', async () => {
    const staticBinary = await import('ffmpeg-static' as string).then(
      (module: { default?: unknown }) => module.default,
      () => undefined,
    )
    const expected =
      typeof staticBinary === 'string' && existsSync(staticBinary) ? staticBinary : 'ffmpeg'

    expect(await resolveFfmpegPath()).toBe(expected)
    expect(await resolveFfmpegPath('')).toBe(expected)
  })
})

describe('VideoEncoder', () => {
  test('writes an H.264 MP4 that ffprobe accepts', async () => {
    const outPath = join(folder, 'short.mp4')

    await encode(64, 48, 12, outPath)
    const probe = await probeVideo(outPath)

    expect(probe.codec).toBe('h264')
    expect(probe.pixFmt).toBe('yuv420p')
    expect(probe.width).toBe(64)
    expect(probe.height).toBe(48)
    expect(probe.frames).toBe(12)
    expect(probe.durationSeconds).toBeCloseTo(0.5, 2)
  })

  test('puts moov before mdat', async () => {
    const outPath = join(folder, 'faststart.mp4')

    await encode(64, 48, 12, outPath)
    const atoms = topLevelAtoms(await readFile(outPath))

    expect(atoms).toContain('mdat')
    expect(atoms.indexOf('moov')).toBeGreaterThanOrEqual(0)
    expect(atoms.indexOf('moov')).toBeLessThan(atoms.indexOf('mdat'))
  })

  test('encodes frames larger than the pipe buffer', async () => {
    const outPath = join(folder, 'large.mp4')

    // Each 1280x720 frame is 3.7 MB, far more than a 64 kB pipe, so every write waits for drain.
    await encode(1280, 720, 24, outPath)

    expect((await probeVideo(outPath)).frames).toBe(24)
  })

  test('write() waits while ffmpeg does not read', async () => {
    const outPath = join(folder, 'stalled.mp4')
    const encoder = await VideoEncoder.start({
      ffmpegPath: fakes.stall,
      width: 1280,
      height: 720,
      fps: 24,
      outPath,
    })
    let settled = false
    const write = encoder.write(gradientFrame(1280, 720, 0)).finally(() => (settled = true))
    write.catch(() => undefined)

    await new Promise((resolve) => setTimeout(resolve, 300))

    expect(settled).toBe(false)

    await encoder.abort()

    await expect(write).rejects.toThrow(EncoderError)
  }, 10_000)

  test('rejects a second write before the first settles', async () => {
    const encoder = await VideoEncoder.start({
      ffmpegPath: fakes.stall,
      width: 1280,
      height: 720,
      fps: 24,
      outPath: join(folder, 'overlap.mp4'),
    })
    const first = encoder.write(gradientFrame(1280, 720, 0))
    first.catch(() => undefined)

    await expect(encoder.write(gradientFrame(1280, 720, 1))).rejects.toThrow(/previous write/)

    await encoder.abort()
  }, 10_000)

  test('rejects a frame of the wrong size', async () => {
    const encoder = await VideoEncoder.start({
      ffmpegPath: 'ffmpeg',
      width: 64,
      height: 48,
      fps: 24,
      outPath: join(folder, 'wrong-size.mp4'),
    })

    await expect(encoder.write(new Uint8Array(10))).rejects.toThrow(RangeError)

    await encoder.abort()
  })

  test('missing binary rejects start()', async () => {
    const start = VideoEncoder.start({
      ffmpegPath: '/nonexistent/ffmpeg',
      width: 64,
      height: 48,
      fps: 24,
      outPath: join(folder, 'missing.mp4'),
    })

    await expect(start).rejects.toThrow(/\/nonexistent\/ffmpeg not found/)
  })

  test('ffmpeg exiting early rejects write() with its stderr', async () => {
    const encoder = await VideoEncoder.start({
      ffmpegPath: fakes.fail,
      width: 640,
      height: 480,
      fps: 24,
      outPath: join(folder, 'failed.mp4'),
    })

    const writeAll = async () => {
      for (let index = 0; index < 10; index++) await encoder.write(gradientFrame(640, 480, index))
    }

    await expect(writeAll()).rejects.toThrow(/exit code 1[^]*invalid input data/)
  }, 10_000)

  test('ffmpeg exiting between writes rejects with its stderr', async () => {
    // 64x48 frames are 12 kB, so several fit in the pipe before ffmpeg exits, and later writes
    // start after its exit event but before its close event.
    const encoder = await VideoEncoder.start({
      ffmpegPath: fakes.failLingering,
      width: 64,
      height: 48,
      fps: 24,
      outPath: join(folder, 'failed-small.mp4'),
    })

    const writeAll = async () => {
      for (let index = 0; index < 200; index++) {
        await encoder.write(gradientFrame(64, 48, index))
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }

    await expect(writeAll()).rejects.toThrow(/exit code 1[^]*invalid input data/)
  }, 10_000)

  test('ffmpeg failing at the end rejects finish()', async () => {
    const outPath = join(folder, 'no-such-folder', 'out.mp4')
    const options = { ffmpegPath: 'ffmpeg', width: 64, height: 48, fps: 24, outPath }
    const encoder = await VideoEncoder.start(options)

    const run = async () => {
      for (let index = 0; index < 3; index++) await encoder.write(gradientFrame(64, 48, index))
      await encoder.finish()
    }

    await expect(run()).rejects.toThrow(/No such file or directory/)
  }, 10_000)

  test('ffmpeg killed mid-stream rejects write()', async () => {
    const encoder = await VideoEncoder.start({
      ffmpegPath: 'ffmpeg',
      width: 640,
      height: 480,
      fps: 24,
      outPath: join(folder, 'killed.mp4'),
    })
    await encoder.write(gradientFrame(640, 480, 0))
    const [pid] = await childProcesses('ffmpeg')

    process.kill(pid as number, 'SIGKILL')
    const writeMore = async () => {
      for (let index = 1; index < 100; index++) await encoder.write(gradientFrame(640, 480, index))
    }

    await expect(writeMore()).rejects.toThrow(/signal SIGKILL/)
  }, 10_000)

  test('abort() ends ffmpeg', async () => {
    const encoder = await VideoEncoder.start({
      ffmpegPath: 'ffmpeg',
      width: 64,
      height: 48,
      fps: 24,
      outPath: join(folder, 'aborted.mp4'),
    })
    await encoder.write(gradientFrame(64, 48, 0))

    await encoder.abort()

    expect(await childProcesses('ffmpeg')).toEqual([])
    await expect(encoder.write(gradientFrame(64, 48, 1))).rejects.toThrow(EncoderError)
  })
})
