import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { TaskSpecInput } from '../../shaders/catalogue.js'
import { palettes } from '../../shaders/palettes.js'
import {
  ShaderCompileError,
  VERTEX_SHADER_FILE,
  compileProgram,
  readShaderSource,
} from '../../shaders/program.js'
import { referenceRgba, renderReferenceFrame } from '../../shaders/reference.js'
import { testSpec } from '../testing/specs.js'
import { openGlContext } from './gl-context.js'
import type { GlContext } from './gl-context.js'
import { FrameRenderer } from './renderer.js'

// Views of connected and of dust-like Julia sets, at several scales, centres and iteration limits.
const views: Partial<TaskSpecInput>[] = [
  { c: { re: -0.8, im: -0.18 }, scale: 1.2, maxIterations: 500 },
  { c: { re: -0.123, im: 0.745 }, scale: 1.3, maxIterations: 500 },
  { c: { re: 0.285, im: 0.01 }, scale: 0.4, center: { re: 0.2, im: 0.1 }, maxIterations: 500 },
  { c: { re: -0.4, im: 0.6 }, scale: 1.5, center: { re: 0, im: 0.5 }, maxIterations: 500 },
  { c: { re: -0.123, im: 0.745 }, scale: 0.05, center: { re: 0.2, im: 0.3 }, maxIterations: 2000 },
  { c: { re: -0.123, im: 0.745 }, scale: 1.3, maxIterations: 12 },
]

/** Decodes the ENCODE_SMOOTH_COUNT output of pixel `index`: NaN where z stayed bounded. */
function decodeCount(pixels: Uint8Array, index: number): number {
  const [r = 0, g = 0, b = 0, a = 0] = pixels.subarray(index * 4, index * 4 + 4)
  return a === 0 ? Number.NaN : (r * 65_536 + g * 256 + b) / 256
}

describe('julia.frag against the float64 reference', () => {
  let countRenderer: FrameRenderer
  let colourRenderer: FrameRenderer

  beforeAll(async () => {
    countRenderer = await FrameRenderer.create({ defines: { ENCODE_SMOOTH_COUNT: 1 } })
    colourRenderer = await FrameRenderer.create()
  })

  afterAll(async () => {
    await countRenderer?.close()
    await colourRenderer?.close()
  })

  // The shader iterates in float32 (24-bit mantissa). Each iteration multiplies a rounding error
  // by about |2z|, so only points that take many iterations to escape, close to the set, may
  // disagree.
  const viewName = 'c = $c.re, $c.im, scale $scale, $maxIterations iterations'

  test.each(views)(`smooth counts agree at ${viewName}`, (view) => {
    const spec = testSpec({ ...view, animation: { kind: 'still' } })
    const reference = renderReferenceFrame(spec, 0)
    const pixels = countRenderer.renderFrame(spec, 0)

    let sameClass = 0
    let inside = 0
    let bothEscaped = 0
    let close = 0
    let fewestIterationsOfFarPixel = Number.POSITIVE_INFINITY
    for (let index = 0; index < spec.width * spec.height; index++) {
      const expected = reference.smoothCounts[index] ?? Number.NaN
      const actual = decodeCount(pixels, index)
      if (Number.isNaN(expected) === Number.isNaN(actual)) sameClass++
      if (Number.isNaN(expected)) inside++
      if (Number.isNaN(expected) || Number.isNaN(actual)) continue
      bothEscaped++
      // 0.01 allows for the 1/256 steps of the 8-bit fraction in the encoded count.
      if (Math.abs(actual - expected) < 0.01) close++
      else {
        const iterations = reference.escapeCounts[index] ?? 0
        fewestIterationsOfFarPixel = Math.min(fewestIterationsOfFarPixel, iterations)
      }
    }
    const classRate = sameClass / (spec.width * spec.height)
    const closeRate = close / bothEscaped
    const farPixels =
      close === bothEscaped
        ? 'none farther'
        : `farther ones escape after ${fewestIterationsOfFarPixel} or more iterations`
    console.log(
      `${describeView(view)}: ${inside} pixels inside, inside/escaped agree on ` +
        `${pct(classRate)} of pixels, smooth count within 0.01 on ${pct(closeRate)} of ` +
        `escaped pixels, ${farPixels}`,
    )

    expect(classRate).toBeGreaterThanOrEqual(0.99)
    expect(closeRate).toBeGreaterThanOrEqual(0.95)
    expect(fewestIterationsOfFarPixel).toBeGreaterThanOrEqual(20)
  })

  test.each(views)(`colours agree at ${viewName}`, (view) => {
    const spec = testSpec({ ...view, animation: { kind: 'still' } })
    const expected = referenceRgba(renderReferenceFrame(spec, 0), palettes[spec.palette])
    const actual = colourRenderer.renderFrame(spec, 0)

    let errorSum = 0
    let pixelsWithin2 = 0
    for (let pixel = 0; pixel < spec.width * spec.height; pixel++) {
      let worst = 0
      for (let channel = 0; channel < 4; channel++) {
        const index = pixel * 4 + channel
        const error = Math.abs((actual[index] ?? 0) - (expected[index] ?? 0))
        errorSum += error
        worst = Math.max(worst, error)
      }
      if (worst <= 2) pixelsWithin2++
    }
    const meanError = errorSum / actual.length
    const within2Rate = pixelsWithin2 / (spec.width * spec.height)
    console.log(
      `${describeView(view)}: mean channel error ` +
        `${meanError.toFixed(3)} of 255, ${pct(within2Rate)} of pixels within 2 on every channel`,
    )

    expect(meanError).toBeLessThan(1)
    expect(within2Rate).toBeGreaterThanOrEqual(0.97)
  })
})

describe('julia.frag iteration shortcuts', () => {
  let fastRenderer: FrameRenderer
  let bruteForceRenderer: FrameRenderer

  beforeAll(async () => {
    fastRenderer = await FrameRenderer.create()
    bruteForceRenderer = await FrameRenderer.create({ defines: { BRUTE_FORCE_ITERATION: 1 } })
  })

  afterAll(async () => {
    await fastRenderer?.close()
    await bruteForceRenderer?.close()
  })

  // Frames of the default animation (frame 119 has a large interior, where cycle detection
  // stops orbits early) and the views above, whose sets range from dust to large interiors.
  const frames: Array<[string, Partial<TaskSpecInput>, number]> = [
    ...[0, 30, 60, 90, 119].map((frame): [string, Partial<TaskSpecInput>, number] => [
      `default animation frame ${frame}`,
      { width: 200, height: 150, durationSeconds: 5 },
      frame,
    ]),
    ...views.map((view): [string, Partial<TaskSpecInput>, number] => [describeView(view), view, 0]),
    // Limits that are not a multiple of the block length, where many pixels escape near the limit.
    ...[13, 20, 31].map((maxIterations): [string, Partial<TaskSpecInput>, number] => [
      `${maxIterations} iterations`,
      { c: { re: -0.123, im: 0.745 }, scale: 1.3, maxIterations },
      0,
    ]),
  ]

  test.each(frames)('same image as brute force: %s', (_name, fields, frameIndex) => {
    const spec = testSpec(fields)
    const fast = fastRenderer.renderFrame(spec, frameIndex).slice()
    const bruteForce = bruteForceRenderer.renderFrame(spec, frameIndex)

    let differing = 0
    for (let i = 0; i < fast.length; i += 4) {
      const same =
        fast[i] === bruteForce[i] &&
        fast[i + 1] === bruteForce[i + 1] &&
        fast[i + 2] === bruteForce[i + 2]
      if (!same) differing++
    }
    expect(differing).toBe(0)
  })
})

describe('compileProgram', () => {
  let context: GlContext
  let vertexSource: string

  beforeAll(async () => {
    context = await openGlContext(1, 1, undefined)
    vertexSource = await readShaderSource(VERTEX_SHADER_FILE)
  })

  afterAll(async () => {
    await context?.release()
  })

  const brokenFragment = [
    'precision highp float;',
    'uniform float u_value;',
    'void main() {',
    '  gl_FragColor = vec4(u_value)',
    '}',
  ].join('\n')

  test('syntax error throws ShaderCompileError', () => {
    const sources = { name: 'broken.frag', vertexSource, fragmentSource: brokenFragment }

    const compile = () => compileProgram(context.gl, sources)

    expect(compile).toThrow(ShaderCompileError)
  })

  test('compile error names the source line', () => {
    const error = catchError(() =>
      compileProgram(context.gl, {
        name: 'broken.frag',
        vertexSource,
        fragmentSource: brokenFragment,
        defines: { FIRST: 1, SECOND: 2 },
      }),
    )

    expect(error).toBeInstanceOf(ShaderCompileError)
    expect((error as ShaderCompileError).code).toBe('shader_compile_failed')
    // The missing semicolon surfaces at the closing brace, line 5 of the source.
    expect(error.message).toMatch(/^Failed to compile the fragment shader of broken\.frag/)
    expect(error.message).toMatch(/ERROR: 0:5:/)
    expect(error.message).toContain('  4 |   gl_FragColor = vec4(u_value)')
    expect(error.message).toContain('> 5 | }')
  })

  test('link error throws ShaderCompileError', () => {
    const fragmentSource = [
      'precision highp float;',
      'varying vec2 v_missing;',
      'void main() {',
      '  gl_FragColor = vec4(v_missing, 0.0, 1.0);',
      '}',
    ].join('\n')

    const error = catchError(() =>
      compileProgram(context.gl, { name: 'unlinked.frag', vertexSource, fragmentSource }),
    )

    expect(error).toBeInstanceOf(ShaderCompileError)
    expect(error.message).toMatch(/^Failed to link program unlinked\.frag/)
    expect(error.message).toContain('  2 | varying vec2 v_missing;')
  })

  test('setUniforms rejects a value of the wrong length', () => {
    const fragmentSource = [
      'precision highp float;',
      'uniform vec2 u_pair;',
      'void main() {',
      '  gl_FragColor = vec4(u_pair, 0.0, 1.0);',
      '}',
    ].join('\n')
    const program = compileProgram(context.gl, { name: 'pair.frag', vertexSource, fragmentSource })
    context.gl.useProgram(program.handle)

    expect(() => program.setUniforms({ u_pair: 1 })).toThrow(/u_pair expects 2 components/)
    expect(() => program.setUniforms({ u_unused: 1, u_pair: [1, 2] })).not.toThrow()
    program.delete()
  })
})

function describeView(view: Partial<TaskSpecInput>): string {
  const { c, scale, maxIterations } = view
  return `c = (${c?.re}, ${c?.im}), scale ${scale}, ${maxIterations} iterations`
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`
}

function catchError(action: () => unknown): Error {
  try {
    action()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}
