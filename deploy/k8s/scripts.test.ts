import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { IContainer } from 'kubernetes-models/v1/Container'
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'

import { containerEnvironment } from '../testing/environment.js'
import { renderKustomization, type KubernetesObject } from '../testing/kustomize.js'
import { templateContainers } from '../testing/workloads.js'

// A stand-in for the MinIO client that logs each call and replies as a server would. `ls` fails
// MC_LS_FAILURES times before it succeeds. `admin user info` reports the policies in
// MC_ATTACHED_POLICY. `mb` fails when MC_MB_FAILS is set.
const FAKE_MC = `#!/bin/sh
echo "$*" >> "$MC_LOG"
case "$1" in
  ls)
    count=$(cat "$MC_LS_COUNT" 2>/dev/null || echo 0)
    echo $((count + 1)) > "$MC_LS_COUNT"
    [ "$count" -ge "\${MC_LS_FAILURES:-0}" ] || { echo "mc: connection refused" >&2; exit 1; } ;;
  mb)
    [ -z "$MC_MB_FAILS" ] || { echo "mc: access denied" >&2; exit 1; } ;;
  admin)
    [ "$2 $3" != "user info" ] || echo "PolicyName: \${MC_ATTACHED_POLICY:-}" ;;
esac
`
const FAKE_SLEEP = '#!/bin/sh\necho "sleep $*" >> "$MC_LOG"\n'

let objects: KubernetesObject[]
let workDir: string

beforeAll(async () => {
  objects = await renderKustomization('overlays/kind')
})

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'fas-deploy-scripts-'))
  for (const [name, body] of [
    ['mc', FAKE_MC],
    ['sleep', FAKE_SLEEP],
  ] as const) {
    await writeFile(join(workDir, name), body)
    await chmod(join(workDir, name), 0o755)
  }
})

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true })
})

function findContainer(owner: string, name: string) {
  const found = templateContainers(objects).find(
    (entry) => entry.template.owner.metadata.name === owner && entry.container.name === name,
  )
  if (found === undefined) throw new Error(`no container ${name} in ${owner}`)
  return found
}

/** Runs a container's command with its resolved environment, mc and sleep replaced by fakes. */
async function runContainer(
  container: IContainer,
  namespace: string,
  settings: Record<string, string> = {},
): Promise<{ code: number; calls: string[]; stderr: string }> {
  const [program = '', ...commandArgs] = container.command ?? []
  const env = {
    ...containerEnvironment(objects, container, namespace),
    PATH: `${workDir}:/usr/bin:/bin`,
    HOME: workDir,
    TMPDIR: workDir,
    MC_LOG: join(workDir, 'calls.log'),
    MC_LS_COUNT: join(workDir, 'ls.count'),
    ...settings,
  }
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      program,
      [...commandArgs, ...(container.args ?? [])],
      { env, timeout: 10_000 },
      (error, _stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr }),
    )
  })
  const log = await readFile(join(workDir, 'calls.log'), 'utf8').catch(() => '')
  return { code, calls: log.split('\n').filter((line) => line !== ''), stderr }
}

describe('minio-setup Job', () => {
  test('creates bucket, policy and user, then attaches the policy', async () => {
    const { container, template } = findContainer('minio-setup', 'mc')
    const result = await runContainer(container, template.namespace)

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.calls).toEqual([
      'alias set local http://minio:9000 dev-minio-root dev-minio-root-password --api S3v4',
      'ls local',
      'mb --ignore-existing local/videos',
      `admin policy create local fractal-videos ${join(workDir, 'policy.json')}`,
      'admin user add local fractal-videos dev-videos-secret-key',
      'admin user info local fractal-videos',
      'admin policy attach local fractal-videos --user fractal-videos',
    ])
  })

  test('policy grants object access to the bucket only', async () => {
    const { container, template } = findContainer('minio-setup', 'mc')
    await runContainer(container, template.namespace)

    const policy = JSON.parse(await readFile(join(workDir, 'policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string[]; Resource: string[] }[]
    }
    expect(policy.Statement.map((statement) => statement.Resource)).toEqual([
      ['arn:aws:s3:::videos'],
      ['arn:aws:s3:::videos/*'],
    ])
    expect(
      policy.Statement.flatMap((statement) => statement.Action).filter(
        (action) => !action.startsWith('s3:'),
      ),
    ).toEqual([])
    expect(policy.Statement.every((statement) => statement.Effect === 'Allow')).toBe(true)
  })

  test('skips attach when the policy is attached already', async () => {
    const { container, template } = findContainer('minio-setup', 'mc')
    const result = await runContainer(container, template.namespace, {
      MC_ATTACHED_POLICY: 'fractal-videos',
    })

    expect(result.code).toBe(0)
    expect(result.calls.filter((call) => call.startsWith('admin policy attach'))).toEqual([])
  })

  test('waits for MinIO before it creates anything', async () => {
    const { container, template } = findContainer('minio-setup', 'mc')
    const result = await runContainer(container, template.namespace, { MC_LS_FAILURES: '2' })

    expect(result.code).toBe(0)
    expect(result.calls.slice(0, 8)).toEqual([
      'alias set local http://minio:9000 dev-minio-root dev-minio-root-password --api S3v4',
      'ls local',
      'sleep 2',
      'alias set local http://minio:9000 dev-minio-root dev-minio-root-password --api S3v4',
      'ls local',
      'sleep 2',
      'alias set local http://minio:9000 dev-minio-root dev-minio-root-password --api S3v4',
      'ls local',
    ])
  })

  test('fails when a step fails', async () => {
    const { container, template } = findContainer('minio-setup', 'mc')
    const result = await runContainer(container, template.namespace, { MC_MB_FAILS: '1' })

    expect(result.code).not.toBe(0)
    expect(result.calls.at(-1)).toBe('mb --ignore-existing local/videos')
  })
})

describe.each(['api-auth', 'api-tasks', 'worker'])('wait-for-bucket in %s', (owner) => {
  test('returns once the bucket user can list the bucket', async () => {
    const { container, template } = findContainer(owner, 'wait-for-bucket')
    const result = await runContainer(container, template.namespace, { MC_LS_FAILURES: '1' })

    expect(result.code).toBe(0)
    expect(result.calls).toEqual([
      'alias set app http://minio:9000 fractal-videos dev-videos-secret-key --api S3v4',
      'ls app/videos',
      'sleep 2',
      'alias set app http://minio:9000 fractal-videos dev-videos-secret-key --api S3v4',
      'ls app/videos',
    ])
  })
})
