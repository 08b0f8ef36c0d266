import { QueueClosedError } from './errors.js'
import { MemoryDelivery, type MemoryEntry, type MemoryEntryOwner } from './memory-delivery.js'
import { checkBlockMs, checkLeaseMs, DEFAULT_LEASE_MS } from './options.js'
import type { QueueDelivery, TaskQueue, TaskQueueOptions } from './types.js'

/**
 * An in-process task queue for the embedded mode, with the Redis queue's semantics: leases,
 * takeover of expired entries with a higher delivery count, release, and blocking receive.
 * Entries live in memory only, so a restarted process queues unfinished tasks again from the
 * database. Each concurrent `receive` acts as its own consumer.
 */
export class MemoryTaskQueue implements TaskQueue {
  /** Idle time after which another receiver takes an entry over, in milliseconds. */
  readonly leaseMs: number
  // A Map iterates in insertion order, which is enqueue order.
  readonly #entries = new Map<string, MemoryEntry>()
  readonly #waiters = new Set<() => void>()
  // What deliveries may touch, kept off the public surface of the queue.
  readonly #owner: MemoryEntryOwner
  #nextId = 1
  #closed = false

  constructor(options: TaskQueueOptions = {}) {
    checkLeaseMs(options.leaseMs)
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
    this.#owner = {
      leaseMs: this.leaseMs,
      entry: (id) => this.#entries.get(id),
      remove: (id) => {
        this.#entries.delete(id)
      },
      notify: () => this.#notify(),
    }
  }

  async enqueue(taskId: string): Promise<void> {
    if (this.#closed) throw new QueueClosedError()
    const id = String(this.#nextId++)
    this.#entries.set(id, { id, taskId, deliveries: 0, leasedAt: undefined, generation: 0 })
    this.#notify()
  }

  async receive(options: { blockMs: number }): Promise<QueueDelivery | null> {
    const { blockMs } = options
    checkBlockMs(blockMs)
    if (this.#closed) throw new QueueClosedError()

    const deadline = performance.now() + blockMs
    for (;;) {
      const entry = this.#nextEntry()
      if (entry !== undefined) return this.#deliver(entry)

      const remaining = deadline - performance.now()
      if (remaining <= 0) return null
      await this.#wait(remaining)
      if (this.#closed) return null
    }
  }

  async depth(): Promise<number> {
    return this.#entries.size
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new QueueClosedError()
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#notify()
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake()
  }

  // Expired entries first, as XAUTOCLAIM runs before XREADGROUP in the Redis queue.
  #nextEntry(): MemoryEntry | undefined {
    const now = performance.now()
    let fresh: MemoryEntry | undefined
    for (const entry of this.#entries.values()) {
      if (entry.leasedAt === undefined) {
        fresh ??= entry
      } else if (now - entry.leasedAt >= this.leaseMs) {
        return entry
      }
    }
    return fresh
  }

  #deliver(entry: MemoryEntry): QueueDelivery {
    entry.deliveries += 1
    entry.generation += 1
    entry.leasedAt = performance.now()
    return new MemoryDelivery(this.#owner, entry)
  }

  // Resolves after `ms` milliseconds, or sooner when an entry is added or released, or on close.
  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.#waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.#waiters.add(wake)
    })
  }
}
