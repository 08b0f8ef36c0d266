import { hash, verify } from '@node-rs/argon2'

// argon2id with the library's defaults: 19 MiB of memory, 2 passes, 1 lane. These match the
// OWASP password storage cheat sheet's first recommended argon2id configuration.
const ARGON2ID = 2

/** Hashes `password` with argon2id and a random salt, returning the PHC string to store. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID })
}

// Verified against when the username is unknown, so that a login for a missing user costs as much
// time as one with a wrong password and the two cannot be distinguished.
const unknownUserHash = hash('not-a-real-password-only-for-timing', { algorithm: ARGON2ID })

/**
 * Returns whether `password` matches `storedHash`. With no stored hash (unknown user) it still
 * runs one argon2id verification and returns false.
 */
export async function verifyPassword(
  storedHash: string | undefined,
  password: string,
): Promise<boolean> {
  if (storedHash === undefined) {
    await verify(await unknownUserHash, password)
    return false
  }
  return verify(storedHash, password)
}
