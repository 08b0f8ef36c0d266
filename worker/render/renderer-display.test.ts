import { describe, expect, test } from 'vitest'

import { childProcesses, isProcessRunning } from '../testing/processes.js'
import { testSpec } from '../testing/specs.js'
import { FrameRenderer } from './renderer.js'
import { startXvfb } from './xvfb.js'

/** Returns the pid of the one Xvfb that this process started. */
async function onlyXvfb(): Promise<number> {
  const pids = await childProcesses('Xvfb')
  expect(pids).toHaveLength(1)
  return pids[0] as number
}

// headless-gl keeps one X connection per process, so these tests run in their own file (vitest
// gives each file its own process), and each closes every renderer it opens.
describe('FrameRenderer X display', () => {
  test('starts Xvfb without a display and stops it on close()', async () => {
    const renderer = await FrameRenderer.create()
    let pid: number
    try {
      pid = await onlyXvfb()

      expect(renderer.display).toMatch(/^:\d+$/)
      expect(renderer.renderFrame(testSpec(), 0)).toHaveLength(64 * 48 * 4)
    } finally {
      await renderer.close()
    }

    expect(await isProcessRunning(pid)).toBe(false)
  })

  test('close() is idempotent and stops rendering', async () => {
    const renderer = await FrameRenderer.create()

    await Promise.all([renderer.close(), renderer.close()])
    await renderer.close()

    expect(() => renderer.renderFrame(testSpec(), 0)).toThrow(/after close\(\)/)
    expect(await childProcesses('Xvfb')).toEqual([])
  })

  test('renderers share one Xvfb until the last closes', async () => {
    const first = await FrameRenderer.create()
    const second = await FrameRenderer.create()
    let pid: number
    try {
      pid = await onlyXvfb()

      expect(second.display).toBe(first.display)

      await first.close()

      expect(await isProcessRunning(pid)).toBe(true)
      expect(second.renderFrame(testSpec(), 0)).toHaveLength(64 * 48 * 4)
    } finally {
      await first.close()
      await second.close()
    }

    expect(await isProcessRunning(pid)).toBe(false)
  })

  test('given display is used and left running', async () => {
    const xvfb = await startXvfb()
    try {
      const renderer = await FrameRenderer.create({ display: xvfb.display })
      try {
        expect(renderer.display).toBe(xvfb.display)
        expect(renderer.renderFrame(testSpec(), 0)).toHaveLength(64 * 48 * 4)
      } finally {
        await renderer.close()
      }

      expect(await isProcessRunning(xvfb.pid)).toBe(true)
    } finally {
      await xvfb.stop()
    }
  })

  test('rejects a second display while connected', async () => {
    const renderer = await FrameRenderer.create()
    try {
      const other = FrameRenderer.create({ display: ':12345' })

      await expect(other).rejects.toThrow(/connected to X display :\d+, so it cannot use :12345\./)
    } finally {
      await renderer.close()
    }
  })

  test('empty display starts Xvfb', async () => {
    const renderer = await FrameRenderer.create({ display: '' })
    try {
      expect(await childProcesses('Xvfb')).toHaveLength(1)
    } finally {
      await renderer.close()
    }
  })

  test('unreachable display rejects', async () => {
    const create = FrameRenderer.create({ display: ':12345' })

    await expect(create).rejects.toThrow(/could not create a WebGL context on X display :12345/)
  })
})
