import { type KeyObject, createSecretKey, randomUUID } from 'node:crypto'

import { SignJWT, errors, jwtVerify } from 'jose'

import { isUuid } from '../../db/ids.js'
import { ApiError } from '../errors.js'

const ALGORITHM = 'HS256'

// Verified tokens kept in memory, so a client that polls a task does not pay for an HMAC and a
// JSON parse on every request. The oldest entry goes first once the map is full.
const VERIFIED_CACHE_SIZE = 10_000
const ISSUER = 'fractal-animation-server'
const AUDIENCE = 'fractal-animation-server/v1'

/** Options of a {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  /** HMAC key for HS256, at least 32 bytes. */
  secret: Uint8Array
  /**
   * Lifetime of an access token, in seconds.
   * @defaultValue 3600
   */
  ttlSeconds?: number
}

/** Issues and verifies the service's HS256 access tokens (JWTs). */
export class TokenIssuer {
  readonly ttlSeconds: number
  // Imported once: jose would otherwise import raw key bytes again on every sign and verify.
  readonly #secret: KeyObject
  /**
   * Subject and expiry (Unix seconds) of tokens that passed verification. A token string always
   * verifies the same way until it expires, so an entry is valid until then.
   */
  readonly #verified = new Map<string, { subject: string; expiresAt: number }>()

  constructor(options: TokenIssuerOptions) {
    if (!(options.secret instanceof Uint8Array) || options.secret.byteLength < 32) {
      throw new TypeError(
        `Expected \`secret\` to be at least 32 bytes, got ${options.secret?.byteLength ?? 0}`,
      )
    }
    const ttlSeconds = options.ttlSeconds ?? 3600
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new TypeError(`Expected \`ttlSeconds\` to be a positive integer, got ${ttlSeconds}`)
    }
    this.#secret = createSecretKey(options.secret)
    this.ttlSeconds = ttlSeconds
  }

  /** Signs an access token whose subject is `userId`. */
  async sign(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setJti(randomUUID())
      .sign(this.#secret)
  }

  /**
   * Verifies `token` and returns its subject. The algorithm is pinned to HS256, so tokens with
   * `alg: none` or another algorithm fail, as do expired ones and ones signed with another key.
   */
  async verify(token: string): Promise<string> {
    const cached = this.#verified.get(token)
    if (cached !== undefined && cached.expiresAt > Date.now() / 1000) return cached.subject

    const { subject, expiresAt } = await this.#verifySignature(token)
    this.#verified.delete(token)
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      this.#verified.delete(this.#verified.keys().next().value as string)
    }
    this.#verified.set(token, { subject, expiresAt })
    return subject
  }

  async #verifySignature(token: string): Promise<{ subject: string; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.#secret, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        // Rejects tokens issued in the future, or longer ago than the lifetime this issuer signs.
        maxTokenAge: this.ttlSeconds,
      })
      // Only this service signs with the key, and it signs user ids. Any other subject comes
      // from a forgery or from another deployment that shares the secret.
      if (!isUuid(payload.sub as string))
        throw new errors.JWTClaimValidationFailed('bad subject', payload, 'sub')
      return { subject: payload.sub as string, expiresAt: payload.exp as number }
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new ApiError('invalid_token', 'The access token has expired: log in again.')
      }
      if (error instanceof errors.JOSEError) {
        throw new ApiError('invalid_token', 'The access token is invalid: log in again.')
      }
      throw error
    }
  }
}
