/** Median, minimum and maximum of repeated measurements of one figure. */
export interface Summary {
  median: number
  min: number
  max: number
  runs: number
}

/** Summarizes `samples`, which must not be empty. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize() needs at least one sample')
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  return {
    median,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    runs: sorted.length,
  }
}

/** How many times each measurement repeats: `warmups` discarded runs, then `runs` kept ones. */
export interface Repetitions {
  warmups: number
  runs: number
}

/** Runs `measure` `warmups + runs` times and summarizes the results of the kept runs. */
export async function repeat(
  repetitions: Repetitions,
  measure: () => Promise<number> | number,
): Promise<Summary> {
  for (let i = 0; i < repetitions.warmups; i++) await measure()
  const samples: number[] = []
  for (let i = 0; i < repetitions.runs; i++) samples.push(await measure())
  return summarize(samples)
}

/** Reads the machine-wide CPU time counters from /proc/stat (Linux), in clock ticks. */
export async function cpuTicks(): Promise<{ busy: number; total: number }> {
  const { readFile } = await import('node:fs/promises')
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? ''
  const fields = line.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((sum, value) => sum + value, 0)
  // Fields 4 and 5 are idle and iowait.
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { busy: total - idle, total }
}
