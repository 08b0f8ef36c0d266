import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { palettes } from '../../shaders/palettes.js'
import { referenceRgba, renderReferenceFrame } from '../../shaders/reference.js'
import { testSpec } from '../testing/specs.js'
import { FrameRenderer } from './renderer.js'

/**
 * A view whose top and bottom differ: it spans im in [0.1, 2.1], so the Douady rabbit (c =
 * -0.123 + 0.745i) fills the bottom rows and the top rows show only the escape gradient.
 */
const asymmetric = testSpec({
  c: { re: -0.123, im: 0.745 },
  center: { re: 0, im: 1.1 },
  scale: 1,
  animation: { kind: 'still' },
})

function row(pixels: Uint8Array, width: number, y: number): number[] {
  return [...pixels.subarray(y * width * 4, (y + 1) * width * 4)]
}

function maxDifference(a: readonly number[], b: readonly number[]): number {
  return a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - (b[index] ?? 0))), 0)
}

describe('FrameRenderer.renderFrame', () => {
  let renderer: FrameRenderer

  beforeAll(async () => {
    renderer = await FrameRenderer.create()
  })

  afterAll(async () => {
    await renderer?.close()
  })

  test('returns width * height opaque RGBA pixels', () => {
    const spec = testSpec()

    const pixels = renderer.renderFrame(spec, 0)

    expect(pixels).toHaveLength(spec.width * spec.height * 4)
    expect(pixels.filter((_, index) => index % 4 === 3).every((alpha) => alpha === 255)).toBe(true)
  })

  test('first row is the top of the view', () => {
    const { width, height } = asymmetric
    const expected = referenceRgba(renderReferenceFrame(asymmetric, 0), palettes.classic)

    const pixels = renderer.renderFrame(asymmetric, 0)

    // The view really differs between top and bottom, so a flipped image cannot pass.
    const expectedTop = row(expected, width, 0)
    const expectedBottom = row(expected, width, height - 1)
    expect(maxDifference(expectedTop, expectedBottom)).toBeGreaterThan(50)
    expect(maxDifference(row(pixels, width, 0), expectedTop)).toBeLessThanOrEqual(2)
    expect(maxDifference(row(pixels, width, height - 1), expectedBottom)).toBeLessThanOrEqual(2)
  })

  test('reuses the output array for the same size', () => {
    const spec = testSpec()

    const first = renderer.renderFrame(spec, 0)
    const second = renderer.renderFrame(spec, 1)

    expect(second).toBe(first)
  })

  test('new size gets a new array and a matching image', () => {
    const large = renderer.renderFrame(testSpec(), 0)
    const largeCopy = Uint8Array.from(large)
    const small = testSpec({ c: { re: -0.123, im: 0.745 }, width: 32, height: 16 })

    const pixels = renderer.renderFrame(small, 0)
    const expected = referenceRgba(renderReferenceFrame(small, 0), palettes.classic)

    expect(pixels).not.toBe(large)
    expect(pixels).toHaveLength(32 * 16 * 4)
    expect(large).toEqual(largeCopy)
    expect(maxDifference([...pixels], [...expected])).toBeLessThanOrEqual(2)
  })

  test('orbit frames differ', () => {
    const spec = testSpec({ animation: { kind: 'orbit', radiansPerFrame: 0.3 } })

    const first = Uint8Array.from(renderer.renderFrame(spec, 0))
    const later = renderer.renderFrame(spec, 5)

    expect(later).not.toEqual(first)
  })

  test('rejects a negative frame index', () => {
    expect(() => renderer.renderFrame(testSpec(), -1)).toThrow(RangeError)
  })

  test('reloadShaders() keeps the output the same', async () => {
    const before = Uint8Array.from(renderer.renderFrame(asymmetric, 0))

    await renderer.reloadShaders()

    expect(renderer.renderFrame(asymmetric, 0)).toEqual(before)
  })
})
