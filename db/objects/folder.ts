import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { copyFile, mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'

import { assertOption } from '../options.js'
import { assertExpiry, assertObjectKey, isValidObjectKey } from './limits.js'
import type { ObjectStore, SignedUrl } from './types.js'

/** Options of a {@link FolderObjectStore}. */
export interface FolderObjectStoreOptions {
  /** Folder that contains the objects, such as `DATA_DIR/objects`. */
  dir: string
  /** Base URL of the API that serves `/objects/<key>`, such as `http://127.0.0.1:8080`. */
  publicBaseUrl: string
  /** HMAC-SHA256 key that signs the URLs, at least 32 bytes. */
  signingKey: Uint8Array | string
}

/** Outcome of checking a signed URL. */
export type UrlVerdict = 'ok' | 'expired' | 'invalid'

/** Minimum signing key length, in bytes: the output size of SHA-256. */
export const MIN_SIGNING_KEY_BYTES = 32

const EXPIRES = /^\d{1,12}$/
const SIGNATURE = /^[0-9a-f]{64}$/

/**
 * Object store in a local folder for the embedded mode. Its URLs point at the API, which checks
 * them with {@link FolderObjectStore.verify} and sends the file at
 * {@link FolderObjectStore.filePath}. The folder keeps no content type, so the route derives it.
 */
export class FolderObjectStore implements ObjectStore {
  readonly dir: string
  readonly #publicBaseUrl: string
  readonly #signingKey: Buffer

  constructor(options: FolderObjectStoreOptions) {
    const { dir, publicBaseUrl, signingKey } = options
    assertOption(typeof dir === 'string' && dir !== '', 'dir', 'a folder path', dir)
    const validBase = typeof publicBaseUrl === 'string' && /^https?:\/\//.test(publicBaseUrl)
    const baseUrl = validBase && URL.canParse(publicBaseUrl)
    assertOption(baseUrl, 'publicBaseUrl', 'an http:// or https:// URL', publicBaseUrl)
    const key = typeof signingKey === 'string' ? Buffer.from(signingKey) : signingKey
    const longEnough = key instanceof Uint8Array && key.byteLength >= MIN_SIGNING_KEY_BYTES
    // The key is a secret, so the message shows only its length.
    const shownKey = key instanceof Uint8Array ? `${key.byteLength} bytes` : key
    const expectedKey = `a Buffer or string of at least ${MIN_SIGNING_KEY_BYTES} bytes`
    assertOption(longEnough, 'signingKey', expectedKey, shownKey)

    this.dir = resolve(dir)
    this.#publicBaseUrl = publicBaseUrl.replace(/\/+$/, '')
    this.#signingKey = Buffer.from(key)
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
  }

  /**
   * Copies the file in under `key`. The copy goes to a dot-named partial file, is flushed to
   * disk and is then renamed, so a reader sees either the old object or the whole new one.
   */
  async putFile(key: string, filePath: string, _contentType: string): Promise<{ bytes: number }> {
    const target = this.filePath(key)
    const partial = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}`)
    try {
      await mkdir(dirname(target), { recursive: true })
      await copyFile(filePath, partial).catch(async (error: NodeJS.ErrnoException) => {
        // remove() of a neighbouring key may have deleted the folder after mkdir: make it again.
        if (error.code !== 'ENOENT') throw error
        await mkdir(dirname(target), { recursive: true })
        await copyFile(filePath, partial)
      })
      const handle = await open(partial, 'r+')
      try {
        await handle.datasync()
      } finally {
        await handle.close()
      }
      await rename(partial, target)
    } catch (error) {
      await rm(partial, { force: true })
      throw error
    }
    return { bytes: (await stat(target)).size }
  }

  /** Returns `<publicBaseUrl>/objects/<key>?expires=<unix seconds>&signature=<hex>`. */
  async presignGet(key: string, expiresInSeconds: number): Promise<SignedUrl> {
    assertObjectKey(key)
    assertExpiry(expiresInSeconds)
    const expires = Math.floor(Date.now() / 1000) + expiresInSeconds
    const signature = this.#sign(key, String(expires))
    const url = `${this.#publicBaseUrl}/objects/${key}?expires=${expires}&signature=${signature}`
    return { url, expiresAt: new Date(expires * 1000) }
  }

  /**
   * Checks the query of a URL from {@link presignGet}. The signature is checked first and in
   * constant time, so `expired` is only ever returned for a URL this store signed.
   */
  verify(key: string, expires: string, signature: string): UrlVerdict {
    if (!isValidObjectKey(key) || !EXPIRES.test(expires) || !SIGNATURE.test(signature)) {
      return 'invalid'
    }
    const expected = Buffer.from(this.#sign(key, expires), 'hex')
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid'

    return Date.now() / 1000 > Number(expires) ? 'expired' : 'ok'
  }

  /** Returns the path of the file under `key`; throws InvalidObjectKeyError for a bad key. */
  filePath(key: string): string {
    assertObjectKey(key)
    const path = resolve(this.dir, key)
    // The key rules already keep paths inside the folder. This check guards against later changes.
    if (!path.startsWith(this.dir + sep)) throw new Error(`Object path escapes ${this.dir}`)
    return path
  }

  async remove(key: string): Promise<void> {
    const path = this.filePath(key)
    await rm(path, { force: true })

    // Folders named after users and tasks would otherwise outlive them, so remove the ones left
    // empty, up to the store's own folder.
    const root = resolve(this.dir)
    for (let folder = dirname(path); folder.startsWith(`${root}/`); folder = dirname(folder)) {
      try {
        await rmdir(folder)
      } catch {
        break // Not empty, or already gone: the folders above are in use too.
      }
    }
  }

  async ping(): Promise<void> {
    const info = await stat(this.dir)
    if (!info.isDirectory()) throw new Error(`Object store path ${this.dir} is not a folder`)
  }

  // A newline separates the parts, so that no key and expiry pair signs like another.
  #sign(key: string, expires: string): string {
    return createHmac('sha256', this.#signingKey).update(`${key}\n${expires}`).digest('hex')
  }
}
