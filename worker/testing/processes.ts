import { readFile, readdir } from 'node:fs/promises'

/**
 * Tells whether process `pid` is alive, reading /proc (Linux). A zombie counts as exited: an
 * orphan that was killed stays a zombie until PID 1 reaps it, which some containers never do.
 */
export async function isProcessRunning(pid: number): Promise<boolean> {
  let stat: string
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return false
  }
  // The state follows the command name, which is in parentheses and may contain spaces.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  return state !== 'Z' && state !== 'X'
}

/** Returns the pids of the running child processes of this process whose command is `name`. */
export async function childProcesses(name: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // The process exited while the list was read.
    }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const [state, parentPid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (command === name && Number(parentPid) === process.pid && state !== 'Z') {
      pids.push(Number(entry))
    }
  }
  return pids
}

/**
 * Polls `condition` every 20 ms until it returns true or `timeoutMs` passes, and returns its last
 * result.
 */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return condition()
}
