import { join } from 'node:path'

import { openDatabase } from './client.js'
import type { StorageSettings } from './environment.js'
import { migrateDatabase } from './migrate.js'
import { FolderObjectStore } from './objects/folder.js'
import { S3ObjectStore } from './objects/s3.js'
import type { ObjectStore } from './objects/types.js'
import { MemoryTaskQueue } from './queue/memory.js'
import { RedisTaskQueue } from './queue/redis.js'
import type { TaskQueue } from './queue/types.js'

/** The open database, queue and object store of one process. */
export interface Runtime {
  database: Awaited<ReturnType<typeof openDatabase>>
  queue: TaskQueue
  store: ObjectStore
  /** Set when videos live in a local folder, whose signed URLs the API then serves itself. */
  folderStore?: FolderObjectStore
  /** Closes the queue, the database and nothing else; each in its own try. */
  close(): Promise<void>
}

/** Options of {@link openRuntime} that do not come from the environment. */
export interface RuntimeOptions {
  /** Base URL of the API that serves folder-store downloads, e.g. `http://127.0.0.1:8080`. */
  publicBaseUrl: string
  /** HMAC key that signs folder-store URLs, at least 32 bytes. */
  signingKey: Uint8Array
  /** Queue consumer name; defaults to one derived from the host name and process id. */
  consumerName?: string
}

/**
 * Opens the database (and applies pending migrations), the queue and the object store that
 * `settings` select: PostgreSQL, Redis and S3 where their URLs are set, the embedded stand-ins
 * (PGlite, an in-process queue, a folder under `dataDir`) where not.
 */
export async function openRuntime(
  settings: StorageSettings,
  options: RuntimeOptions,
): Promise<Runtime> {
  const database = await openDatabase(
    settings.databaseUrl !== undefined
      ? { url: settings.databaseUrl }
      : { pgliteDir: join(settings.dataDir, 'pglite') },
  )
  const opened: Array<{ close(): Promise<void> }> = [database]
  try {
    await migrateDatabase(database)

    const queue: TaskQueue =
      settings.redisUrl !== undefined
        ? new RedisTaskQueue({
            redis: settings.redisUrl,
            keyPrefix: settings.redisKeyPrefix,
            leaseMs: settings.queueLeaseMs,
            ...(options.consumerName === undefined ? {} : { consumerName: options.consumerName }),
          })
        : new MemoryTaskQueue({ leaseMs: settings.queueLeaseMs })
    opened.push(queue)

    let folderStore: FolderObjectStore | undefined
    let store: ObjectStore
    if (settings.s3 !== undefined) {
      store = new S3ObjectStore(settings.s3)
    } else {
      folderStore = new FolderObjectStore({
        dir: join(settings.dataDir, 'objects'),
        publicBaseUrl: options.publicBaseUrl,
        signingKey: options.signingKey,
      })
      store = folderStore
    }
    await store.init()

    return { database, queue, store, folderStore, close: () => closeAll(opened) }
  } catch (error) {
    await closeAll(opened)
    throw error
  }
}

async function closeAll(resources: Array<{ close(): Promise<void> }>): Promise<void> {
  const failures: unknown[] = []
  for (const resource of [...resources].reverse()) {
    try {
      await resource.close()
    } catch (error) {
      failures.push(error)
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'closing the data layer failed')
}
