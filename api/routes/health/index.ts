import { Hono } from 'hono'

import type { AppEnv } from '../../context.js'
import type { AppDeps } from '../../deps.js'

// A dependency that takes longer than this to respond counts as down, so that a hung connection
// fails the readiness probe instead of hanging it.
const CHECK_TIMEOUT_MS = 2000

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    )
  })
  try {
    await Promise.race([probe(), timeout])
    return 'ok'
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    clearTimeout(timer)
  }
}

/** Liveness (`/healthz`) and readiness (`/readyz`: database, queue and object store reachable). */
export function healthRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()

  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  app.get('/readyz', async (c) => {
    const [database, queue, objectStore] = await Promise.all([
      check(() => deps.db.execute('select 1')),
      check(() => deps.queue.ping()),
      check(() => deps.store.ping()),
    ])
    const checks = { database, queue, objectStore }
    const ready = Object.values(checks).every((result) => result === 'ok')
    if (!ready) c.get('logger').warn({ checks }, 'readiness check failed')
    return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503)
  })

  return app
}
