import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Shell scripts that stand in for ffmpeg to provoke failures: each takes ffmpeg's arguments,
 * whose last one is the output path.
 */
const scripts = {
  /** Never reads its input, so the pipe fills and writes wait. */
  stall: 'exec sleep 60',
  /** Reads 100 kB, then fails with a message on stderr. */
  fail: 'head -c 100000 > /dev/null\necho "fake ffmpeg: invalid input data" >&2\nexit 1',
  /**
   * Reads 24,576 bytes (two 64x48 RGBA frames), then fails, but a background process keeps stdin and
   * stderr open for a second after the exit. That widens the gap between the child's `exit` and
   * `close` events, and the pipe accepts further frames until it is full.
   */
  failLingering:
    'head -c 24576 > /dev/null\necho "fake ffmpeg: invalid input data" >&2\n' + 'sleep 1 &\nexit 1',
  /** Writes part of an output file, reads 100 kB, then fails. */
  partial:
    'for last; do :; done\necho partial > "$last"\nhead -c 100000 > /dev/null\n' +
    'echo "fake ffmpeg: stopped early" >&2\nexit 1',
} as const

/** Writes the fake ffmpeg scripts to a new temporary folder and returns their paths. */
export async function writeFakeFfmpegs(): Promise<Record<keyof typeof scripts, string>> {
  const folder = await mkdtemp(join(tmpdir(), 'fake-ffmpeg-'))
  const paths = {} as Record<keyof typeof scripts, string>
  for (const [name, body] of Object.entries(scripts) as [keyof typeof scripts, string][]) {
    const path = join(folder, `${name}.sh`)
    await writeFile(path, `#!/bin/sh\n${body}\n`)
    await chmod(path, 0o755)
    paths[name] = path
  }
  return paths
}
