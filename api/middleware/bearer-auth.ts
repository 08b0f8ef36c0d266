import type { MiddlewareHandler } from 'hono'

import type { Database } from '../../db/client.js'
import { findUserById } from '../../db/users/repository.js'
import type { TokenIssuer } from '../auth/tokens.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i

/**
 * Requires a valid access token in the `Authorization: Bearer` header and sets `userId`.
 *
 * It does not look the user up, so that a request costs no extra query. A deleted user owns no
 * rows (deletion cascades to tasks), so every route finds nothing for one and then calls
 * {@link assertUserExists}, which rejects the token like an invalid one.
 */
export function bearerAuth(tokens: TokenIssuer): MiddlewareHandler<AppEnv> {
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

    c.set('userId', await tokens.verify(match[1] as string))
    await next()
  }
}

/** Builds the 401 for a valid token whose account no longer exists. */
export function deletedAccountError(): ApiError {
  return new ApiError('invalid_token', 'The account of this access token no longer exists.')
}

/** Throws a 401 when the account `userId` no longer exists. */
export async function assertUserExists(db: Database, userId: string): Promise<void> {
  if ((await findUserById(db, userId)) === undefined) throw deletedAccountError()
}
