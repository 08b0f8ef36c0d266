import * as v from 'valibot'

/** Request body of sign-up and log-in. */
export const CredentialsSchema = v.strictObject({
  username: v.pipe(
    v.string('must be a string'),
    v.minLength(3, 'must be at least 3 characters'),
    v.maxLength(64, 'must be at most 64 characters'),
    v.regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"'),
  ),
  password: v.pipe(
    v.string('must be a string'),
    v.minLength(8, 'must be at least 8 characters'),
    // argon2 accepts longer input, but a bound keeps a single request from costing much CPU.
    v.maxLength(256, 'must be at most 256 characters'),
  ),
})

/** Response body of sign-up. */
export const UserSchema = v.object({
  id: v.pipe(v.string(), v.uuid()),
  username: v.string(),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
})

/** Response body of log-in. */
export const AccessTokenSchema = v.object({
  accessToken: v.string(),
  tokenType: v.literal('Bearer'),
  expiresIn: v.pipe(v.number(), v.integer(), v.description('Lifetime of the token, in seconds')),
})

/**
 * Request body of log-in. It checks only types and bounds, so that a password policy change never
 * locks out an account created under the old one.
 */
export const LoginSchema = v.strictObject({
  username: v.pipe(
    v.string('must be a string'),
    v.maxLength(64, 'must be at most 64 characters'),
    // Sign-up allows only these characters, and PostgreSQL rejects some others, such as NUL.
    v.regex(/^[A-Za-z0-9_.-]*$/, 'may contain only letters, digits, "_", "." and "-"'),
  ),
  password: v.pipe(
    v.string('must be a string'),
    v.maxLength(256, 'must be at most 256 characters'),
  ),
})
