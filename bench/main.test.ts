import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { expect, test } from 'vitest'

import { cleanEnvironment } from '../api/testing/services.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../', import.meta.url))

// Runs the benchmark's cheapest stage once, so a change that breaks `npm run bench` fails here.
// The figures themselves are not checked: timing on shared machines is too noisy for a test.
test('bench --json prints the frame figures', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/main.ts', '--json', '--quick', '--stages', 'frames'],
    { cwd: ROOT, env: cleanEnvironment(), maxBuffer: 1024 * 1024 },
  )
  const result = JSON.parse(stdout) as Record<string, unknown>

  expect(result.mode).toBe('embedded')
  expect(result.renderFps).toEqual({
    '800x600': expect.any(Number),
    '1920x1080': expect.any(Number),
  })
  for (const key of ['referenceFps', 'encodeFps', 'pipelineOverlapRatio', 'shaderSpeedup']) {
    expect(result[key], key).toBeGreaterThan(0)
  }
  expect(result.ranges).toHaveProperty(['renderFps.800x600', 'median'])
})
