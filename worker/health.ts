import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A dependency check for readiness: resolves when the dependency responds. */
export type ReadinessCheck = () => Promise<unknown>

/** Inputs of the health server: loop activity and dependency checks. */
export interface HealthSources {
  /** Milliseconds since the worker loop last made progress. */
  idleMs(): number
  /**
   * Idle time above which `/healthz` fails, in milliseconds. It must exceed the queue's blocking
   * read time and the slowest single frame.
   */
  maxIdleMs: number
  /** Dependency checks for `/readyz`. */
  checks: Record<string, ReadinessCheck>
}

/**
 * Serves `GET /healthz` (the worker loop made progress within `maxIdleMs`) and `GET /readyz`
 * (every dependency responds) for the worker's Kubernetes probes.
 */
export async function startHealthServer(
  port: number,
  sources: HealthSources,
): Promise<{ port: number; close(): Promise<void> }> {
  const { checks } = sources
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    if (request.method !== 'GET') return reply(405, { status: 'method not allowed' })
    if (request.url === '/healthz') {
      const idleMs = sources.idleMs()
      const alive = idleMs <= sources.maxIdleMs
      return reply(alive ? 200 : 503, { status: alive ? 'ok' : 'stalled', idle_ms: idleMs })
    }
    if (request.url !== '/readyz') return reply(404, { status: 'not found' })

    void Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check()
          return [name, 'ok'] as const
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const
        }
      }),
    ).then((results) => {
      const ready = results.every(([, result]) => result === 'ok')
      reply(ready ? 200 : 503, {
        status: ready ? 'ready' : 'unavailable',
        checks: Object.fromEntries(results),
      })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '0.0.0.0', resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
