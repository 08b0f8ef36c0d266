import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'

import { serve } from '@hono/node-server'
import type { Logger } from 'pino'

import { openRuntime, type Runtime } from '../db/runtime.js'
import { createApp } from './app.js'
import { TokenIssuer } from './auth/tokens.js'
import type { ApiConfig } from './config.js'
import { resolveSigningSecret } from './secrets.js'

/** A listening API server. */
export interface ApiServer {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string
  /** Stops accepting connections and waits for open requests to end. */
  close(): Promise<void>
}

/**
 * Opens the data layer for an API process. Folder-store links are signed with a key derived from
 * the token secret, so a leaked video link reveals nothing about tokens.
 */
export async function openApiRuntime(
  config: ApiConfig,
): Promise<{ runtime: Runtime; secret: Uint8Array }> {
  const secret = await resolveSigningSecret(config.jwtSecret, config.storage.dataDir)
  const signingKey = createHmac('sha256', secret).update('object-urls').digest()
  const runtime = await openRuntime(config.storage, { publicBaseUrl: config.publicUrl, signingKey })
  return { runtime, secret }
}

/** Builds the app on `runtime` and starts listening on the configured host and port. */
export async function startApiServer(
  config: ApiConfig,
  runtime: Runtime,
  secret: Uint8Array,
  logger: Logger,
): Promise<ApiServer> {
  const app = createApp({
    db: runtime.database.db,
    queue: runtime.queue,
    store: runtime.store,
    folderStore: runtime.folderStore,
    tokens: new TokenIssuer({ secret, ttlSeconds: config.tokenTtlSeconds }),
    logger,
    routes: config.routes,
    limits: config.limits,
  })

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(started),
    )
    started.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // Idle keep-alive connections would otherwise hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      }),
  }
}
