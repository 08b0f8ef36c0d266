import * as v from 'valibot'

import { TaskSpecSchema } from '../../shaders/catalogue.js'
import type { TaskSpec, TaskSpecInput } from '../../shaders/catalogue.js'

/**
 * Parses a small spec for tests: 64x48 pixels, 12 frames at 24 fps, c = -0.8 - 0.18i, with
 * `fields` replacing any of these and the schema filling in the rest.
 */
export function testSpec(fields: Partial<TaskSpecInput> = {}): TaskSpec {
  return v.parse(TaskSpecSchema, {
    c: { re: -0.8, im: -0.18 },
    width: 64,
    height: 48,
    fps: 24,
    durationSeconds: 0.5,
    ...fields,
  })
}
