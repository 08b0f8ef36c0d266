import { openDatabase, type DatabaseHandle } from '../client.js'
import { migrateDatabase } from '../migrate.js'
import { createTestDatabase } from './postgres.js'

/** A migrated database for tests, and how to dispose of it. */
export interface OpenTestDatabase {
  handle: DatabaseHandle
  /** Closes the connections and, for PostgreSQL, drops the database. */
  close(): Promise<void>
}

/**
 * Opens a migrated, empty database: a new PostgreSQL database from {@link createTestDatabase},
 * or an in-memory PGlite. PGlite takes seconds to start, so open one per test file.
 */
export async function openTestDatabase(
  kind: DatabaseHandle['kind'] = 'postgres',
): Promise<OpenTestDatabase> {
  if (kind === 'pglite') {
    const handle = await openDatabase()
    await migrateDatabase(handle)
    return { handle, close: () => handle.close() }
  }

  const database = await createTestDatabase()
  const handle = await openDatabase({ url: database.url })
  try {
    await migrateDatabase(handle)
  } catch (error) {
    await handle.close()
    await database.drop()
    throw error
  }
  return {
    handle,
    close: async () => {
      await handle.close()
      await database.drop()
    },
  }
}
