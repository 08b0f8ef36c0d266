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
