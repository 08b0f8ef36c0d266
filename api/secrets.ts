import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Returns the token signing secret: `configured` when set, else the one kept in
 * `DATA_DIR/jwt-secret`, created on first use. Keeping it on disk lets tokens and video links
 * outlive a restart of `make run`.
 */
export async function resolveSigningSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<Uint8Array> {
  if (configured !== undefined) return new TextEncoder().encode(configured)

  const path = join(dataDir, 'jwt-secret')
  try {
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  await mkdir(dirname(path), { recursive: true })
  const secret = randomBytes(32)
  // `wx` fails if another process created the file first; then that process's secret wins.
  try {
    await writeFile(path, secret.toString('base64url'), { flag: 'wx', mode: 0o600 })
    return secret
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url')
  }
}
