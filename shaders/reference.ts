import { juliaConstant } from './julia.js'
import type { JuliaSpec } from './julia.js'
import type { CosinePalette } from './palettes.js'
import { palettes } from './palettes.js'

// The constants below repeat those of julia.frag, so change both files together.

/** Square of the escape radius R = 256. */
export const ESCAPE_RADIUS_SQUARED = 65_536

/** Smooth escape counts per full turn of the palette. */
export const COUNTS_PER_PALETTE_CYCLE = 32

const LOG2_ESCAPE_RADIUS_SQUARED = Math.log2(ESCAPE_RADIUS_SQUARED)

/**
 * Escape times of one frame computed in float64, with pixels in rows, top row first, the same
 * order as the renderer's RGBA output.
 */
export interface ReferenceFrame {
  width: number
  height: number
  /** Iteration n at which |z_n| first exceeded R, or 0 where z stayed bounded. */
  escapeCounts: Uint16Array
  /** Smooth count n + 1 - log2(log2|z_n|^2 / log2 R^2), or NaN where z stayed bounded. */
  smoothCounts: Float64Array
}

/**
 * Computes frame `frameIndex` of a Julia animation on the CPU in float64 with the math of
 * `julia.frag`: the same pixel-to-plane mapping, iteration, escape radius and smooth count.
 * The shader runs in float32, so pixels close to the set's boundary may differ.
 */
export function renderReferenceFrame(spec: JuliaSpec, frameIndex: number): ReferenceFrame {
  const { width, height, maxIterations } = spec
  const [cRe, cIm] = juliaConstant(spec, frameIndex)
  const pixelSize = (2 * spec.scale) / height
  const escapeCounts = new Uint16Array(width * height)
  const smoothCounts = new Float64Array(width * height).fill(Number.NaN)

  for (let y = 0; y < height; y++) {
    // Row 0 is the top of the view, where the imaginary part is largest.
    const im0 = spec.center.im - (y + 0.5 - height / 2) * pixelSize
    for (let x = 0; x < width; x++) {
      let re = spec.center.re + (x + 0.5 - width / 2) * pixelSize
      let im = im0
      for (let n = 1; n <= maxIterations; n++) {
        const nextRe = re * re - im * im + cRe
        im = 2 * re * im + cIm
        re = nextRe
        const radiusSquared = re * re + im * im
        if (radiusSquared > ESCAPE_RADIUS_SQUARED) {
          const index = y * width + x
          escapeCounts[index] = n
          smoothCounts[index] = smoothCount(n, radiusSquared)
          break
        }
      }
    }
  }
  return { width, height, escapeCounts, smoothCounts }
}

/** Continuous escape count: n + 1 where |z_n| = R, falling to n where |z_n| = R^2. */
export function smoothCount(n: number, radiusSquared: number): number {
  return n + 1 - Math.log2(Math.log2(radiusSquared) / LOG2_ESCAPE_RADIUS_SQUARED)
}

/**
 * Colours a reference frame as `julia.frag` does: the cosine palette of the smooth count for
 * escaped points, opaque black for the rest. Returns RGBA bytes, top row first.
 */
export function referenceRgba(frame: ReferenceFrame, palette: CosinePalette): Uint8Array {
  const rgba = new Uint8Array(frame.width * frame.height * 4)
  const colour: [number, number, number] = [0, 0, 0]
  frame.smoothCounts.forEach((count, index) => {
    if (Number.isNaN(count)) colour.fill(0)
    else paletteColour(palette, count / COUNTS_PER_PALETTE_CYCLE, colour)
    rgba.set(colour.map(toUnorm8), index * 4)
    rgba[index * 4 + 3] = 255
  })
  return rgba
}

/** Renders frame `frameIndex` of `spec` to RGBA bytes on the CPU, top row first. */
export function renderReferenceRgba(spec: JuliaSpec, frameIndex: number): Uint8Array {
  return referenceRgba(renderReferenceFrame(spec, frameIndex), palettes[spec.palette])
}

/** Writes a + b * cos(2 pi (c t + d)) of each RGB channel into `out`. */
function paletteColour(palette: CosinePalette, t: number, out: [number, number, number]) {
  for (let channel = 0; channel < 3; channel++) {
    const a = palette.a[channel] ?? 0
    const b = palette.b[channel] ?? 0
    const c = palette.c[channel] ?? 0
    const d = palette.d[channel] ?? 0
    out[channel] = a + b * Math.cos(2 * Math.PI * (c * t + d))
  }
}

/** Converts a colour channel to a byte, rounding to nearest as GPUs store normalised colours. */
function toUnorm8(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 255)
}
