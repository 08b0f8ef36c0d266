import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'

import { Hono } from 'hono'

import type { FolderObjectStore } from '../../../db/objects/folder.js'
import type { AppEnv } from '../../context.js'
import { ApiError } from '../../errors.js'

const RANGE = /^bytes=(\d*)-(\d*)$/

/** A `Range` request against a file: none (or one this route ignores), a byte span, or none fits. */
type RangeRequest =
  { kind: 'whole' } | { kind: 'span'; start: number; end: number } | { kind: 'unsatisfiable' }

/**
 * Parses a single-range `Range` header against a file of `size` bytes (RFC 9110 section 14.2).
 * A header this route does not understand, such as several ranges, gets the whole file, as the
 * RFC allows.
 */
function parseRange(header: string | undefined, size: number): RangeRequest {
  const match = header === undefined ? null : RANGE.exec(header.trim())
  if (match === null) return { kind: 'whole' }

  const [, first, last] = match as unknown as [string, string, string]
  if (first === '' && last === '') return { kind: 'whole' }
  if (first === '') {
    const suffix = Math.min(Number(last), size)
    return suffix === 0
      ? { kind: 'unsatisfiable' }
      : { kind: 'span', start: size - suffix, end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (start >= size) return { kind: 'unsatisfiable' }
  return start <= end ? { kind: 'span', start, end } : { kind: 'whole' }
}

function decodeKey(path: string): string | null {
  try {
    return decodeURIComponent(path.replace(/^\/objects\//, ''))
  } catch {
    return null
  }
}

/**
 * Serves the embedded folder store's signed URLs: `GET /objects/<key>?expires=&signature=`.
 * Supports single byte ranges, which video players use to seek.
 */
export function objectRoutes(store: FolderObjectStore) {
  const app = new Hono<AppEnv>()

  app.get('/*', async (c) => {
    const key = decodeKey(c.req.path)
    const expires = c.req.query('expires') ?? ''
    const verdict =
      key === null ? 'invalid' : store.verify(key, expires, c.req.query('signature') ?? '')
    if (verdict === 'expired') {
      throw new ApiError('url_expired', 'This link has expired: get the task again for a new one.')
    }
    if (verdict !== 'ok' || key === null) {
      throw new ApiError(
        'signature_invalid',
        'This link is not valid: use the URL exactly as the API returned it.',
      )
    }

    const path = store.filePath(key)
    const size = await stat(path).then(
      (stats) => stats.size,
      () => null,
    )
    if (size === null) throw new ApiError('not_found', 'The object no longer exists.')

    const headers: Record<string, string> = {
      'Content-Type': 'video/mp4',
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, no-store',
    }
    const range = parseRange(c.req.header('Range'), size)
    if (range.kind === 'unsatisfiable') {
      c.header('Content-Range', `bytes */${size}`)
      throw new ApiError('range_not_satisfiable', `The file has ${size} bytes.`)
    }
    if (range.kind === 'whole') {
      headers['Content-Length'] = String(size)
      return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, headers)
    }
    headers['Content-Length'] = String(range.end - range.start + 1)
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`
    const stream = createReadStream(path, { start: range.start, end: range.end })
    return c.body(Readable.toWeb(stream) as ReadableStream, 206, headers)
  })

  return app
}
