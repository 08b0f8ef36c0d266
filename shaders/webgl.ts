/**
 * The part of the WebGL 1 API that the shaders and the renderer call. The TypeScript
 * configuration includes no DOM library, so `@types/gl` resolves `WebGLRenderingContext` to
 * `any`, and this interface keeps those calls type-checked. A context from `gl` satisfies it.
 */
export interface WebGL {
  readonly COMPILE_STATUS: number
  readonly LINK_STATUS: number
  readonly VERTEX_SHADER: number
  readonly FRAGMENT_SHADER: number
  readonly ARRAY_BUFFER: number
  readonly STATIC_DRAW: number
  readonly FLOAT: number
  readonly FLOAT_VEC2: number
  readonly FLOAT_VEC3: number
  readonly FLOAT_VEC4: number
  readonly TRIANGLES: number
  readonly RGBA: number
  readonly UNSIGNED_BYTE: number
  readonly NO_ERROR: number
  readonly ACTIVE_UNIFORMS: number

  createShader(type: number): WebGLShaderHandle | null
  shaderSource(shader: WebGLShaderHandle, source: string): void
  compileShader(shader: WebGLShaderHandle): void
  getShaderParameter(shader: WebGLShaderHandle, name: number): unknown
  getShaderInfoLog(shader: WebGLShaderHandle): string | null
  deleteShader(shader: WebGLShaderHandle | null): void

  createProgram(): WebGLProgramHandle | null
  attachShader(program: WebGLProgramHandle, shader: WebGLShaderHandle): void
  bindAttribLocation(program: WebGLProgramHandle, index: number, name: string): void
  linkProgram(program: WebGLProgramHandle): void
  getProgramParameter(program: WebGLProgramHandle, name: number): unknown
  getProgramInfoLog(program: WebGLProgramHandle): string | null
  getActiveUniform(
    program: WebGLProgramHandle,
    index: number,
  ): { name: string; type: number; size: number } | null
  getUniformLocation(program: WebGLProgramHandle, name: string): WebGLUniformHandle | null
  useProgram(program: WebGLProgramHandle | null): void
  deleteProgram(program: WebGLProgramHandle | null): void

  uniform1f(location: WebGLUniformHandle, x: number): void
  uniform2fv(location: WebGLUniformHandle, value: ArrayLike<number>): void
  uniform3fv(location: WebGLUniformHandle, value: ArrayLike<number>): void
  uniform4fv(location: WebGLUniformHandle, value: ArrayLike<number>): void

  createBuffer(): WebGLBufferHandle | null
  bindBuffer(target: number, buffer: WebGLBufferHandle | null): void
  bufferData(target: number, data: Float32Array, usage: number): void
  enableVertexAttribArray(index: number): void
  vertexAttribPointer(
    index: number,
    size: number,
    type: number,
    normalized: boolean,
    stride: number,
    offset: number,
  ): void

  viewport(x: number, y: number, width: number, height: number): void
  drawArrays(mode: number, first: number, count: number): void
  readPixels(
    x: number,
    y: number,
    width: number,
    height: number,
    format: number,
    type: number,
    pixels: Uint8Array,
  ): void
  getError(): number
}

// Opaque handles: the brand keeps one kind of WebGL object from being passed as another.
export type WebGLShaderHandle = object & { readonly __brand?: 'WebGLShader' }
export type WebGLProgramHandle = object & { readonly __brand?: 'WebGLProgram' }
export type WebGLUniformHandle = object & { readonly __brand?: 'WebGLUniformLocation' }
export type WebGLBufferHandle = object & { readonly __brand?: 'WebGLBuffer' }
