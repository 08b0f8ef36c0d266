import * as v from 'valibot'

import type { BaseSpec } from './fractal.js'
import { paletteNames } from './palettes.js'

/** Largest width or height accepted, in pixels (4K UHD is 3840x2160). */
export const MAX_DIMENSION = 4096

/** Maximum animation duration accepted, in seconds. */
export const MAX_DURATION_SECONDS = 600

/** Highest frame rate accepted, in frames per second. */
export const MAX_FPS = 120

/** Highest escape-time iteration count accepted. The shader's loop bound matches it. */
export const MAX_ITERATIONS = 10_000

/** Schema of a point in the complex plane, `{ re, im }`. */
export function complexSchema(limit: number) {
  const part = v.pipe(
    v.number('must be a number'),
    v.finite('must be a finite number'),
    v.minValue(-limit, `must be at least ${-limit}`),
    v.maxValue(limit, `must be at most ${limit}`),
  )
  return v.strictObject({ re: part, im: part }, objectMessage(['re', 'im']))
}

function dimensionSchema(fallback: number) {
  return v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number of pixels'),
      v.minValue(16, 'must be at least 16 pixels'),
      v.maxValue(MAX_DIMENSION, `must be at most ${MAX_DIMENSION} pixels`),
      // H.264 with 4:2:0 chroma subsampling stores chroma at half resolution.
      v.multipleOf(2, 'must be even, because H.264 yuv420p needs even sizes'),
    ),
    fallback,
  )
}

/**
 * Fields that every fractal in the catalogue accepts, with their defaults: a five-second
 * 800x600 animation at 24 frames per second.
 */
export const commonSpecEntries = {
  width: dimensionSchema(800),
  height: dimensionSchema(600),
  fps: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number of frames per second'),
      v.minValue(1, 'must be at least 1 frame per second'),
      v.maxValue(MAX_FPS, `must be at most ${MAX_FPS} frames per second`),
    ),
    24,
  ),
  durationSeconds: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.finite('must be a finite number'),
      v.gtValue(0, 'must be greater than 0 seconds'),
      v.maxValue(MAX_DURATION_SECONDS, `must be at most ${MAX_DURATION_SECONDS} seconds`),
    ),
    5,
  ),
  maxIterations: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(MAX_ITERATIONS, `must be at most ${MAX_ITERATIONS}`),
    ),
    500,
  ),
  scale: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.finite('must be a finite number'),
      // NOTE: a highp float has a 24-bit mantissa, so the shader resolves points about
      // |z| * 1.2e-7 apart. Near this bound, tall frames or views far from the origin have
      // pixels closer than that, and neighbouring pixels then get the same colour.
      v.minValue(1e-4, 'must be at least 0.0001'),
      v.maxValue(100, 'must be at most 100'),
      v.description('Half-height of the view in the complex plane'),
    ),
    1.2,
  ),
  center: v.optional(complexSchema(4), { re: 0, im: 0 }),
  palette: v.optional(
    v.picklist(paletteNames, `must be one of: ${paletteNames.join(', ')}`),
    'classic',
  ),
} as const

/**
 * Builds the messages of a strict object schema: for a key that the object does not define
 * (naming the keys it does), for a required key that is missing, and for a value that is not an
 * object.
 */
export function objectMessage(allowed: readonly string[]) {
  return (issue: v.BaseIssue<unknown>) => {
    if (issue.expected === 'never') {
      return `unknown field "${String(issue.input)}": expected one of ${allowed.join(', ')}`
    }
    if (issue.input === undefined && issue.path !== undefined) return 'is required'
    return 'must be an object'
  }
}

/**
 * Builds the message of a variant schema whose discriminator must be one of `options`. An issue
 * with a path is about the discriminator, and one without is about the value itself.
 */
export function variantMessage(options: readonly string[]) {
  return (issue: v.BaseIssue<unknown>) =>
    issue.path?.length ? `must be one of: ${options.join(', ')}` : 'must be an object'
}

/** Number of frames in the animation: `round(fps * durationSeconds)`. */
export function frameCount(spec: Pick<BaseSpec, 'fps' | 'durationSeconds'>): number {
  return Math.round(spec.fps * spec.durationSeconds)
}

/** Pixels the animation has in all: `width * height * frames`. */
export function pixelCount(spec: BaseSpec): number {
  return spec.width * spec.height * frameCount(spec)
}

/**
 * Upper bound on the work of one frame, in pixel iterations: `width * height * maxIterations`.
 * A frame is drawn by one blocking call, so this bounds how long the renderer holds its thread.
 */
export function frameWork(spec: BaseSpec): number {
  return spec.width * spec.height * spec.maxIterations
}

/**
 * Upper bound on the work a spec requests, in pixel iterations:
 * `width * height * frames * maxIterations`. The service compares it with its work budget.
 */
export function workCost(spec: BaseSpec): number {
  return spec.width * spec.height * frameCount(spec) * spec.maxIterations
}
