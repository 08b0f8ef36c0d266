import { fileURLToPath } from 'node:url'

import { sql } from 'drizzle-orm'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'

import type { DatabaseHandle, DriverDatabase } from './client.js'

/**
 * Key of the session-level advisory lock that serialises migrations, so that replicas starting
 * together do not race on `CREATE TYPE` or `CREATE TABLE`. The value is arbitrary but must differ
 * from any other advisory lock key used on the database. It spells "fasmigr" in ASCII.
 */
export const MIGRATION_LOCK_KEY = 0x66_61_73_6d_69_67_72n

// Resolved next to this module: db/migrations in the source tree, and dist/db/migrations once the
// build has copied the folder there. NOTE: `npm run build` runs only tsc, which copies no SQL.
const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

async function runMigrator(session: DriverDatabase): Promise<void> {
  if (session.kind === 'postgres') {
    await migratePostgres(session.db, { migrationsFolder })
  } else {
    await migratePglite(session.db, { migrationsFolder })
  }
}

/**
 * Applies the SQL migrations in `db/migrations` that the database has not seen yet. Several
 * processes may call it at once: each waits for the advisory lock, and the ones that come later
 * find nothing left to apply.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  await handle.withSession(async (session) => {
    // The key is a constant bigint, so writing it into the SQL text is safe.
    const key = sql.raw(MIGRATION_LOCK_KEY.toString())
    await session.db.execute(sql`select pg_advisory_lock(${key})`)
    try {
      await runMigrator(session)
    } finally {
      await session.db.execute(sql`select pg_advisory_unlock(${key})`)
    }
  })
}
