import { stat } from 'node:fs/promises'

import { Client } from 'minio'

import { assertExpiry, assertObjectKey } from './limits.js'
import { checkS3Options, clientOptions, type S3ObjectStoreOptions } from './s3-options.js'
import type { ObjectStore, SignedUrl } from './types.js'

export type { S3ObjectStoreOptions } from './s3-options.js'

const DEFAULT_REGION = 'us-east-1'

function errorCode(error: unknown): unknown {
  return error instanceof Error ? (error as { code?: unknown }).code : undefined
}

/**
 * Object store on MinIO or any S3-compatible server. Uploads go to `endpoint`, and pre-signed
 * URLs are signed for `publicEndpoint`, because the Host header is part of the V4 signature.
 */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string
  readonly #client: Client
  readonly #publicClient: Client

  constructor(options: S3ObjectStoreOptions) {
    checkS3Options(options)
    const region = options.region ?? DEFAULT_REGION
    this.bucket = options.bucket
    this.#client = new Client(clientOptions(options.endpoint, options, region))
    this.#publicClient = new Client(
      clientOptions(options.publicEndpoint ?? options.endpoint, options, region),
    )
  }

  async init(): Promise<void> {
    if (await this.#client.bucketExists(this.bucket)) return
    try {
      await this.#client.makeBucket(this.bucket)
    } catch (error) {
      // Another process may have created it since the check. Servers differ in the error code.
      if (await this.#client.bucketExists(this.bucket)) return
      throw error
    }
  }

  async putFile(key: string, filePath: string, contentType: string): Promise<{ bytes: number }> {
    assertObjectKey(key)
    const { size } = await stat(filePath)
    await this.#client.fPutObject(this.bucket, key, filePath, { 'Content-Type': contentType })
    return { bytes: size }
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<SignedUrl> {
    assertObjectKey(key)
    assertExpiry(expiresInSeconds)
    // X-Amz-Date has whole seconds, so the URL expires counting from the start of this second.
    const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000)
    const url = await this.#publicClient.presignedGetObject(
      this.bucket,
      key,
      expiresInSeconds,
      {},
      signedAt,
    )
    return { url, expiresAt: new Date(signedAt.getTime() + expiresInSeconds * 1000) }
  }

  async remove(key: string): Promise<void> {
    assertObjectKey(key)
    try {
      await this.#client.removeObject(this.bucket, key)
    } catch (error) {
      // S3 returns 204 for a missing key, but some compatible servers return NoSuchKey.
      if (errorCode(error) !== 'NoSuchKey') throw error
    }
  }

  async ping(): Promise<void> {
    if (await this.#client.bucketExists(this.bucket)) return
    throw new Error(`S3 bucket "${this.bucket}" does not exist: call init() to create it`)
  }
}
