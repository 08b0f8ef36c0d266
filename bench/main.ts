import { execFileSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'

import { frameCount } from '../shaders/spec.js'
import { resolveFfmpegPath } from '../worker/encode/ffmpeg.js'
import { FrameRenderer } from '../worker/render/renderer.js'
import { formatTable, type Row } from './report.js'
import { defaultSpec, fullHdSpec, interiorSpec } from './specs.js'
import { measureApi } from './stages/api.js'
import { measureEndToEnd } from './stages/end-to-end.js'
import {
  measureEncode,
  measurePipeline,
  measureReference,
  measureRender,
  measureShaderSpeedup,
  renderAll,
} from './stages/frames.js'
import type { Repetitions, Summary } from './stats.js'

const STAGES = ['frames', 'end-to-end', 'api'] as const
type Stage = (typeof STAGES)[number]

const usage = `Usage: npm run -s bench -- [--json] [--quick] [--runs N] [--stages ${STAGES.join(',')}]

Measures every stage of the service on this machine and prints a table, or with --json one JSON
object. It runs on the embedded defaults unless DATABASE_URL and REDIS_URL are set; then the
end-to-end and API stages run the API and a worker as separate processes on those servers (in a
new database and key prefix) and a local S3-protocol server.

  --json        print one JSON object on stdout; progress goes to stderr (npm run -s keeps
                npm's own header lines off stdout)
  --quick       one run per figure and no warm-up, to check that the benchmark works
  --runs N      kept runs per figure, after one warm-up run (default 5)
  --stages LIST comma-separated stages to run (default: all)`

function parseOptions() {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string', default: '5' },
      stages: { type: 'string', default: STAGES.join(',') },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new Error(`--runs must be a whole number from 1 to 100, got "${values.runs}"`)
  }
  const stages = values.stages.split(',').map((stage) => stage.trim())
  const unknown = stages.filter((stage) => !(STAGES as readonly string[]).includes(stage))
  if (unknown.length > 0) {
    throw new Error(`unknown stage ${unknown.join(', ')}: use ${STAGES.join(', ')}`)
  }
  return { json: values.json, quick: values.quick, runs, stages: new Set(stages as Stage[]) }
}

function describeMachine(ffmpegPath: string) {
  const ffmpeg = execFileSync(ffmpegPath, ['-version'], { encoding: 'utf8' }).split('\n')[0]
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    ffmpeg,
  }
}

async function main(): Promise<void> {
  const options = parseOptions()
  const log = (message: string) => console.error(`[bench] ${message}`)
  const service = process.env.DATABASE_URL !== undefined && process.env.REDIS_URL !== undefined
  const standard: Repetitions = options.quick
    ? { warmups: 0, runs: 1 }
    : { warmups: 1, runs: options.runs }
  const ffmpegPath = await resolveFfmpegPath(process.env.FFMPEG_PATH)

  const rows: Row[] = []
  const ranges: Record<string, Summary> = {}
  const output: Record<string, unknown> = {
    mode: service ? 'service' : 'embedded',
    machine: describeMachine(ffmpegPath),
  }
  const record = (key: string, stage: string, figure: string, unit: string, summary: Summary) => {
    ranges[key] = summary
    const row: Row = { stage, figure, unit, summary }
    rows.push(row)
    return row
  }
  const target = (row: Row, text: string, met: boolean) => {
    row.target = text
    row.met = met
  }

  if (options.stages.has('frames')) {
    log('rendering, reference, encoding and pipeline')
    const renderer = await FrameRenderer.create({ display: process.env.DISPLAY })
    const bruteForce = await FrameRenderer.create({
      display: renderer.display,
      defines: { BRUTE_FORCE_ITERATION: 1 },
    })
    try {
      const frames = frameCount(defaultSpec)
      const render = await measureRender(renderer, defaultSpec, standard)
      const renderHd = await measureRender(renderer, fullHdSpec, standard)
      const brute = await measureShaderSpeedup(renderer, bruteForce, defaultSpec, standard)
      const interior = await measureShaderSpeedup(renderer, bruteForce, interiorSpec, standard)
      const reference = await measureReference(defaultSpec, 20, standard)
      const inMemory = renderAll(renderer, defaultSpec)
      const encode = await measureEncode(inMemory, defaultSpec, ffmpegPath, standard)
      const pipeline = await measurePipeline(renderer, defaultSpec, ffmpegPath, standard)

      const megapixels = (defaultSpec.width * defaultSpec.height) / 1e6
      const megapixelsHd = (fullHdSpec.width * fullHdSpec.height) / 1e6
      target(
        record('renderFps.800x600', 'render', '800x600 fps', 'fps', render),
        '>= 200',
        render.median >= 200,
      )
      record('renderFps.1920x1080', 'render', '1920x1080 fps', 'fps', renderHd)
      record(
        'bruteForceRenderFps.800x600',
        'render',
        'brute-force shader 800x600',
        'fps',
        brute.bruteForceFps,
      )
      record('shaderSpeedup', 'render', 'shader speed-up over brute force', 'x', brute.speedup)
      record(
        'shaderSpeedupInterior',
        'render',
        'speed-up, view with large interior',
        'x',
        interior.speedup,
      )
      record('referenceFps', 'reference', 'float64 CPU loop 800x600', 'fps', reference)
      record('encodeFps', 'encode', 'ffmpeg from memory 800x600', 'fps', encode)
      record('pipelineSeconds', 'pipeline', 'render + encode, 120 frames', 's', pipeline.seconds)
      record('pipelineCpuBusy', 'pipeline', 'share of all cores busy', '', pipeline.cpuBusyFraction)

      const alone = Math.max(frames / render.median, frames / encode.median)
      const overlapRatio = pipeline.seconds.median / alone
      output.renderFps = { '800x600': render.median, '1920x1080': renderHd.median }
      output.renderMegapixelsPerSecond = {
        '800x600': render.median * megapixels,
        '1920x1080': renderHd.median * megapixelsHd,
      }
      output.bruteForceRenderFps = { '800x600': brute.bruteForceFps.median }
      output.shaderSpeedup = brute.speedup.median
      output.shaderSpeedupInterior = interior.speedup.median
      output.referenceFps = reference.median
      output.renderToReferenceRatio = render.median / reference.median
      output.encodeFps = encode.median
      output.pipelineSeconds = pipeline.seconds.median
      output.pipelineOverlapRatio = overlapRatio
      output.pipelineCpuBusy = pipeline.cpuBusyFraction.median
      const derived = { median: overlapRatio, min: overlapRatio, max: overlapRatio, runs: 1 }
      target(
        record('pipelineOverlapRatio', 'pipeline', 'time / max(render, encode)', '', derived),
        '<= 1.15',
        overlapRatio <= 1.15,
      )
    } finally {
      await bruteForce.close()
      await renderer.close()
    }
  }

  if (options.stages.has('end-to-end')) {
    log(`end to end (${service ? 'service' : 'embedded'} mode)`)
    const result = await measureEndToEnd({
      service,
      defaultRepetitions: standard,
      fullHdRepetitions: options.quick ? { warmups: 0, runs: 1 } : { warmups: 1, runs: 3 },
      soakTasks: options.quick ? 2 : 20,
    })
    const growth = result.rssAfterTasksMb - result.rssBeforeTasksMb
    target(
      record('endToEndSeconds.default', 'end to end', 'default task', 's', result.defaultSeconds),
      '<= 1.5',
      result.defaultSeconds.median <= 1.5,
    )
    target(
      record(
        'endToEndSeconds.1080p30x10s',
        'end to end',
        '1080p 30 fps 10 s',
        's',
        result.fullHdSeconds,
      ),
      '<= 20',
      result.fullHdSeconds.median <= 20,
    )
    const peak = result.workerPeakRssMb
    target(
      record('workerPeakRssMb', 'memory', 'worker peak RSS', 'MB', {
        median: peak,
        min: peak,
        max: peak,
        runs: 1,
      }),
      '<= 400',
      peak <= 400,
    )
    const soak = { median: growth, min: growth, max: growth, runs: 1 }
    record(
      'workerRssGrowthMb',
      'memory',
      `RSS growth over ${options.quick ? 2 : 20} tasks`,
      'MB',
      soak,
    )
    output.endToEndSeconds = {
      default: result.defaultSeconds.median,
      '1080p30x10s': result.fullHdSeconds.median,
    }
    output.workerPeakRssMb = peak
    output.workerRssMb = {
      beforeTasks: result.rssBeforeTasksMb,
      afterTasks: result.rssAfterTasksMb,
    }
  }

  if (options.stages.has('api')) {
    log('API under load')
    const result = await measureApi({
      service,
      repetitions: standard,
      connections: 50,
      durationSeconds: options.quick ? 1 : 5,
    })
    const share = result.getTask.rps.median / result.bare.rps.median
    const getRps = record(
      'api.getTaskRps',
      'api',
      'GET /v1/tasks/{id}',
      'req/s',
      result.getTask.rps,
    )
    target(getRps, '>= 30% of bare', share >= 0.3)
    target(
      record('api.getTaskP99Ms', 'api', 'GET /v1/tasks/{id} p99', 'ms', result.getTask.p99Ms),
      '< 25',
      result.getTask.p99Ms.median < 25,
    )
    record('api.getTaskP50Ms', 'api', 'GET /v1/tasks/{id} p50', 'ms', result.getTask.p50Ms)
    record('api.postTaskRps', 'api', 'POST /v1/tasks', 'req/s', result.postTask.rps)
    record('api.postTaskP50Ms', 'api', 'POST /v1/tasks p50', 'ms', result.postTask.p50Ms)
    record('api.postTaskP99Ms', 'api', 'POST /v1/tasks p99', 'ms', result.postTask.p99Ms)
    record('api.bareRps', 'api', 'bare Hono handler', 'req/s', result.bare.rps)
    record('api.bareP99Ms', 'api', 'bare Hono handler p99', 'ms', result.bare.p99Ms)
    output.api = {
      getTaskRps: result.getTask.rps.median,
      getTaskP50Ms: result.getTask.p50Ms.median,
      getTaskP99Ms: result.getTask.p99Ms.median,
      postTaskRps: result.postTask.rps.median,
      postTaskP50Ms: result.postTask.p50Ms.median,
      postTaskP99Ms: result.postTask.p99Ms.median,
      bareRps: result.bare.rps.median,
      bareP99Ms: result.bare.p99Ms.median,
      getTaskShareOfBare: share,
    }
  }

  output.ranges = ranges
  output.targets = rows
    .filter((row) => row.target !== undefined)
    .map((row) => ({
      figure: `${row.stage}: ${row.figure}`,
      median: row.summary.median,
      target: row.target,
      met: row.met,
    }))

  if (options.json) console.log(JSON.stringify(output, null, 2))
  else console.log(formatTable(rows))
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
