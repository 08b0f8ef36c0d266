import { randomBytes } from 'node:crypto'

import postgres from 'postgres'

import { redactUrl } from '../options.js'

/** Server that test databases are created on, unless `DATABASE_URL` names another. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://127.0.0.1:5432/postgres'

/** A database created for one test file or test. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>
}

async function runAdmin(serverUrl: string, statement: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, connect_timeout: 5, onnotice: () => {} })
  try {
    await admin.unsafe(statement)
  } catch (error) {
    // A PostgresError comes from the server. Any other error means the server was not reached.
    if (error instanceof postgres.PostgresError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(
      `PostgreSQL is unreachable at ${redactUrl(serverUrl)} (${reason}). ` +
        'Start it, or set DATABASE_URL to a server where this user may create databases.',
      { cause: error },
    )
  } finally {
    await admin.end()
  }
}

/**
 * Creates an empty database named `fas_test_<random hex>` on the server of `DATABASE_URL`
 * (default {@link DEFAULT_TEST_DATABASE_URL}). Call `drop()` when done.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL
  const name = `fas_test_${randomBytes(6).toString('hex')}`
  // The name is built from hex digits only, so it is safe in the statement text.
  await runAdmin(serverUrl, `CREATE DATABASE ${name}`)

  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => runAdmin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}
