// Applies the migrations to the database at the URL in argv[2], then exits. With `--wait`, it
// connects, prints "ready" and waits for a line on stdin before migrating, so that a test can
// start several of these and release them at the same moment.
import { once } from 'node:events'

import { openDatabase } from '../client.js'
import { migrateDatabase } from '../migrate.js'

const [url, flag] = process.argv.slice(2)
if (url === undefined) {
  console.error('usage: run-migrations.ts <postgres URL> [--wait]')
  process.exit(2)
}

const handle = await openDatabase({ url })
try {
  await handle.ping()
  if (flag === '--wait') {
    process.stdout.write('ready\n')
    await once(process.stdin, 'data')
    process.stdin.pause()
  }
  await migrateDatabase(handle)
} finally {
  await handle.close()
}
