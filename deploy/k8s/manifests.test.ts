import { beforeAll, describe, expect, test } from 'vitest'

import {
  KUSTOMIZATIONS,
  objectId,
  renderKustomization,
  type KubernetesObject,
} from '../testing/kustomize.js'
import { validateObject } from '../testing/schemas.js'

/**
 * Metadata keys of the KEDA redis-streams trigger, from the scaler's documentation (KEDA 2.x).
 * KEDA's CRD types trigger metadata as a string map, so its schema accepts any key.
 */
const REDIS_STREAMS_METADATA = new Set([
  'address',
  'addressFromEnv',
  'host',
  'hostFromEnv',
  'port',
  'portFromEnv',
  'usernameFromEnv',
  'passwordFromEnv',
  'databaseIndex',
  'enableTLS',
  'unsafeSsl',
  'stream',
  'consumerGroup',
  'pendingEntriesCount',
  'streamLength',
  'lagCount',
  'activationLagCount',
])
const REDIS_STREAMS_COUNTS = [
  'pendingEntriesCount',
  'streamLength',
  'lagCount',
  'activationLagCount',
]

interface ScaledObject extends KubernetesObject {
  spec: { triggers: { type: string; metadata: Record<string, string> }[] }
}

describe.each(KUSTOMIZATIONS)('kustomization %s', (name) => {
  let objects: KubernetesObject[]

  beforeAll(async () => {
    objects = await renderKustomization(name)
  })

  test('renders objects', () => {
    expect(objects.length).toBeGreaterThan(0)
  })

  test('objects have unique kind, namespace and name', () => {
    const ids = objects.map(objectId)
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([])
  })

  test('objects validate against their schemas', async () => {
    const problems: string[] = []
    for (const object of objects) {
      for (const problem of await validateObject(object))
        problems.push(`${objectId(object)}: ${problem}`)
    }
    expect(problems).toEqual([])
  })

  test('redis-streams triggers use known metadata', () => {
    const triggers = (objects.filter((object) => object.kind === 'ScaledObject') as ScaledObject[])
      .flatMap((scaled) => scaled.spec.triggers)
      .filter((trigger) => trigger.type === 'redis-streams')
    expect(triggers.length).toBeGreaterThan(0)

    for (const { metadata } of triggers) {
      expect(Object.keys(metadata).filter((key) => !REDIS_STREAMS_METADATA.has(key))).toEqual([])
      expect(metadata.stream).toMatch(/\S/)
      const counts = REDIS_STREAMS_COUNTS.filter((key) => metadata[key] !== undefined)
      expect(counts.length).toBeGreaterThan(0)
      for (const key of counts) expect(metadata[key], key).toMatch(/^\d+$/)
    }
  })
})

describe('rendering', () => {
  test('names kubectl when it is missing', async () => {
    const configured = process.env.KUBECTL
    process.env.KUBECTL = '/nonexistent/kubectl'
    try {
      await expect(renderKustomization('base')).rejects.toThrow(
        /^kubectl not found \(\/nonexistent\/kubectl\): install kubectl/,
      )
    } finally {
      if (configured === undefined) delete process.env.KUBECTL
      else process.env.KUBECTL = configured
    }
  })
})

describe('schema validation', () => {
  test('reports a misspelt field', async () => {
    const [deployment] = (await renderKustomization('base')).filter(
      (object) => object.kind === 'Deployment',
    )
    const broken = structuredClone(deployment) as KubernetesObject & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } }
    }
    const container = broken.spec.template.spec.containers[0] as Record<string, unknown>
    container.readinesProbe = container.readinessProbe

    expect(await validateObject(broken)).toEqual([
      'unknown field /spec/template/spec/containers/0/readinesProbe',
    ])
  })

  test('reports a value of the wrong type', async () => {
    const [deployment] = (await renderKustomization('base')).filter(
      (object) => object.kind === 'Deployment',
    )
    const broken = structuredClone(deployment) as KubernetesObject & {
      spec: Record<string, unknown>
    }
    broken.spec.revisionHistoryLimit = 'three'

    const problems = await validateObject(broken)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain('revisionHistoryLimit must be integer')
  })
})
