import { createRequire } from 'node:module'

import createGL from 'gl'

import type { WebGL } from '../../shaders/webgl.js'
import { startXvfb } from './xvfb.js'
import type { Xvfb } from './xvfb.js'

/** A headless WebGL context and the X display it runs on. */
export interface GlContext {
  gl: WebGL
  /** The X display that headless-gl is connected to, such as `:1`. */
  display: string
  /** Resizes the drawing buffer, discarding its contents. */
  resize(width: number, height: number): void
  /**
   * Destroys the context. The last release in the process also disconnects headless-gl from the
   * X display and stops the Xvfb started for it. Idempotent.
   */
  release(): Promise<void>
}

interface Connection {
  display: string
  /** The server started for `display`, or undefined when the caller supplied the display. */
  xvfb: Xvfb | undefined
  contexts: number
}

interface NativeGl {
  /** Destroys every context and terminates the EGL display (headless-gl's exit handler). */
  cleanup(): void
}

// headless-gl opens the X display once per process, on the first context, and keeps it until
// its native cleanup() runs. It has no public API for that, so it is loaded from the module that
// registers it as headless-gl's own exit handler.
const require = createRequire(import.meta.url)
const nativeGl = (require('gl/src/javascript/native-gl.js') as { NativeWebGL: NativeGl })
  .NativeWebGL

let connection: Connection | undefined
// Opening and releasing run one at a time, so two callers never start two servers.
let pending: Promise<unknown> = Promise.resolve()

/**
 * Creates a WebGL context of `width` x `height` pixels with headless-gl. With `display`
 * undefined or empty (as an empty DISPLAY variable means no display) it starts an Xvfb server,
 * and otherwise it connects to `display`.
 *
 * Every context in a process shares one X connection, because headless-gl keeps the first
 * display it opened. While any context is open, later calls reuse that display and reject a
 * different `display`. Xlib ends the process when the X server goes away under an open
 * connection, so release() disconnects before it stops Xvfb.
 *
 * NOTE: an X server that dies on its own while a context is open still ends the process.
 *
 * @throws Error when Xvfb cannot start, when `display` differs from the display in use, or when
 * headless-gl cannot create a context (no usable X server or OpenGL driver).
 */
export function openGlContext(
  width: number,
  height: number,
  display: string | undefined,
): Promise<GlContext> {
  return serialized(() => open(width, height, display || undefined))
}

async function open(width: number, height: number, display: string | undefined) {
  if (connection !== undefined && display !== undefined && display !== connection.display) {
    throw new Error(
      `headless-gl is connected to X display ${connection.display}, so it cannot use ` +
        `${display}. Close every renderer first.`,
    )
  }

  const active = connection ?? (await connect(display))
  const gl = createContextOn(active.display, width, height)
  // headless-gl defines both extensions in JavaScript, so only a changed package lacks them.
  const resizer = gl?.getExtension('STACKGL_resize_drawingbuffer')
  const destroyer = gl?.getExtension('STACKGL_destroy_context')
  if (!gl || !resizer || !destroyer) {
    if (active.contexts === 0) await disconnect(active)
    throw new Error(
      gl
        ? 'headless-gl lacks the STACKGL_resize_drawingbuffer or STACKGL_destroy_context extension'
        : `headless-gl could not create a WebGL context on X display ${active.display}: check ` +
            'that the X server runs and that Mesa (Debian package libgl1-mesa-dri) is installed',
    )
  }
  active.contexts++
  connection = active

  let released: Promise<void> | undefined
  return {
    gl: gl as WebGL,
    display: active.display,
    resize: (newWidth: number, newHeight: number) => resizer.resize(newWidth, newHeight),
    release: () => {
      released ??= serialized(async () => {
        destroyer.destroy()
        active.contexts--
        if (active.contexts === 0) await disconnect(active)
      })
      return released
    },
  }
}

async function connect(display: string | undefined): Promise<Connection> {
  if (display !== undefined) return { display, xvfb: undefined, contexts: 0 }
  const xvfb = await startXvfb()
  return { display: xvfb.display, xvfb, contexts: 0 }
}

async function disconnect(active: Connection) {
  if (connection === active) connection = undefined
  nativeGl.cleanup()
  await active.xvfb?.stop()
}

/**
 * Creates a context on `display`. headless-gl reads the display from the DISPLAY variable when
 * it first connects, so the variable is set for the call and then restored.
 */
function createContextOn(display: string, width: number, height: number) {
  const previous = process.env.DISPLAY
  process.env.DISPLAY = display
  try {
    // No depth or stencil buffer: a full-screen triangle needs neither.
    return createGL(width, height, { alpha: true, depth: false, stencil: false, antialias: false })
  } finally {
    if (previous === undefined) delete process.env.DISPLAY
    else process.env.DISPLAY = previous
  }
}

function serialized<T>(task: () => Promise<T>): Promise<T> {
  const result = pending.then(task)
  pending = result.catch(() => undefined)
  return result
}
