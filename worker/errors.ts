/**
 * A failure that another attempt cannot fix, such as a spec the renderer rejects. The worker marks
 * the task failed at once instead of retrying it.
 */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError'
  readonly code = 'unrecoverable'
}
