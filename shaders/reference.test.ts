import * as v from 'valibot'
import { describe, expect, test } from 'vitest'

import { TaskSpecSchema } from './catalogue.js'
import type { TaskSpecInput } from './catalogue.js'
import { palettes } from './palettes.js'
import { readShaderSource } from './program.js'
import {
  COUNTS_PER_PALETTE_CYCLE,
  ESCAPE_RADIUS_SQUARED,
  referenceRgba,
  renderReferenceFrame,
  smoothCount,
} from './reference.js'
import { MAX_ITERATIONS } from './spec.js'

/** Parses a 64x48 spec with `fields` applied. */
function testSpec(fields: Partial<TaskSpecInput>) {
  return v.parse(TaskSpecSchema, { c: { re: -0.8, im: -0.18 }, width: 64, height: 48, ...fields })
}

describe('renderReferenceFrame', () => {
  // With c = 0 the map is z -> z^2: points inside the unit circle never escape, and a point of
  // modulus r escapes at the first n with r^(2^n) > R = 256.
  const still = { kind: 'still' } as const

  test('c = 0 keeps the unit disc', () => {
    const spec = testSpec({ c: { re: 0, im: 0 }, scale: 2, animation: still })
    const frame = renderReferenceFrame(spec, 0)
    const centre = (spec.height / 2) * spec.width + spec.width / 2

    expect(frame.escapeCounts[centre]).toBe(0)
    expect(frame.smoothCounts[centre]).toBeNaN()
  })

  test('c = 0 escape count matches r^(2^n) > R', () => {
    const spec = testSpec({ c: { re: 0, im: 0 }, scale: 2, animation: still })
    const frame = renderReferenceFrame(spec, 0)
    // Centre of the top-left pixel, half a pixel in from the corner of the view.
    const pixelSize = (2 * spec.scale) / spec.height
    const re = (0.5 - spec.width / 2) * pixelSize
    const im = (spec.height / 2 - 0.5) * pixelSize
    const radius = Math.hypot(re, im)
    // r^(2^n) > 256 holds for every whole n above log2(ln 256 / ln r).
    const expected = Math.floor(Math.log2(Math.log(256) / Math.log(radius))) + 1

    expect(frame.escapeCounts[0]).toBe(expected)
  })

  test('row 0 is the top of the view', () => {
    // The view spans im in [0, 2], so its top rows lie outside the unit circle and its bottom
    // rows (around im = 0) inside it.
    const spec = testSpec({
      c: { re: 0, im: 0 },
      center: { re: 0, im: 1 },
      scale: 1,
      animation: still,
    })
    const frame = renderReferenceFrame(spec, 0)
    const middleColumn = spec.width / 2
    const top = frame.escapeCounts[middleColumn]
    const bottom = frame.escapeCounts[(spec.height - 1) * spec.width + middleColumn]

    expect(top).toBeGreaterThan(0)
    expect(bottom).toBe(0)
  })

  test('orbit turns c between frames', () => {
    const spec = testSpec({ animation: { kind: 'orbit', radiansPerFrame: 0.5 } })

    const first = renderReferenceFrame(spec, 0).escapeCounts
    const later = renderReferenceFrame(spec, 3).escapeCounts

    expect(later).not.toEqual(first)
  })
})

describe('smoothCount', () => {
  test('is n + 1 where |z| = R', () => {
    expect(smoothCount(7, ESCAPE_RADIUS_SQUARED)).toBeCloseTo(8, 12)
  })

  test('is n where |z| = R^2', () => {
    expect(smoothCount(7, ESCAPE_RADIUS_SQUARED ** 2)).toBeCloseTo(7, 12)
  })
})

describe('referenceRgba', () => {
  test('colours points that stay bounded opaque black', () => {
    const spec = testSpec({ c: { re: 0, im: 0 }, scale: 2, animation: { kind: 'still' } })
    const frame = renderReferenceFrame(spec, 0)
    const rgba = referenceRgba(frame, palettes.classic)
    const centre = ((spec.height / 2) * spec.width + spec.width / 2) * 4

    expect([...rgba.subarray(centre, centre + 4)]).toEqual([0, 0, 0, 255])
  })

  test('colours escaped points with the cosine palette', () => {
    const frame = {
      width: 1,
      height: 1,
      escapeCounts: new Uint16Array([3]),
      smoothCounts: new Float64Array([0]),
    }
    // At t = 0 the classic palette is 0.5 + 0.5 cos(2 pi d) with d = (0, 0.1, 0.2).
    const channel = (d: number) => Math.round((0.5 + 0.5 * Math.cos(2 * Math.PI * d)) * 255)
    const expected = [channel(0), channel(0.1), channel(0.2)]

    expect([...referenceRgba(frame, palettes.classic)]).toEqual([...expected, 255])
  })
})

describe('julia.frag constants', () => {
  /** Reads `const float NAME = VALUE;` from the shader source. */
  async function shaderConstant(name: string): Promise<number> {
    const source = await readShaderSource('julia.frag')
    const match = new RegExp(`const float ${name} = ([\\d.]+);`).exec(source)
    if (match?.[1] === undefined) throw new Error(`julia.frag defines no constant ${name}`)
    return Number(match[1])
  }

  test('loop bound matches MAX_ITERATIONS', async () => {
    expect(await shaderConstant('MAX_ITERATIONS')).toBe(MAX_ITERATIONS)
  })

  test('escape radius matches the reference', async () => {
    expect(await shaderConstant('ESCAPE_RADIUS_SQUARED')).toBe(ESCAPE_RADIUS_SQUARED)
    const log2RadiusSquared = Math.log2(ESCAPE_RADIUS_SQUARED)
    expect(await shaderConstant('LOG2_ESCAPE_RADIUS_SQUARED')).toBe(log2RadiusSquared)
  })

  test('palette cycle matches the reference', async () => {
    expect(await shaderConstant('COUNTS_PER_PALETTE_CYCLE')).toBe(COUNTS_PER_PALETTE_CYCLE)
  })
})
