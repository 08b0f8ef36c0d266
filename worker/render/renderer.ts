import { catalogue, fractalFor } from '../../shaders/catalogue.js'
import type { FractalName, TaskSpec } from '../../shaders/catalogue.js'
import {
  POSITION_ATTRIBUTE,
  VERTEX_SHADER_FILE,
  compileProgram,
  readShaderSource,
} from '../../shaders/program.js'
import type { ShaderProgram } from '../../shaders/program.js'
import { openGlContext } from './gl-context.js'
import type { GlContext } from './gl-context.js'

export interface FrameRendererOptions {
  /**
   * X display for headless-gl, such as `:0`, usually the configured `DISPLAY`. When undefined or
   * empty, the renderer starts Xvfb and stops it on `close()` (see `openGlContext` for
   * renderers that share one process).
   */
  display?: string | undefined
  /** Preprocessor macros for every shader, such as `{ ENCODE_SMOOTH_COUNT: 1 }` for tests. */
  defines?: Readonly<Record<string, string | number>>
}

// Clip-space corners of one triangle that covers the viewport (see fullscreen.vert).
const FULL_SCREEN_TRIANGLE = new Float32Array([-1, -1, 3, -1, -1, 3])

/**
 * Draws frames of catalogue fractals with their fragment shaders on one headless WebGL context.
 * Every catalogue program is compiled when the renderer is created, so a broken shader fails at
 * start-up. Two tasks that render at the same time need a renderer each, because every
 * `renderFrame` call overwrites the array that the previous call returned.
 */
export class FrameRenderer {
  readonly #context: GlContext
  readonly #defines: Readonly<Record<string, string | number>>
  #programs: Map<FractalName, ShaderProgram>
  #activeProgram: ShaderProgram | undefined
  #width = 0
  #height = 0
  #pixels = new Uint8Array(0)
  #closed: Promise<void> | undefined

  private constructor(
    context: GlContext,
    programs: Map<FractalName, ShaderProgram>,
    defines: Readonly<Record<string, string | number>>,
  ) {
    this.#context = context
    this.#programs = programs
    this.#defines = defines
  }

  /**
   * Opens a WebGL context (starting Xvfb when `display` is undefined) and compiles every
   * catalogue program.
   *
   * @throws ShaderCompileError when a shader fails to compile or link.
   * @throws Error when no WebGL context can be created.
   */
  static async create(options: FrameRendererOptions = {}): Promise<FrameRenderer> {
    const defines = options.defines ?? {}
    const context = await openGlContext(1, 1, options.display)
    try {
      const programs = await compileCatalogue(context, defines)
      setUpFullScreenTriangle(context)
      return new FrameRenderer(context, programs, defines)
    } catch (error) {
      await context.release()
      throw error
    }
  }

  /** The X display that the context runs on. */
  get display(): string {
    return this.#context.display
  }

  /**
   * Draws frame `frameIndex` (0-based) of `spec` and reads it back as RGBA bytes, top row first,
   * `width * height * 4` long, ready for a PNG encoder or ffmpeg's `rgba` input.
   *
   * The returned array belongs to the renderer and is overwritten by the next call with the
   * same width and height, so copy it to keep a frame. A call with a new size allocates a new
   * array and leaves the previous one alone.
   */
  renderFrame(spec: TaskSpec, frameIndex: number): Uint8Array {
    if (this.#closed !== undefined) throw new Error('renderFrame() called after close()')
    if (!Number.isInteger(frameIndex) || frameIndex < 0) {
      throw new RangeError(`frameIndex must be a non-negative integer, got ${frameIndex}`)
    }
    const { gl } = this.#context
    this.#setSize(spec.width, spec.height)
    const program = this.#programs.get(spec.fractal)
    if (program === undefined) throw new Error(`no program for fractal ${spec.fractal}`)
    if (program !== this.#activeProgram) {
      gl.useProgram(program.handle)
      this.#activeProgram = program
    }

    program.setUniforms(fractalFor(spec).uniforms(spec, frameIndex))
    gl.drawArrays(gl.TRIANGLES, 0, 3)
    // The shader puts the top of the view in framebuffer row 0, the first row that readPixels
    // returns, so the bytes are already in top-down order and need no flip in JavaScript.
    gl.readPixels(0, 0, spec.width, spec.height, gl.RGBA, gl.UNSIGNED_BYTE, this.#pixels)
    const error = gl.getError()
    if (error !== gl.NO_ERROR) {
      throw new Error(`WebGL error 0x${error.toString(16)} while rendering ${spec.fractal}`)
    }
    return this.#pixels
  }

  /**
   * Reads the shader files again and recompiles every program, for live editing. The old
   * programs stay in use unless every new one compiles.
   *
   * @throws ShaderCompileError when a shader fails to compile or link.
   */
  async reloadShaders(): Promise<void> {
    if (this.#closed !== undefined) throw new Error('reloadShaders() called after close()')
    const programs = await compileCatalogue(this.#context, this.#defines)
    if (this.#closed !== undefined) return
    for (const program of this.#programs.values()) program.delete()
    this.#programs = programs
    this.#activeProgram = undefined
  }

  /**
   * Destroys the context, and stops the Xvfb that `create()` started once no other renderer
   * uses it. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#release()
    return this.#closed
  }

  async #release(): Promise<void> {
    // Destroying the context deletes its programs and buffers with it.
    this.#programs.clear()
    this.#pixels = new Uint8Array(0)
    await this.#context.release()
  }

  #setSize(width: number, height: number) {
    if (width === this.#width && height === this.#height) return
    this.#context.resize(width, height)
    this.#context.gl.viewport(0, 0, width, height)
    this.#pixels = new Uint8Array(width * height * 4)
    this.#width = width
    this.#height = height
  }
}

async function compileCatalogue(
  context: GlContext,
  defines: Readonly<Record<string, string | number>>,
): Promise<Map<FractalName, ShaderProgram>> {
  const vertexSource = await readShaderSource(VERTEX_SHADER_FILE)
  const programs = new Map<FractalName, ShaderProgram>()
  try {
    for (const name of Object.keys(catalogue) as FractalName[]) {
      const entry = catalogue[name]
      const fragmentSource = await readShaderSource(entry.fragmentShaderFile)
      const sources = { name: entry.fragmentShaderFile, vertexSource, fragmentSource, defines }
      programs.set(name, compileProgram(context.gl, sources))
    }
  } catch (error) {
    for (const program of programs.values()) program.delete()
    throw error
  }
  return programs
}

function setUpFullScreenTriangle({ gl }: GlContext) {
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer())
  gl.bufferData(gl.ARRAY_BUFFER, FULL_SCREEN_TRIANGLE, gl.STATIC_DRAW)
  gl.enableVertexAttribArray(POSITION_ATTRIBUTE)
  gl.vertexAttribPointer(POSITION_ATTRIBUTE, 2, gl.FLOAT, false, 0, 0)
}
