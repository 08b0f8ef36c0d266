import type { MiddlewareHandler } from 'hono'

import { findUserById } from '../../db/users/repository.js'
import type { Database } from '../../db/client.js'
import type { TokenIssuer } from '../auth/tokens.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i

/**
 * Requires a valid access token in the `Authorization: Bearer` header and sets `userId`.
 * A token whose user was deleted is rejected like an invalid one.
 */
export function bearerAuth(tokens: TokenIssuer, db: Database): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization')
    if (header === undefined) {
      throw new ApiError(
        'missing_token',
        'Send the access token from POST /v1/auth/login as "Authorization: Bearer <token>".',
      )
    }
    const match = BEARER.exec(header)
    if (match === null) {
      throw new ApiError('invalid_token', 'The Authorization header must be "Bearer <token>".')
    }

    const userId = await tokens.verify(match[1] as string)
    const user = await findUserById(db, userId)
    if (user === undefined) {
      throw new ApiError('invalid_token', 'The account of this access token no longer exists.')
    }

    c.set('userId', userId)
    await next()
  }
}
