import type { ClientOptions } from 'minio'

import { assertOption, isNonEmptyString } from '../options.js'

/** Options of an S3ObjectStore. */
export interface S3ObjectStoreOptions {
  /** URL that this process uploads to, such as `http://minio:9000`; no path. */
  endpoint: string
  /**
   * URL that users reach the store at. Pre-signed URLs point here.
   * @defaultValue `endpoint`
   */
  publicEndpoint?: string | undefined
  /**
   * Region that requests are signed for. With it set, the client never asks the server for the
   * bucket's region, so signing a URL makes no request.
   * @defaultValue `'us-east-1'`
   */
  region?: string | undefined
  bucket: string
  accessKey: string
  secretKey: string
}

// S3 bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens, starting and ending
// with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

function isEndpoint(value: unknown): value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) return false
  const url = new URL(value)
  const bare = url.pathname === '/' && url.search === '' && url.username === ''
  return (url.protocol === 'http:' || url.protocol === 'https:') && bare
}

/** Throws a TypeError naming the first invalid option. */
export function checkS3Options(options: S3ObjectStoreOptions): void {
  const { endpoint, publicEndpoint, region, bucket, accessKey, secretKey } = options
  const expectedUrl = 'an http:// or https:// URL without a path, such as http://minio:9000'
  assertOption(isEndpoint(endpoint), 'endpoint', expectedUrl, endpoint)
  assertOption(
    publicEndpoint === undefined || isEndpoint(publicEndpoint),
    'publicEndpoint',
    expectedUrl,
    publicEndpoint,
  )
  const validRegion = region === undefined || isNonEmptyString(region)
  assertOption(validRegion, 'region', 'a non-empty string', region)
  assertOption(
    typeof bucket === 'string' && BUCKET_NAME.test(bucket),
    'bucket',
    'an S3 bucket name (3-63 of a-z 0-9 . -)',
    bucket,
  )
  // A failing value is empty or not a string, so the message reveals no usable secret.
  assertOption(isNonEmptyString(accessKey), 'accessKey', 'a non-empty string', accessKey)
  assertOption(isNonEmptyString(secretKey), 'secretKey', 'a non-empty string', secretKey)
}

/** Builds minio client options for `endpoint`, path-style, as MinIO and most S3 servers expect. */
export function clientOptions(
  endpoint: string,
  options: S3ObjectStoreOptions,
  region: string,
): ClientOptions {
  const url = new URL(endpoint)
  return {
    endPoint: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    useSSL: url.protocol === 'https:',
    pathStyle: true,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region,
  }
}
