import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite, type PgliteDatabase } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'

import * as schema from './schema.js'

/** A drizzle database over either driver. Repositories take this type. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>

/** A drizzle database typed for its driver, for code that needs the driver's own migrator. */
export type DriverDatabase =
  | { kind: 'postgres'; db: PostgresJsDatabase<typeof schema> }
  | { kind: 'pglite'; db: PgliteDatabase<typeof schema> }

/** An open database and what it runs on. */
export interface DatabaseHandle {
  readonly db: Database
  /** `postgres` for a PostgreSQL server, `pglite` for the embedded WebAssembly build. */
  readonly kind: DriverDatabase['kind']
  /** Rejects when `select 1` fails. */
  ping(): Promise<void>
  /**
   * Runs `fn` on one connection held for the whole call, for session state such as advisory
   * locks. PostgreSQL opens a separate connection for it, and PGlite has only one connection.
   */
  withSession<T>(fn: (session: DriverDatabase) => Promise<T>): Promise<T>
  /** Closes every connection. */
  close(): Promise<void>
}

// PostgreSQL's default 128 MB buffer cache would hold a few thousand task rows many times over;
// 16 MB cut the resident memory of a reopened PGlite from about 335 MB to 220 MB.
const PGLITE_SETTINGS = ['shared_buffers=16MB']

/** Location of the data: a PostgreSQL server or a PGlite folder. */
export interface DatabaseOptions {
  /** PostgreSQL connection URL. When set, the server is used and `pgliteDir` is ignored. */
  url?: string
  /** Folder of the PGlite data files. Without it, PGlite keeps the data in memory. */
  pgliteDir?: string
}

// postgres.js prints every NOTICE, such as "schema already exists, skipping", by default.
const ignoreNotice = () => {}

function openPostgres(url: string): DatabaseHandle {
  const client = postgres(url, { onnotice: ignoreNotice })
  const db = drizzlePostgres(client, { schema })
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`)
    },
    withSession: async (fn) => {
      const single = postgres(url, { max: 1, onnotice: ignoreNotice })
      try {
        return await fn({ kind: 'postgres', db: drizzlePostgres(single, { schema }) })
      } finally {
        await single.end()
      }
    },
    close: () => client.end(),
  }
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  const client = await PGlite.create(dataDir, { postgresqlconf: PGLITE_SETTINGS })
  const db = drizzlePglite(client, { schema })
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`)
    },
    withSession: (fn) => fn({ kind: 'pglite', db }),
    close: () => client.close(),
  }
}

/**
 * Opens the database: PostgreSQL through postgres.js when `url` is set, otherwise PGlite.
 * PGlite takes a few seconds to start, so share one handle rather than opening many.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url !== undefined) return openPostgres(options.url)
  return openPglite(options.pgliteDir)
}
