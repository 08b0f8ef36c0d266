import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
let folder: string

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'preview-test-'))
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the preview command as `npm run preview` does, without DISPLAY so it starts Xvfb. */
function preview(args: string[]): Promise<Result> {
  const env = { ...process.env }
  delete env.DISPLAY
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/preview.ts', ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('preview command', () => {
  test('writes a PNG of the requested size', async () => {
    const out = join(folder, 'frame.png')

    const size = ['--width', '64', '--height', '48']
    const result = await preview(['--c=-0.8,-0.18', ...size, '--out', out])
    const png = PNG.sync.read(await readFile(out))

    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`wrote ${out}`)
    expect(result.stdout).toMatch(/rendered in [\d.]+ ms/)
    expect(png.width).toBe(64)
    expect(png.height).toBe(48)
  })

  test('odd width exits 2 naming --width', async () => {
    const result = await preview(['--c=-0.8,-0.18', '--width', '63'])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain('invalid --width: must be even')
  })

  test('every invalid flag is listed', async () => {
    const result = await preview(['--c=1', '--max-iterations', '0', '--palette', 'mauve'])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain('invalid --c: must be two numbers')
    expect(result.stderr).toContain('invalid --max-iterations: must be at least 1')
    expect(result.stderr).toContain('invalid --palette: must be one of')
  })

  test('missing --c exits 2', async () => {
    const result = await preview([])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain('invalid --c: is required')
  })

  test('frame past the end exits 2', async () => {
    const result = await preview(['--c=0,0', '--frame', '120'])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain('invalid --frame: must be at most 119')
  })

  test('unknown flag exits 2', async () => {
    const result = await preview(['--c=0,0', '--colour', 'red'])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Unknown option '--colour'")
  })
})
