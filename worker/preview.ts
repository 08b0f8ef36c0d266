// Renders one frame of a TaskSpec to a PNG file with the real shaders, without any service:
//   npm run preview -- --c=-0.8,-0.18 --frame 0 --out frame.png [--watch]
import { watch } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { PNG } from 'pngjs'
import * as v from 'valibot'

import { TaskSpecSchema } from '../shaders/catalogue.js'
import type { TaskSpec } from '../shaders/catalogue.js'
import { frameCount } from '../shaders/spec.js'
import { FrameRenderer } from './render/renderer.js'

const USAGE = `Usage: npm run preview -- --c=RE,IM [options]

Renders one frame of a Julia animation to a PNG file.

  --c=RE,IM                  constant c of z -> z^2 + c at frame 0 (required)
  --frame N                  frame to render, from 0 (default 0)
  --out PATH                 PNG file to write (default frame.png)
  --width N, --height N      frame size in pixels, even (default 800x600)
  --center=RE,IM             centre of the view (default 0,0)
  --scale S                  half-height of the view in the complex plane (default 1.2)
  --max-iterations N         escape-time iteration limit (default 500)
  --palette NAME             colour palette (default classic)
  --fps N                    frames per second (default 24)
  --duration-seconds S       length of the animation (default 5)
  --radians-per-frame A      turn of c about the origin per frame (default 0.01)
  --still                    keep c fixed instead of orbiting
  --watch                    render again whenever a GLSL file in shaders/ changes
  --help                     print this text

Values that start with "-" need the --name=value form. The frame is drawn on the X display in
DISPLAY, or on an Xvfb server started for the run when DISPLAY is unset.`

/** Spec field paths and the flags that set them, for error messages. */
const FLAG_FOR_PATH: Record<string, string> = {
  c: '--c',
  'c.re': '--c',
  'c.im': '--c',
  center: '--center',
  'center.re': '--center',
  'center.im': '--center',
  maxIterations: '--max-iterations',
  durationSeconds: '--duration-seconds',
  'animation.radiansPerFrame': '--radians-per-frame',
}

/** Wait after a file change before rendering, in milliseconds, as editors may save in steps. */
const WATCH_DEBOUNCE_MS = 150

const OPTIONS = {
  c: { type: 'string' },
  frame: { type: 'string', default: '0' },
  out: { type: 'string', default: 'frame.png' },
  width: { type: 'string' },
  height: { type: 'string' },
  center: { type: 'string' },
  scale: { type: 'string' },
  'max-iterations': { type: 'string' },
  palette: { type: 'string' },
  fps: { type: 'string' },
  'duration-seconds': { type: 'string' },
  'radians-per-frame': { type: 'string' },
  still: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']

interface PreviewRequest {
  spec: TaskSpec
  frame: number
  out: string
  watch: boolean
}

/** Exit status for invalid command-line input, the usual code for usage errors. */
const EXIT_USAGE = 2

async function main(): Promise<number> {
  let flags: Flags
  try {
    flags = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    return EXIT_USAGE
  }
  if (flags.help) {
    console.log(USAGE)
    return 0
  }

  const request = parseRequest(flags)
  if (typeof request === 'string') {
    console.error(`${request}\nRun with --help for the options.`)
    return EXIT_USAGE
  }
  // The X display is the one environment setting this command reads.
  const display = process.env.DISPLAY || undefined
  return request.watch ? watchAndRender(request, display) : renderOnce(request, display)
}

/** Builds the request from the flags, or returns one line per invalid flag. */
function parseRequest(flags: Flags): PreviewRequest | string {
  const problems = new Map<string, string>()
  const complex = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined
    const value = complexFlag(text)
    if (value === undefined) problems.set(flag, `must be two numbers, RE,IM, got "${text}"`)
    return value
  }
  const input = withoutUndefined({
    c: complex('--c', flags.c),
    width: numberFlag(flags.width),
    height: numberFlag(flags.height),
    center: complex('--center', flags.center),
    scale: numberFlag(flags.scale),
    maxIterations: numberFlag(flags['max-iterations']),
    palette: flags.palette,
    fps: numberFlag(flags.fps),
    durationSeconds: numberFlag(flags['duration-seconds']),
    animation: flags.still
      ? { kind: 'still' }
      : withoutUndefined({
          kind: 'orbit',
          radiansPerFrame: numberFlag(flags['radians-per-frame']),
        }),
  })
  if (flags.still && flags['radians-per-frame'] !== undefined) {
    problems.set('--radians-per-frame', 'cannot be combined with --still')
  }

  const parsed = v.safeParse(TaskSpecSchema, input)
  for (const issue of parsed.issues ?? []) {
    const path = v.getDotPath(issue) ?? ''
    const flag = FLAG_FOR_PATH[path] ?? `--${path}`
    if (!problems.has(flag)) problems.set(flag, issue.message)
  }

  const frame = numberFlag(flags.frame) ?? 0
  if (!Number.isInteger(frame) || frame < 0) {
    problems.set('--frame', `must be a whole number of at least 0, got ${flags.frame}`)
  } else if (parsed.success && frame >= frameCount(parsed.output)) {
    const last = frameCount(parsed.output) - 1
    problems.set('--frame', `must be at most ${last}, the last frame of the animation`)
  }

  if (!parsed.success || problems.size > 0) {
    return [...problems].map(([flag, message]) => `invalid ${flag}: ${message}`).join('\n')
  }
  return { spec: parsed.output, frame, out: flags.out, watch: flags.watch }
}

async function renderOnce(request: PreviewRequest, display: string | undefined) {
  const renderer = await FrameRenderer.create({ display })
  try {
    await renderToPng(renderer, request)
    return 0
  } finally {
    await renderer.close()
  }
}

async function renderToPng(renderer: FrameRenderer, { spec, frame, out }: PreviewRequest) {
  const started = performance.now()
  const pixels = renderer.renderFrame(spec, frame)
  const rendered = performance.now()

  const png = new PNG({ width: spec.width, height: spec.height })
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  await writeFile(out, PNG.sync.write(png))
  const renderMs = (rendered - started).toFixed(1)
  const totalMs = (performance.now() - started).toFixed(1)
  console.log(
    `wrote ${out}: frame ${frame}, ${spec.width}x${spec.height}, ` +
      `rendered in ${renderMs} ms, ${totalMs} ms with PNG encoding`,
  )
}

/**
 * Renders, then renders again after every change to a GLSL file in `shaders/`, until SIGINT.
 * Errors, compile errors included, are printed and the watch goes on.
 */
async function watchAndRender(request: PreviewRequest, display: string | undefined) {
  const shaderDir = fileURLToPath(new URL('../shaders/', import.meta.url))
  let renderer: FrameRenderer | undefined
  const render = async () => {
    try {
      if (renderer === undefined) renderer = await FrameRenderer.create({ display })
      else await renderer.reloadShaders()
      await renderToPng(renderer, request)
    } catch (error) {
      console.error(error instanceof Error ? error.message : error)
    }
  }

  await render()
  console.log(`watching ${shaderDir} for GLSL changes; press Ctrl+C to stop`)
  let timer: NodeJS.Timeout | undefined
  let rendering = Promise.resolve()
  const watcher = watch(shaderDir, (_event, fileName) => {
    if (fileName === null || !/\.(frag|vert|glsl)$/.test(fileName)) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      rendering = rendering.then(render)
    }, WATCH_DEBOUNCE_MS)
  })

  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
  clearTimeout(timer)
  watcher.close()
  await rendering
  await renderer?.close()
  return 0
}

/** Parses `text` as a number. Blank text gives NaN, so that the schema rejects it. */
function numberFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  return text.trim() === '' ? Number.NaN : Number(text)
}

/** Parses `re,im`, or returns undefined when `text` is not two comma-separated values. */
function complexFlag(text: string): { re: number; im: number } | undefined {
  const [re, im, ...rest] = text.split(',')
  if (re === undefined || im === undefined || rest.length > 0) return undefined
  return { re: numberFlag(re) ?? Number.NaN, im: numberFlag(im) ?? Number.NaN }
}

/** Drops undefined fields, so that the schema fills in their defaults. */
function withoutUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined))
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  },
)
