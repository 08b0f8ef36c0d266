import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { containerEnvironment } from '../testing/environment.js'
import { renderKustomization } from '../testing/kustomize.js'
import { freePort } from '../../api/testing/services.js'
import { podTemplates } from '../testing/workloads.js'

// Starts redis-server with the arguments of the rendered Redis container, moved to a free
// loopback port and a temporary data folder, and connects with the REDIS_URL that the API and
// the workers get. The local server may be older than the image's; both are Redis 7.

let server: ChildProcess | undefined
let dataDir: string
let port: number
let appUrl: URL
const clients: Redis[] = []

/** Expands `$(NAME)` references as the kubelet does for a container's command and args. */
function expandReferences(arg: string, env: Record<string, string>): string {
  return arg.replace(
    /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
    (reference, name: string) => env[name] ?? reference,
  )
}

async function connect(url: URL): Promise<Redis> {
  const client = new Redis(url.toString(), { lazyConnect: true, retryStrategy: () => null })
  client.on('error', () => {})
  clients.push(client)
  await client.connect()
  return client
}

async function waitForServer(
  child: ChildProcess,
  spawnError: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const error = spawnError()
    if (error !== undefined) {
      throw new Error(
        `redis-server failed to start (${error.message}): install Redis 7 (Debian package redis-server)`,
      )
    }
    if (child.exitCode !== null) {
      throw new Error(
        `redis-server exited with code ${child.exitCode}: it rejects the manifest's arguments`,
      )
    }
    try {
      await (await connect(appUrl)).ping()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`redis-server with the manifest's arguments did not start on port ${port}`)
}

beforeAll(async () => {
  const objects = await renderKustomization('overlays/kind')
  const redis = podTemplates(objects).find((template) => template.owner.metadata.name === 'redis')
  const api = podTemplates(objects).find((template) => template.owner.metadata.name === 'api-tasks')
  const container = redis?.spec.containers[0]
  const apiContainer = api?.spec.containers[0]
  if (
    redis === undefined ||
    container === undefined ||
    api === undefined ||
    apiContainer === undefined
  ) {
    throw new Error('the rendered manifests lack the redis or api-tasks workload')
  }

  port = await freePort()
  dataDir = await mkdtemp(join(tmpdir(), 'fas-redis-args-'))
  appUrl = new URL(containerEnvironment(objects, apiContainer, api.namespace).REDIS_URL ?? '')
  appUrl.hostname = '127.0.0.1'
  appUrl.port = String(port)

  const env = containerEnvironment(objects, container, redis.namespace)
  const [program, ...args] = [...(container.command ?? []), ...(container.args ?? [])].map((arg) =>
    expandReferences(arg, env),
  )
  expect(program).toBe('redis-server')
  const dir = args.indexOf('--dir')
  expect(dir).toBeGreaterThanOrEqual(0)
  args[dir + 1] = dataDir

  // Later options override earlier ones, so these two only move the server.
  server = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1'], {
    stdio: 'ignore',
  })
  let spawnError: Error | undefined
  server.once('error', (error) => {
    spawnError = error
  })
  await waitForServer(server, () => spawnError)
})

afterAll(async () => {
  for (const client of clients) client.disconnect()
  server?.kill('SIGTERM')
  if (server !== undefined && server.exitCode === null)
    await new Promise((resolve) => server?.once('exit', resolve))
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
})

describe('Redis container arguments', () => {
  test('turn on the append-only file', async () => {
    const client = await connect(appUrl)
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes'])
    expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec'])
  })

  test('reject writes instead of evicting keys', async () => {
    const client = await connect(appUrl)
    expect(await client.config('GET', 'maxmemory-policy')).toEqual([
      'maxmemory-policy',
      'noeviction',
    ])
    expect(Number((await client.config('GET', 'maxmemory'))[1])).toBe(192 * 1024 * 1024)
  })

  test('require the password that REDIS_URL carries', async () => {
    // A plain RESP exchange, because ioredis closes a connection whose handshake fails.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'))
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString('utf8'))
      })
      socket.once('error', reject)
    })
    expect(reply).toMatch(/^-NOAUTH /)
    expect(appUrl.password).not.toBe('')
  })
})
