import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import S3rver from '@20minutes/s3rver'

/** A running local S3-protocol server and credentials it accepts. */
export interface TestS3Server {
  /** Base URL, such as `http://127.0.0.1:40123`. */
  endpoint: string
  region: string
  accessKey: string
  secretKey: string
  /** Folder that contains the server's buckets. `stop()` deletes it. */
  directory: string
  /** A fresh bucket name; the bucket does not exist until a store's `init()` creates it. */
  bucket: string
  /** Stops the server and deletes its files. */
  stop(): Promise<void>
}

// @20minutes/s3rver 4.x registers one account with this access key and secret
// (lib/models/account.js) and rejects requests signed with any other.
const S3RVER_CREDENTIAL = 'S3RVER'

/**
 * Starts @20minutes/s3rver on a free loopback port with its files in a new temporary folder.
 * It checks Signature V4 on requests and on pre-signed URLs, expiry included.
 */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'fas-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory })
  let address
  try {
    address = await server.run()
  } catch (error) {
    await rm(directory, { recursive: true, force: true })
    throw error
  }

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    accessKey: S3RVER_CREDENTIAL,
    secretKey: S3RVER_CREDENTIAL,
    directory,
    bucket: `fas-test-${randomBytes(6).toString('hex')}`,
    stop: async () => {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
