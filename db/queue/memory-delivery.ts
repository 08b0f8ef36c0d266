import { LeaseLostError } from './errors.js'
import type { QueueDelivery } from './types.js'

/** An entry of the in-process queue. */
export interface MemoryEntry {
  readonly id: string
  readonly taskId: string
  /** Deliveries so far. */
  deliveries: number
  /** `performance.now()` at the last delivery or lease extension; undefined until delivered. */
  leasedAt: number | undefined
  /** Incremented on each delivery, so an older delivery can tell that it lost the entry. */
  generation: number
}

/** The queue operations a delivery needs. */
export interface MemoryEntryOwner {
  readonly leaseMs: number
  /** Returns the entry while it is still in the queue. */
  entry(id: string): MemoryEntry | undefined
  remove(id: string): void
  /** Wakes receivers waiting for an entry. */
  notify(): void
}

/** One delivery of an in-process queue entry. */
export class MemoryDelivery implements QueueDelivery {
  readonly taskId: string
  readonly entryId: string
  readonly deliveryCount: number
  readonly #owner: MemoryEntryOwner
  readonly #generation: number

  constructor(owner: MemoryEntryOwner, entry: MemoryEntry) {
    this.#owner = owner
    this.taskId = entry.taskId
    this.entryId = entry.id
    this.deliveryCount = entry.deliveries
    this.#generation = entry.generation
  }

  /** Resets the idle time; rejects with LeaseLostError once another delivery owns the entry. */
  async extendLease(): Promise<void> {
    const entry = this.#ownedEntry()
    if (entry === undefined) throw new LeaseLostError(this.entryId)
    entry.leasedAt = performance.now()
  }

  async ack(): Promise<void> {
    this.#owner.remove(this.entryId)
  }

  /** Makes the entry available at once. Does nothing when another delivery owns it. */
  async release(): Promise<void> {
    const entry = this.#ownedEntry()
    if (entry === undefined) return
    entry.leasedAt = performance.now() - this.#owner.leaseMs
    this.#owner.notify()
  }

  #ownedEntry(): MemoryEntry | undefined {
    const entry = this.#owner.entry(this.entryId)
    return entry?.generation === this.#generation ? entry : undefined
  }
}
