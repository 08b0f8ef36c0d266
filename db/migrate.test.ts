import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { openDatabase, type DatabaseHandle } from './client.js'
import { migrateDatabase } from './migrate.js'
import { tasks, users } from './schema.js'
import { createTestDatabase, type TestDatabase } from './testing/index.js'

const script = fileURLToPath(new URL('./testing/run-migrations.ts', import.meta.url))

interface Child {
  ready: Promise<void>
  done: Promise<void>
  release(): void
}

// A separate Node process, so that only the advisory lock keeps two of them apart. It connects,
// reports ready, and migrates once released, so that a test can make migrations overlap.
function startChild(url: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, '--wait'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))

  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ready: ${stderr}`)))
  })
  const done = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`migration process exited with ${code}: ${stderr}`)
  })
  return { ready, done, release: () => child.stdin.end('go\n') }
}

async function tableNames(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1 })
  try {
    const rows = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables
      where table_schema = 'public' order by table_name`
    return rows.map((row) => row.table_name)
  } finally {
    await sql.end()
  }
}

async function appliedCount(url: string): Promise<number> {
  const sql = postgres(url, { max: 1 })
  try {
    const [row] = await sql<{ count: string }[]>`
      select count(*)::text as count from drizzle.__drizzle_migrations`
    return Number(row?.count)
  } finally {
    await sql.end()
  }
}

/** Number of migrations that drizzle-kit generated, from its journal. */
async function migrationCount(): Promise<number> {
  const journal = new URL('./migrations/meta/_journal.json', import.meta.url)
  const { entries } = JSON.parse(await readFile(journal, 'utf8')) as { entries: unknown[] }
  return entries.length
}

describe('when two processes migrate at once', () => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await createTestDatabase()
  })

  afterAll(async () => {
    await database.drop()
  })

  test('both processes succeed', async () => {
    const children = [startChild(database.url), startChild(database.url)]
    await Promise.all(children.map((child) => child.ready))
    for (const child of children) child.release()

    const results = await Promise.allSettled(children.map((child) => child.done))
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason)] : [],
    )
    expect(failures).toEqual([])
  })

  test('tables exist afterwards', async () => {
    expect(await tableNames(database.url)).toEqual(['tasks', 'users'])
  })

  test('each migration is recorded once', async () => {
    expect(await appliedCount(database.url)).toBe(await migrationCount())
  })

  test('running again changes nothing', async () => {
    const handle = await openDatabase({ url: database.url })
    try {
      await migrateDatabase(handle)
    } finally {
      await handle.close()
    }
    expect(await appliedCount(database.url)).toBe(await migrationCount())
  })
})

describe('when the database is PGlite', () => {
  let dataDir: string
  let handle: DatabaseHandle

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fas-pglite-'))
    handle = await openDatabase({ pgliteDir: dataDir })
  })

  afterAll(async () => {
    await handle.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('migrations apply twice', async () => {
    await migrateDatabase(handle)
    await expect(migrateDatabase(handle)).resolves.toBeUndefined()
  })

  test('tables exist afterwards', async () => {
    expect(await handle.db.select().from(tasks)).toEqual([])
  })

  test('rows survive reopening', async () => {
    await handle.db.insert(users).values({ username: 'persisted', passwordHash: 'x' })
    await handle.close()

    handle = await openDatabase({ pgliteDir: dataDir })
    const rows = await handle.db.select({ username: users.username }).from(users)
    expect(rows).toEqual([{ username: 'persisted' }])
  })
})
