// Filled Julia set of z -> z^2 + c, coloured by smooth escape time through a cosine palette.
// Points that stay within the escape radius for u_maxIterations iterations are black.
//
// Defines:
//   BRUTE_FORCE_ITERATION  test for escape after every step and skip cycle detection: the plain
//                        loop that the default one must match, for tests and the benchmark.
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

// Steps between escape tests. The three nested juliaStep() calls in iterate() must match it.
const float STEPS_PER_BLOCK = 3.0;

// Brent's cycle detection: the first reference point is taken after this many steps, and orbits
// closer than sqrt(CYCLE_TOLERANCE_SQUARED) = 1e-6 to it count as cycling. That is about ten
// float32 ulps at |z| = 1, loose enough for rounding noise on a converged cycle.
const float FIRST_REFERENCE_STEP = 24.0;
const float CYCLE_TOLERANCE_SQUARED = 1e-12;

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

// One step of the map z -> z^2 + c.
vec2 juliaStep(vec2 z) {
  return vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + u_c;
}

#ifdef BRUTE_FORCE_ITERATION
// Iterates z -> z^2 + c from z0 one step at a time, testing for escape after every step. Returns
// (n, |z_n|^2) for the first n with |z_n| > R, or (-1, 0) when that does not happen within
// u_maxIterations iterations.
vec2 iterate(vec2 z0) {
  vec2 z = z0;
  for (float n = 1.0; n <= MAX_ITERATIONS; n += 1.0) {
    if (n > u_maxIterations) break;
    z = juliaStep(z);
    float radiusSquared = dot(z, z);
    if (radiusSquared > ESCAPE_RADIUS_SQUARED) return vec2(n, radiusSquared);
  }
  return vec2(-1.0, 0.0);
}
#else
// Returns the same as the brute-force loop above with less work. Steps run in blocks of
// STEPS_PER_BLOCK with one escape test per block; on llvmpipe the per-step test and loop mask
// update cost about as much as the step itself. Once |z| > R with |c| <= 4 * sqrt(2), |z| only
// grows, so a block that ends outside R escaped inside it: the loop then replays the block from
// its start one step at a time to find the exact n. A block that overflows to inf or NaN fails
// the `<=` test in the same way.
//
// Points inside the set never escape and would run all u_maxIterations steps. Brent's cycle
// detection stops them early: z is compared with a reference point that is moved to the current
// z at doubling intervals, and an orbit that comes back within CYCLE_TOLERANCE of it has settled
// on an attracting cycle. NOTE: an escaping orbit that shadows a repelling cycle could come that
// close too and be drawn black; on the frames the tests compare, the image matches the
// brute-force loop exactly.
vec2 iterate(vec2 z0) {
  vec2 z = z0;
  float n = 0.0;
  vec2 cycleReference = z0;
  float nextReferenceStep = FIRST_REFERENCE_STEP;

  for (float block = 0.0; block < MAX_ITERATIONS; block += STEPS_PER_BLOCK) {
    if (n + STEPS_PER_BLOCK > u_maxIterations) break;
    vec2 blockStart = z;
    z = juliaStep(juliaStep(juliaStep(z)));
    if (!(dot(z, z) <= ESCAPE_RADIUS_SQUARED)) {
      z = blockStart;
      break;
    }
    n += STEPS_PER_BLOCK;

    vec2 fromReference = z - cycleReference;
    if (dot(fromReference, fromReference) < CYCLE_TOLERANCE_SQUARED) return vec2(-1.0, 0.0);
    if (n >= nextReferenceStep) {
      cycleReference = z;
      nextReferenceStep *= 2.0;
    }
  }

  // Replays an escaping block, or runs the last steps that do not fill a block.
  for (float i = 0.0; i < STEPS_PER_BLOCK; i += 1.0) {
    if (n >= u_maxIterations) break;
    n += 1.0;
    z = juliaStep(z);
    float radiusSquared = dot(z, z);
    if (radiusSquared > ESCAPE_RADIUS_SQUARED) return vec2(n, radiusSquared);
  }
  return vec2(-1.0, 0.0);
}
#endif

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
