/** One delivery of a queue entry to this consumer. */
export interface QueueDelivery {
  /** Id of the task the entry carries. */
  readonly taskId: string
  /** Queue-assigned id of the entry (a Redis stream id, or a counter in memory). */
  readonly entryId: string
  /** Deliveries of this entry so far, this one included: 1 on the first delivery. */
  readonly deliveryCount: number
  /** Resets the entry's idle time so that no other consumer takes it over while it is worked on. */
  extendLease(): Promise<void>
  /** Removes the entry for good. Call it only once the database records the task as finished. */
  ack(): Promise<void>
  /** Makes the entry available again at once, to any consumer, without waiting for the lease. */
  release(): Promise<void>
}

/** Options shared by every queue implementation. */
export interface TaskQueueOptions {
  /**
   * Time an entry may stay delivered without a lease extension before another consumer takes it
   * over, in milliseconds.
   * @defaultValue 30000
   */
  leaseMs?: number
}

/**
 * A queue of task ids with at-least-once delivery. The database stays the source of truth:
 * an entry only names a task to look at.
 */
export interface TaskQueue {
  /** Adds an entry for `taskId`. */
  enqueue(taskId: string): Promise<void>
  /**
   * Returns the next entry for this consumer: first an entry whose lease expired, then a new one.
   * Waits at most `blockMs` milliseconds and returns null when none arrives.
   */
  receive(options: { blockMs: number }): Promise<QueueDelivery | null>
  /** Entries added but not yet acknowledged, delivered or not. */
  depth(): Promise<number>
  /** Rejects when the queue's backing service is unreachable. */
  ping(): Promise<void>
  /** Stops any blocked `receive` and releases connections. Idempotent. */
  close(): Promise<void>
}
