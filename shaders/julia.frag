// Filled Julia set of z -> z^2 + c, coloured by smooth escape time through a cosine palette.
// Points that stay within the escape radius for u_maxIterations iterations are black.
//
// Defines:
//   ENCODE_SMOOTH_COUNT  output the smooth escape count instead of a colour, for tests. RGB hold
//                        it, clamped to [0, 65535], as 24-bit fixed point with 8 fractional
//                        bits (R most significant), and A is 1 for escaped points, 0 for the rest.
//
// shaders/reference.ts computes the same values in float64, so change the two files together.

// ES 1.00 fragment shaders have no default float precision, and mediump may give only 10
// mantissa bits, which blurs the set after a few iterations.
precision highp float;

uniform vec2 u_resolution;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_c;
uniform float u_maxIterations;
uniform vec3 u_paletteA;
uniform vec3 u_paletteB;
uniform vec3 u_paletteC;
uniform vec3 u_paletteD;

// WebGL 1 requires loop bounds that are constant expressions (GLSL ES 1.00, Appendix A), so the
// loop runs to the largest count a TaskSpec accepts (MAX_ITERATIONS in shaders/spec.ts) and
// breaks at u_maxIterations. Browsers reject a uniform bound, though headless-gl 8 accepts it.
const float MAX_ITERATIONS = 10000.0;

// Escape radius R = 256. The smooth count assumes |z^2| >> |c| at escape, so a large R keeps the
// colour continuous across bands of equal n. The loop stops at the first |z| > R, so |z|^2 stays
// below about max(R, |z0|)^4, far inside the float range.
const float ESCAPE_RADIUS_SQUARED = 65536.0;
const float LOG2_ESCAPE_RADIUS_SQUARED = 16.0;

// Smooth escape counts per full turn of the palette.
const float COUNTS_PER_PALETTE_CYCLE = 32.0;

const float TWO_PI = 6.283185307179586;

// Maps a pixel centre to its point in the complex plane. Framebuffer row 0 (gl_FragCoord.y = 0.5)
// is the top row of the view, so imaginary parts decrease as y grows: glReadPixels returns row 0
// first, which then needs no flip to become the first row of a top-down image.
vec2 pixelToComplex(vec2 fragCoord) {
  float pixelSize = 2.0 * u_scale / u_resolution.y;
  vec2 offset = (fragCoord - 0.5 * u_resolution) * pixelSize;
  return u_center + vec2(offset.x, -offset.y);
}

// Iterates z -> z^2 + c from z0. Returns (n, |z_n|^2) for the first n with |z_n| > R, or
// (-1, 0) when that does not happen within u_maxIterations iterations.
vec2 iterate(vec2 z0) {
  vec2 z = z0;
  vec2 escape = vec2(-1.0, 0.0);
  for (float n = 1.0; n <= MAX_ITERATIONS; n += 1.0) {
    if (n > u_maxIterations) break;
    z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + u_c;
    float radiusSquared = dot(z, z);
    if (radiusSquared > ESCAPE_RADIUS_SQUARED) {
      escape = vec2(n, radiusSquared);
      break;
    }
  }
  return escape;
}

// Continuous escape count n + 1 - log2(log2|z_n|^2 / log2 R^2): it equals n + 1 where |z_n| = R
// and n where |z_n| = R^2, so colours blend across the bands of integer counts.
float smoothCount(float n, float radiusSquared) {
  return n + 1.0 - log2(log2(radiusSquared) / LOG2_ESCAPE_RADIUS_SQUARED);
}

// Cosine palette a + b * cos(2 pi (c t + d)). Taking fract() first keeps the argument of cos()
// within one period: the count reaches thousands, and a float argument that large loses the
// fractional digits that select the colour.
vec3 palette(float t) {
  return u_paletteA + u_paletteB * cos(TWO_PI * fract(u_paletteC * t + u_paletteD));
}

#ifdef ENCODE_SMOOTH_COUNT
vec4 encodeCount(float count) {
  float fixedPoint = floor(clamp(count, 0.0, 65535.0) * 256.0 + 0.5);
  float high = floor(fixedPoint / 65536.0);
  float middle = mod(floor(fixedPoint / 256.0), 256.0);
  float low = mod(fixedPoint, 256.0);
  return vec4(vec3(high, middle, low) / 255.0, 1.0);
}
#endif

void main() {
  vec2 escape = iterate(pixelToComplex(gl_FragCoord.xy));

#ifdef ENCODE_SMOOTH_COUNT
  if (escape.x < 0.0) {
    gl_FragColor = vec4(0.0);
    return;
  }
  gl_FragColor = encodeCount(smoothCount(escape.x, escape.y));
#else
  if (escape.x < 0.0) {
    gl_FragColor = vec4(0.0, 0.0, 0.0, 1.0);
    return;
  }
  float count = smoothCount(escape.x, escape.y);
  gl_FragColor = vec4(palette(count / COUNTS_PER_PALETTE_CYCLE), 1.0);
#endif
}
