import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, test } from 'vitest'

import { isProcessRunning, waitFor } from '../testing/processes.js'
import { startXvfb } from './xvfb.js'

describe('startXvfb', () => {
  test('reports a display and a running server', async () => {
    const xvfb = await startXvfb()
    try {
      expect(xvfb.display).toMatch(/^:\d+$/)
      expect(await isProcessRunning(xvfb.pid)).toBe(true)
    } finally {
      await xvfb.stop()
    }
  })

  test('stop() ends the server', async () => {
    const xvfb = await startXvfb()

    await xvfb.stop()

    expect(await isProcessRunning(xvfb.pid)).toBe(false)
  })

  test('stop() is idempotent', async () => {
    const xvfb = await startXvfb()

    await Promise.all([xvfb.stop(), xvfb.stop()])
    await xvfb.stop()

    expect(await isProcessRunning(xvfb.pid)).toBe(false)
  })

  test('two servers get different displays', async () => {
    const first = await startXvfb()
    const second = await startXvfb()
    try {
      expect(second.display).not.toBe(first.display)
    } finally {
      await Promise.all([first.stop(), second.stop()])
    }
  })

  test('missing executable rejects naming Xvfb', async () => {
    const start = startXvfb({ command: '/nonexistent/Xvfb' })

    await expect(start).rejects.toThrow(/\/nonexistent\/Xvfb not found: install Xvfb/)
  })

  test('server dies when the process exits without stop()', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'xvfb-exit-'))
    const moduleUrl = new URL('./xvfb.ts', import.meta.url).href
    const script = join(folder, 'start.mts')
    await writeFile(
      script,
      `import { startXvfb } from '${moduleUrl}'\n` +
        'const xvfb = await startXvfb()\n' +
        'console.log(xvfb.pid)\n' +
        'process.exit(0)\n',
    )
    try {
      const output = await runNode(['--import', 'tsx', script])
      const pid = Number(output.trim())

      expect(pid).toBeGreaterThan(0)
      expect(await waitFor(async () => !(await isProcessRunning(pid)))).toBe(true)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})

function runNode(args: string[]): Promise<string> {
  const cwd = fileURLToPath(new URL('../..', import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`node exited with code ${code}`)),
    )
  })
}
