/** Colour of one escape-time value t: a + b * cos(2 * PI * (c * t + d)), per RGB channel. */
export interface CosinePalette {
  a: readonly [number, number, number]
  b: readonly [number, number, number]
  c: readonly [number, number, number]
  d: readonly [number, number, number]
}

/**
 * Named palettes for the cosine gradient that the fragment shaders evaluate. The coefficient sets
 * follow Inigo Quilez's "palettes" article (iquilezles.org/articles/palettes).
 */
export const palettes = {
  classic: { a: [0.5, 0.5, 0.5], b: [0.5, 0.5, 0.5], c: [1, 1, 1], d: [0, 0.1, 0.2] },
  rainbow: { a: [0.5, 0.5, 0.5], b: [0.5, 0.5, 0.5], c: [1, 1, 1], d: [0, 0.33, 0.67] },
  fire: { a: [0.5, 0.5, 0.5], b: [0.5, 0.5, 0.5], c: [1, 1, 0.5], d: [0.8, 0.9, 0.3] },
  ocean: { a: [0.5, 0.5, 0.5], b: [0.5, 0.5, 0.5], c: [1, 0.7, 0.4], d: [0, 0.15, 0.2] },
  grayscale: { a: [0.5, 0.5, 0.5], b: [0.5, 0.5, 0.5], c: [0.5, 0.5, 0.5], d: [0.5, 0.5, 0.5] },
} as const satisfies Record<string, CosinePalette>

export type PaletteName = keyof typeof palettes

export const paletteNames = Object.keys(palettes) as [PaletteName, ...PaletteName[]]
