import type { Logger } from 'pino'

import type { Database } from '../db/client.js'
import type { FolderObjectStore } from '../db/objects/folder.js'
import type { ObjectStore } from '../db/objects/types.js'
import type { TaskQueue } from '../db/queue/types.js'
import type { TokenIssuer } from './auth/tokens.js'

/** Route groups of one API process, so that auth and tasks can run as separate services. */
export type RouteGroup = 'all' | 'auth' | 'tasks'

/** Limits that protect the service from oversized requests. */
export interface ApiLimits {
  /** Largest `width * height * frames * maxIterations` a task may ask for, in pixel iterations. */
  workBudget: number
  /** Largest `width * height * maxIterations` of one frame, in pixel iterations. */
  frameWorkBudget: number
  /** Largest `width * height * frames` of a task: drawing, reading back and encoding cost each. */
  pixelBudget: number
  /** Largest number of queued or running tasks of one user. */
  maxActiveTasks: number
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number
  /** Lifetime of a pre-signed video URL, in seconds. */
  videoUrlTtlSeconds: number
}

/** Everything the routes need, built once by an entry point and passed to `createApp`. */
export interface AppDeps {
  db: Database
  queue: TaskQueue
  store: ObjectStore
  /** The folder store whose signed URLs this process serves under `/objects`, in embedded mode. */
  folderStore?: FolderObjectStore
  tokens: TokenIssuer
  logger: Logger
  routes: RouteGroup
  limits: ApiLimits
}
