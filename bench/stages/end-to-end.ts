import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import {
  cleanEnvironment,
  freePort,
  ServiceProcess,
  startSeparateServices,
  waitUntilReady,
} from '../../api/testing/services.js'
import { renderTask, signUpAndLogIn, type ApiUrls } from '../../api/testing/walkthrough.js'
import { startServiceStack, type TestServiceStack } from '../../db/testing/stack.js'
import { DEFAULT_REQUEST, FULL_HD_REQUEST } from '../specs.js'
import { repeat, type Repetitions, type Summary } from '../stats.js'

const START_TIMEOUT_MS = 120_000
// The client checks the task this often, so a time can be up to this much late. In embedded mode
// every poll runs in the rendering process: polling every 10 ms slowed the default task by
// about 0.3 s, every 50 ms by a tenth of that.
const POLL_MS = 50

/** Figures of the end-to-end stage. */
export interface EndToEndResult {
  mode: 'embedded' | 'service'
  /** POST to `succeeded`, default task. */
  defaultSeconds: Summary
  /** POST to `succeeded`, 1920x1080 at 30 fps for 10 s. */
  fullHdSeconds: Summary
  /** Peak resident memory of the process that renders (VmHWM) during the 1080p runs. */
  workerPeakRssMb: number
  /** Resident memory of that process before and after 20 more default tasks. */
  rssBeforeTasksMb: number
  rssAfterTasksMb: number
}

/** Options of the end-to-end stage. */
export interface EndToEndOptions {
  /** Run the API and a worker as two processes on PostgreSQL, Redis and S3. */
  service: boolean
  defaultRepetitions: Repetitions
  fullHdRepetitions: Repetitions
  /** Default tasks between the two memory readings. */
  soakTasks: number
}

async function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(match[1]) / 1024
}

interface Deployment {
  urls: ApiUrls
  /** The process that renders. */
  renderer: ServiceProcess
  close(): Promise<void>
}

async function startEmbedded(scratch: string): Promise<Deployment> {
  const port = await freePort()
  const service = new ServiceProcess('standalone', 'api/standalone.ts', {
    ...cleanEnvironment(),
    DATA_DIR: scratch,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  })
  const url = `http://127.0.0.1:${port}`
  await waitUntilReady(service, `${url}/readyz`, START_TIMEOUT_MS)
  return { urls: { auth: url, tasks: url }, renderer: service, close: () => stop([service]) }
}

async function startServices(scratch: string): Promise<Deployment> {
  const stack: TestServiceStack = await startServiceStack()
  try {
    const services = await startSeparateServices(stack.environment, join(scratch, 'worker'))
    const close = async () => {
      await services.stop()
      await stack.close()
    }
    return { urls: { auth: services.url, tasks: services.url }, renderer: services.worker, close }
  } catch (error) {
    await stack.close()
    throw error
  }
}

async function stop(services: ServiceProcess[]): Promise<void> {
  await Promise.all(services.map((service) => service.stop(30_000)))
}

/**
 * Measures POST-to-`succeeded` times through HTTP, as a client sees them, and the memory of the
 * rendering process. It starts its own processes and removes what they stored.
 */
export async function measureEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'fas-bench-'))
  const deployment = await (options.service ? startServices(scratch) : startEmbedded(scratch))
  try {
    const { urls, renderer } = deployment
    const auth = await signUpAndLogIn(urls, `bench-${randomBytes(4).toString('hex')}`)
    const seconds = async (request: unknown) => {
      const { task, elapsedMs } = await renderTask(urls, auth, request, 600_000, POLL_MS)
      if (task.state !== 'succeeded') {
        throw new Error(`benchmark task ${task.id} ended ${task.state}: ${task.error ?? ''}`)
      }
      return elapsedMs / 1000
    }

    const defaultSeconds = await repeat(options.defaultRepetitions, () => seconds(DEFAULT_REQUEST))
    const rssBeforeTasksMb = await memoryMb(renderer.pid, 'VmRSS')
    for (let i = 0; i < options.soakTasks; i++) await seconds(DEFAULT_REQUEST)
    const rssAfterTasksMb = await memoryMb(renderer.pid, 'VmRSS')

    // Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later), so the peak below belongs to the
    // 1080p runs and not to start-up, when PGlite's initdb needs far more memory than a task.
    await writeFile(`/proc/${renderer.pid}/clear_refs`, '5')
    const fullHdSeconds = await repeat(options.fullHdRepetitions, () => seconds(FULL_HD_REQUEST))
    const workerPeakRssMb = await memoryMb(renderer.pid, 'VmHWM')
    return {
      mode: options.service ? 'service' : 'embedded',
      defaultSeconds,
      fullHdSeconds,
      workerPeakRssMb,
      rssBeforeTasksMb,
      rssAfterTasksMb,
    }
  } finally {
    await deployment.close()
    await rm(scratch, { recursive: true, force: true })
  }
}
