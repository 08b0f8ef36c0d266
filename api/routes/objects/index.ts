import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'

import { Hono } from 'hono'

import type { FolderObjectStore } from '../../../db/objects/folder.js'
import type { AppEnv } from '../../context.js'
import { ApiError } from '../../errors.js'

const RANGE = /^bytes=(\d*)-(\d*)$/

/** Parses a single-range `Range` header against a file of `size` bytes (RFC 9110 section 14.2). */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null {
  const match = header === undefined ? null : RANGE.exec(header.trim())
  if (match === null) return null

  const [, first, last] = match as unknown as [string, string, string]
  if (first === '' && last === '') return null
  if (first === '') {
    const suffix = Math.min(Number(last), size)
    return { start: size - suffix, end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  return start <= end ? { start, end } : null
}

/**
 * Serves the embedded folder store's signed URLs: `GET /objects/<key>?expires=&signature=`.
 * Supports single byte ranges, which video players use to seek.
 */
export function objectRoutes(store: FolderObjectStore) {
  const app = new Hono<AppEnv>()

  app.get('/*', async (c) => {
    const key = decodeURIComponent(c.req.path.replace(/^\/objects\//, ''))
    const verdict = store.verify(key, c.req.query('expires') ?? '', c.req.query('signature') ?? '')
    if (verdict === 'expired')
      throw new ApiError(
        'url_expired',
        'This link has expired: request the task again for a new one.',
      )
    if (verdict !== 'ok')
      throw new ApiError(
        'signature_invalid',
        'This link is not valid: use the URL exactly as the API returned it.',
      )

    const path = store.filePath(key)
    const size = await stat(path).then(
      (s) => s.size,
      () => null,
    )
    if (size === null) throw new ApiError('not_found', 'The object no longer exists.')

    const headers: Record<string, string> = {
      'Content-Type': 'video/mp4',
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, no-store',
    }
    const range = parseRange(c.req.header('Range'), size)
    if (range === null) {
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
