import { Redis } from 'ioredis'

/**
 * Connections for blocking reads. A blocked `XREADGROUP` occupies its connection until it
 * returns, so each concurrent `receive` gets a connection of its own, apart from the connection
 * for other commands. Disconnecting them is how `close()` ends a blocked read at once.
 */
export class BlockingConnections {
  readonly #create: () => Redis
  readonly #all = new Set<Redis>()
  #idle: Redis[] = []
  #closed = false

  constructor(create: () => Redis) {
    this.#create = create
  }

  /** Runs `fn` on a connection that nothing else uses until `fn` settles. */
  async use<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('The blocking Redis connections are closed')
    let redis = this.#idle.pop()
    if (redis === undefined) {
      redis = this.#create()
      this.#all.add(redis)
    }
    try {
      return await fn(redis)
    } finally {
      if (!this.#closed) this.#idle.push(redis)
    }
  }

  /** Disconnects every connection, which rejects the reads blocked on them. */
  disconnectAll(): void {
    this.#closed = true
    for (const redis of this.#all) redis.disconnect()
    this.#all.clear()
    this.#idle = []
  }
}

/** Returns whether a Redis error reply starts with `code`, such as BUSYGROUP or NOGROUP. */
export function isReplyError(error: unknown, code: string): boolean {
  return error instanceof Error && error.message.startsWith(`${code} `)
}
