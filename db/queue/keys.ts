/** Prefix of every Redis key the queue uses, unless configured otherwise. */
export const DEFAULT_KEY_PREFIX = 'fas:'

/** Name of the one consumer group that all workers join. */
export const CONSUMER_GROUP = 'workers'

/** Redis names of the task queue. Every key the queue touches comes from here. */
export interface QueueKeys {
  /** The stream whose entries carry task ids. */
  stream: string
  /** The consumer group on that stream. */
  group: string
}

/** Builds the queue's Redis names under `prefix`. */
export function queueKeys(prefix: string = DEFAULT_KEY_PREFIX): QueueKeys {
  return { stream: `${prefix}tasks`, group: CONSUMER_GROUP }
}
