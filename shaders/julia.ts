import * as v from 'valibot'

import type { FractalEntry, Uniforms } from './fractal.js'
import { palettes } from './palettes.js'
import { commonSpecEntries, complexSchema, objectMessage, variantMessage } from './spec.js'

const orbitSchema = v.strictObject(
  {
    kind: v.literal('orbit'),
    radiansPerFrame: v.optional(
      v.pipe(
        v.number('must be a number'),
        v.finite('must be a finite number'),
        v.minValue(-Math.PI, 'must be at least -pi'),
        v.maxValue(Math.PI, 'must be at most pi'),
      ),
      0.01,
    ),
  },
  objectMessage(['kind', 'radiansPerFrame']),
)

const stillSchema = v.strictObject({ kind: v.literal('still') }, objectMessage(['kind']))

const juliaEntries = {
  fractal: v.optional(v.literal('julia'), 'julia'),
  c: v.pipe(
    complexSchema(4),
    v.description('The constant c of z -> z^2 + c; the animation starts here'),
  ),
  ...commonSpecEntries,
  animation: v.optional(
    v.variant('kind', [orbitSchema, stillSchema], variantMessage(['orbit', 'still'])),
    { kind: 'orbit', radiansPerFrame: 0.01 },
  ),
}

const juliaSchema = v.strictObject(juliaEntries, objectMessage(Object.keys(juliaEntries)))

export type JuliaSpec = v.InferOutput<typeof juliaSchema>

/** Returns the constant c of frame `frameIndex`: `orbit` turns c about the origin. */
export function juliaConstant(spec: JuliaSpec, frameIndex: number): [number, number] {
  if (spec.animation.kind === 'still') return [spec.c.re, spec.c.im]

  const angle = spec.animation.radiansPerFrame * frameIndex
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  return [spec.c.re * cos - spec.c.im * sin, spec.c.re * sin + spec.c.im * cos]
}

function juliaUniforms(spec: JuliaSpec, frameIndex: number): Uniforms {
  const palette = palettes[spec.palette]
  return {
    u_resolution: [spec.width, spec.height],
    u_center: [spec.center.re, spec.center.im],
    u_scale: spec.scale,
    u_c: juliaConstant(spec, frameIndex),
    u_maxIterations: spec.maxIterations,
    u_paletteA: palette.a,
    u_paletteB: palette.b,
    u_paletteC: palette.c,
    u_paletteD: palette.d,
  }
}

/** Filled Julia sets of z -> z^2 + c, coloured by smooth escape time. */
export const julia: FractalEntry<typeof juliaSchema> = {
  name: 'julia',
  description: 'Filled Julia set of z -> z^2 + c, coloured by smooth escape time',
  fragmentShaderFile: 'julia.frag',
  schema: juliaSchema,
  uniforms: juliaUniforms,
}
