import { readFile } from 'node:fs/promises'

import type { Uniforms } from './fractal.js'
import type { WebGL, WebGLProgramHandle, WebGLShaderHandle, WebGLUniformHandle } from './webgl.js'

/** Vertex attribute index of `a_position` in every program, so one vertex buffer serves all. */
export const POSITION_ATTRIBUTE = 0

/** File name of the vertex shader that every fractal is drawn with. */
export const VERTEX_SHADER_FILE = 'fullscreen.vert'

/** Lines shown before and after each line that the compiler's info log names. */
const CONTEXT_LINES = 4

/**
 * Raised when a shader fails to compile or a program fails to link. Retrying cannot help, so
 * callers should treat it as permanent. The message contains the driver's info log and the
 * numbered source lines it refers to.
 */
export class ShaderCompileError extends Error {
  override readonly name = 'ShaderCompileError'
  readonly code = 'shader_compile_failed'
}

/**
 * Reads a GLSL file from the folder of this module: `shaders/` when run from source with tsx,
 * `dist/shaders/` in a build, which must copy the `.frag` and `.vert` files there.
 */
export function readShaderSource(fileName: string): Promise<string> {
  return readFile(new URL(fileName, import.meta.url), 'utf8')
}

/** GLSL sources of one program. */
export interface ProgramSources {
  /** Name for error messages, usually the fragment shader's file name. */
  name: string
  vertexSource: string
  fragmentSource: string
  /** Preprocessor macros defined for both shaders, such as `{ ENCODE_SMOOTH_COUNT: 1 }`. */
  defines?: Readonly<Record<string, string | number>>
}

interface UniformSlot {
  location: WebGLUniformHandle
  /** Number of float components: 1 for `float`, 2 to 4 for `vec2` to `vec4`, 0 otherwise. */
  components: number
}

/** A linked program with the locations of its active uniforms. */
export class ShaderProgram {
  readonly #gl: WebGL
  readonly #uniforms: ReadonlyMap<string, UniformSlot>
  readonly handle: WebGLProgramHandle

  constructor(gl: WebGL, handle: WebGLProgramHandle) {
    this.#gl = gl
    this.handle = handle
    this.#uniforms = activeUniforms(gl, handle)
  }

  /**
   * Sets uniforms of this program, which must be the one in use. A name that is not an active
   * uniform is skipped, because compilers drop uniforms that do not affect the output (the
   * palette under `ENCODE_SMOOTH_COUNT`, for example).
   *
   * @throws TypeError when a value's length does not match the uniform's type.
   */
  setUniforms(uniforms: Uniforms): void {
    const gl = this.#gl
    for (const name in uniforms) {
      const slot = this.#uniforms.get(name)
      if (slot === undefined) continue

      const value = uniforms[name] as number | readonly number[]
      const length = typeof value === 'number' ? 1 : value.length
      if (slot.components === 0) {
        throw new TypeError(`uniform ${name} is not a float or vec2 to vec4, so it cannot be set`)
      }
      if (length !== slot.components) {
        throw new TypeError(
          `uniform ${name} expects ${slot.components} components, but the value has ${length}`,
        )
      }

      if (typeof value === 'number') gl.uniform1f(slot.location, value)
      else if (length === 2) gl.uniform2fv(slot.location, value)
      else if (length === 3) gl.uniform3fv(slot.location, value)
      else gl.uniform4fv(slot.location, value)
    }
  }

  delete(): void {
    this.#gl.deleteProgram(this.handle)
  }
}

/**
 * Compiles and links a program, binding `a_position` to `POSITION_ATTRIBUTE`.
 *
 * @throws ShaderCompileError when either shader fails to compile or the program fails to link.
 */
export function compileProgram(gl: WebGL, sources: ProgramSources): ShaderProgram {
  const vertexShader = compileShader(gl, gl.VERTEX_SHADER, sources)
  let fragmentShader: WebGLShaderHandle
  try {
    fragmentShader = compileShader(gl, gl.FRAGMENT_SHADER, sources)
  } catch (error) {
    gl.deleteShader(vertexShader)
    throw error
  }

  const program = gl.createProgram()
  if (program === null) throw new Error('gl.createProgram() failed: the context may be lost')
  gl.attachShader(program, vertexShader)
  gl.attachShader(program, fragmentShader)
  gl.bindAttribLocation(program, POSITION_ATTRIBUTE, 'a_position')
  gl.linkProgram(program)
  // A linked program keeps working after its shaders are deleted.
  gl.deleteShader(vertexShader)
  gl.deleteShader(fragmentShader)

  if (gl.getProgramParameter(program, gl.LINK_STATUS) !== true) {
    const log = gl.getProgramInfoLog(program) ?? ''
    gl.deleteProgram(program)
    throw new ShaderCompileError(
      `Failed to link program ${sources.name}:\n${log.trim()}\n` +
        `vertex shader:\n${numberLines(sources.vertexSource)}\n` +
        `fragment shader:\n${numberLines(sources.fragmentSource)}`,
    )
  }
  return new ShaderProgram(gl, program)
}

function compileShader(gl: WebGL, type: number, sources: ProgramSources) {
  const isVertex = type === gl.VERTEX_SHADER
  const source = isVertex ? sources.vertexSource : sources.fragmentSource
  const shader = gl.createShader(type)
  if (shader === null) throw new Error('gl.createShader() failed: the context may be lost')
  gl.shaderSource(shader, withDefines(source, sources.defines ?? {}))
  gl.compileShader(shader)
  if (gl.getShaderParameter(shader, gl.COMPILE_STATUS) === true) return shader

  const log = gl.getShaderInfoLog(shader) ?? ''
  gl.deleteShader(shader)
  const kind = isVertex ? 'vertex' : 'fragment'
  throw new ShaderCompileError(
    `Failed to compile the ${kind} shader of ${sources.name}:\n${log.trim()}\n` +
      excerpt(source, log),
  )
}

/**
 * Puts `#define` lines before `source`, then `#line 1` so that the compiler numbers the lines of
 * `source` from 1. That also undoes the line that headless-gl 8 puts before every shader unless
 * WEBGL_draw_buffers is enabled (`#define gl_MaxDrawBuffers 1`), which would otherwise shift the
 * info log's line numbers. ANGLE, which compiles for headless-gl, numbers the line after
 * `#line N` as N.
 */
function withDefines(source: string, defines: Readonly<Record<string, string | number>>) {
  const lines = Object.entries(defines).map(([name, value]) => `#define ${name} ${value}\n`)
  return `${lines.join('')}#line 1\n${source}`
}

/** Numbers the lines of `source` that an info log names, with context, or all lines if none. */
function excerpt(source: string, log: string): string {
  const named = [...log.matchAll(/^\w+: \d+:(\d+):/gm)].map((match) => Number(match[1]))
  if (named.length === 0) return numberLines(source)

  const lineCount = source.split('\n').length
  const visibleLines = new Set<number>()
  for (const line of named) {
    const first = Math.max(1, line - CONTEXT_LINES)
    const last = Math.min(lineCount, line + CONTEXT_LINES)
    for (let n = first; n <= last; n++) visibleLines.add(n)
  }
  return numberLines(source, new Set(named), visibleLines)
}

/**
 * Numbers source lines from 1 as `  12 | text`, with `>` in place of the first space on
 * `markedLines`. With `visibleLines`, prints only those lines and `...` in each gap.
 */
export function numberLines(
  source: string,
  markedLines: ReadonlySet<number> = new Set(),
  visibleLines?: ReadonlySet<number>,
): string {
  const lines = source.split('\n')
  const width = String(lines.length).length
  const output: string[] = []
  let skipped = false
  lines.forEach((text, index) => {
    const number = index + 1
    if (visibleLines !== undefined && !visibleLines.has(number)) {
      if (!skipped) output.push('...')
      skipped = true
      return
    }
    skipped = false
    const mark = markedLines.has(number) ? '>' : ' '
    output.push(`${mark} ${String(number).padStart(width)} | ${text}`)
  })
  return output.join('\n')
}

function activeUniforms(gl: WebGL, program: WebGLProgramHandle): Map<string, UniformSlot> {
  const uniforms = new Map<string, UniformSlot>()
  const count = Number(gl.getProgramParameter(program, gl.ACTIVE_UNIFORMS))
  for (let index = 0; index < count; index++) {
    const info = gl.getActiveUniform(program, index)
    if (info === null) continue
    const location = gl.getUniformLocation(program, info.name)
    if (location === null) continue
    uniforms.set(info.name, { location, components: floatComponents(gl, info.type) })
  }
  return uniforms
}

function floatComponents(gl: WebGL, type: number): number {
  if (type === gl.FLOAT) return 1
  if (type === gl.FLOAT_VEC2) return 2
  if (type === gl.FLOAT_VEC3) return 3
  if (type === gl.FLOAT_VEC4) return 4
  return 0
}
