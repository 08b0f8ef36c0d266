import * as v from 'valibot'

import { TaskSpecSchema, type TaskSpec, type TaskSpecInput } from '../shaders/catalogue.js'

/** The request body of the default task: only c, so every other field takes its default. */
export const DEFAULT_REQUEST: TaskSpecInput = { c: { re: -0.8, im: -0.18 } }

/** The 1080p task of the end-to-end benchmark: 1920x1080, 30 fps, 10 seconds (300 frames). */
export const FULL_HD_REQUEST: TaskSpecInput = {
  ...DEFAULT_REQUEST,
  width: 1920,
  height: 1080,
  fps: 30,
  durationSeconds: 10,
}

/** The default task (120 frames of 800x600, 500 iterations) with its defaults filled in. */
export const defaultSpec: TaskSpec = v.parse(TaskSpecSchema, DEFAULT_REQUEST)

/** The default task's animation at 1920x1080. */
export const fullHdSpec: TaskSpec = v.parse(TaskSpecSchema, {
  ...DEFAULT_REQUEST,
  width: 1920,
  height: 1080,
})

/**
 * A view with a large interior (the Douady rabbit, c = -0.123 + 0.745i, held still): 24 frames
 * of 800x600 where 17% of the pixels never escape, so cycle detection matters most.
 */
export const interiorSpec: TaskSpec = v.parse(TaskSpecSchema, {
  c: { re: -0.123, im: 0.745 },
  animation: { kind: 'still' },
  durationSeconds: 1,
})
