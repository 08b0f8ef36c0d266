import { Hono } from 'hono'

import { createUser, findUserByUsername } from '../../../db/users/repository.js'
import { hashPassword, verifyPassword } from '../../auth/passwords.js'
import type { AppEnv } from '../../context.js'
import type { AppDeps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { readJsonBody } from '../../validation.js'
import { CredentialsSchema, LoginSchema } from './schema.js'

/** Routes under `/v1/auth`: sign-up and log-in. */
export function authRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()

  app.post('/signup', async (c) => {
    const { username, password } = await readJsonBody(c, CredentialsSchema)

    const passwordHash = await hashPassword(password)
    const user = await createUser(deps.db, { username, passwordHash })
    if (user === null) {
      throw new ApiError('username_taken', `The username "${username}" is taken: choose another.`)
    }

    c.set('userId', user.id)
    return c.json(
      { id: user.id, username: user.username, createdAt: user.createdAt.toISOString() },
      201,
    )
  })

  app.post('/login', async (c) => {
    const { username, password } = await readJsonBody(c, LoginSchema)

    // An unknown user and a wrong password get the same response in about the same time.
    const user = await findUserByUsername(deps.db, username)
    const valid = await verifyPassword(user?.passwordHash, password)
    if (user === undefined || !valid) {
      throw new ApiError('invalid_credentials', 'The username or password is wrong.')
    }

    c.set('userId', user.id)
    const accessToken = await deps.tokens.sign(user.id)
    return c.json({ accessToken, tokenType: 'Bearer', expiresIn: deps.tokens.ttlSeconds })
  })

  return app
}
