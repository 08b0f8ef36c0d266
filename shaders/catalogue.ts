import * as v from 'valibot'

import { julia } from './julia.js'
import { variantMessage } from './spec.js'

export type { FractalEntry, Uniforms } from './fractal.js'

/** Every fractal the service renders, keyed by the `fractal` field of a TaskSpec. */
export const catalogue = { julia } as const

export type FractalName = keyof typeof catalogue

/**
 * Schema of a TaskSpec: the request body of `POST /v1/tasks`. The `fractal` field selects the
 * catalogue entry and defaults to `julia`; parsing fills in every other default.
 */
export const TaskSpecSchema = v.variant(
  'fractal',
  [julia.schema],
  variantMessage(Object.keys(catalogue)),
)

export type TaskSpecInput = v.InferInput<typeof TaskSpecSchema>
export type TaskSpec = v.InferOutput<typeof TaskSpecSchema>

/** Returns the catalogue entry that renders `spec`. */
export function fractalFor(spec: TaskSpec) {
  return catalogue[spec.fractal]
}
