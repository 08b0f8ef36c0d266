// One triangle that covers the whole viewport: the vertices (-1, -1), (3, -1) and (-1, 3) contain
// the clip-space square, and clipping trims the rest. A two-triangle quad would have a shared
// diagonal, along which the 2x2 pixel blocks that GPUs shade together are shaded once per
// triangle. Fragment shaders read gl_FragCoord, so no varyings are needed.

attribute vec2 a_position;

void main() {
  gl_Position = vec4(a_position, 0.0, 1.0);
}
