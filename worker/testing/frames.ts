/**
 * Builds an RGBA test frame, top row first: a diagonal gradient that moves with `index`, so
 * consecutive frames differ and an encoder has motion to code.
 */
export function gradientFrame(width: number, height: number, index: number): Uint8Array {
  const frame = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 4
      frame[offset] = (x + index * 4) & 255
      frame[offset + 1] = (y * 2) & 255
      frame[offset + 2] = (x + y) & 255
      frame[offset + 3] = 255
    }
  }
  return frame
}
