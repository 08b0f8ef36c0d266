import type * as v from 'valibot'

/** Uniform values by name: a number is a `float`, an array of 2 to 4 numbers a `vec2` to `vec4`. */
export type Uniforms = Record<string, number | readonly number[]>

/** Fields that the spec of every catalogue entry contains, after defaults are filled in. */
export interface BaseSpec {
  fractal: string
  width: number
  height: number
  fps: number
  durationSeconds: number
  maxIterations: number
}

/** Request schema of one catalogue entry: a strict object whose output contains `BaseSpec`. */
export type SpecSchema = v.StrictObjectSchema<v.ObjectEntries, any>

/** One fractal of the catalogue: its shader, its request schema and its per-frame uniforms. */
export interface FractalEntry<
  Schema extends SpecSchema,
  Spec extends BaseSpec = v.InferOutput<Schema> & BaseSpec,
> {
  name: Spec['fractal']
  /** One line for the API reference. */
  description: string
  /** File name of the fragment shader, in the `shaders/` folder. */
  fragmentShaderFile: string
  /** Validates a request for this fractal and fills in its defaults. */
  schema: Schema
  /** Uniforms for frame `frameIndex` (0-based) of the animation that `spec` describes. */
  uniforms(spec: Spec, frameIndex: number): Uniforms
}
