/** Raised by `receive` on a queue that was closed. */
export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError'
  readonly code = 'queue_closed'

  constructor() {
    super('The task queue is closed: open a new queue to receive entries.')
  }
}

/**
 * Raised by `extendLease` when this delivery lost its entry: another consumer took it over after
 * the lease expired, or it was acknowledged. The worker should stop working on the task.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError'
  readonly code = 'lease_lost'

  constructor(readonly entryId: string) {
    super(`The lease on queue entry ${entryId} is lost: another consumer owns it or it is gone.`)
  }
}
