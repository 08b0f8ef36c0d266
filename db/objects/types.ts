/** A time-limited URL that fetches one object without further credentials. */
export interface SignedUrl {
  url: string
  expiresAt: Date
}

/** Storage for finished videos, keyed by slash-separated object keys such as `videos/u/t.mp4`. */
export interface ObjectStore {
  /** Creates the bucket or folder when it does not exist yet. Safe to call from many processes. */
  init(): Promise<void>
  /** Uploads the file at `filePath` under `key`, replacing any object there, and returns its size. */
  putFile(key: string, filePath: string, contentType: string): Promise<{ bytes: number }>
  /** Returns a URL that fetches `key` with a plain GET until `expiresInSeconds` have passed. */
  presignGet(key: string, expiresInSeconds: number): Promise<SignedUrl>
  /** Deletes the object under `key`. Deleting a missing object succeeds. */
  remove(key: string): Promise<void>
  /** Rejects when the store is unreachable or its bucket is missing. */
  ping(): Promise<void>
}
