/** Name of the stream field that carries the task id. */
export const TASK_ID_FIELD = 'task_id'

/** A stream entry as this queue reads it; `taskId` is undefined for a deleted or foreign entry. */
export interface StreamEntry {
  id: string
  taskId: string | undefined
}

// An entry is [id, [field, value, ...]]. XAUTOCLAIM on Redis 6.2 returns [id, null] for an entry
// deleted from the stream while pending.
function parseEntry(raw: unknown): StreamEntry {
  const [id, fields] = raw as [string, string[] | null]
  if (fields === null) return { id, taskId: undefined }

  const index = fields.findIndex((field, i) => i % 2 === 0 && field === TASK_ID_FIELD)
  return { id, taskId: index === -1 ? undefined : fields[index + 1] }
}

/** Parses the reply of `XREADGROUP ... COUNT 1 STREAMS key >`: null on timeout. */
export function parseReadReply(reply: unknown): StreamEntry | null {
  if (reply === null) return null

  // [[stream, [entry, ...]]] for the one stream read.
  const [[, entries]] = reply as [[string, unknown[]]]
  const [first] = entries
  return first === undefined ? null : parseEntry(first)
}

/**
 * Parses the reply of `XAUTOCLAIM`: the cursor for the next call and the claimed entries. Redis 7
 * adds a third element with the ids of pending entries that no longer exist. Redis has already
 * removed those from the pending list, so they need no handling here.
 */
export function parseAutoclaimReply(reply: unknown): { cursor: string; entries: StreamEntry[] } {
  const [cursor, entries] = reply as [string, unknown[]]
  return { cursor, entries: entries.map(parseEntry) }
}

/** Parses the delivery count from `XPENDING key group id id 1`; undefined when not pending. */
export function parsePendingCount(reply: unknown): number | undefined {
  // [[id, consumer, idle ms, deliveries]]
  const [first] = reply as [[string, string, number, number]?]
  return first === undefined ? undefined : Number(first[3])
}

/**
 * Lua: resets the idle time of a pending entry, or sets it to ARGV[4] ms when given, but only
 * while consumer ARGV[3] still owns it. Without the check, a consumer whose lease expired would
 * take the entry back from the consumer that took it over. Returns 1 when done, 0 otherwise.
 * XCLAIM with JUSTID leaves the delivery count as it is.
 */
export const CLAIM_IF_OWNER_SCRIPT = `
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 or pending[1][2] ~= ARGV[3] then
  return 0
end
if ARGV[4] == '' then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
else
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'IDLE', ARGV[4], 'JUSTID')
end
return 1
`
