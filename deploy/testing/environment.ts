import type { IContainer } from 'kubernetes-models/v1/Container'

import type { KubernetesObject } from './kustomize.js'

interface DataObject extends KubernetesObject {
  data?: Record<string, string>
}

function findData(
  objects: KubernetesObject[],
  kind: 'ConfigMap' | 'Secret',
  name: string,
  namespace?: string,
) {
  const found = objects.find(
    (object) =>
      object.kind === kind &&
      object.metadata.name === name &&
      object.metadata.namespace === namespace,
  ) as DataObject | undefined
  if (found === undefined)
    throw new Error(`no ${kind} ${namespace}/${name} in the rendered manifests`)

  const data = found.data ?? {}
  if (kind === 'ConfigMap') return data
  // Buffer's base64 decoder skips the line breaks that Kustomize puts into long values.
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  )
}

function lookUp(data: Record<string, string>, key: string, source: string): string {
  const value = data[key]
  if (value === undefined) throw new Error(`${source} has no key ${key}`)
  return value
}

/**
 * Returns the environment variables that the kubelet would give `container`, resolved against
 * the ConfigMaps and Secrets in `objects`: `envFrom` first, then `env`, whose entries win. A
 * reference to a missing object or key throws, unless the reference is `optional`.
 *
 * @throws Error for a `fieldRef` other than `metadata.namespace`, or a `resourceFieldRef`: only the
 *   kubelet can resolve those.
 */
export function containerEnvironment(
  objects: KubernetesObject[],
  container: IContainer,
  namespace: string | undefined,
): Record<string, string> {
  const environment: Record<string, string> = {}

  for (const source of container.envFrom ?? []) {
    const reference = source.configMapRef ?? source.secretRef
    const kind = source.configMapRef !== undefined ? 'ConfigMap' : 'Secret'
    if (reference?.name === undefined)
      throw new Error(`envFrom entry without a name in ${container.name}`)
    if (reference.optional === true && !hasObject(objects, kind, reference.name, namespace))
      continue
    for (const [key, value] of Object.entries(findData(objects, kind, reference.name, namespace))) {
      environment[`${source.prefix ?? ''}${key}`] = value
    }
  }

  for (const variable of container.env ?? []) {
    const from = variable.valueFrom
    if (from === undefined) {
      environment[variable.name] = variable.value ?? ''
      continue
    }
    if (from.fieldRef?.fieldPath === 'metadata.namespace') {
      environment[variable.name] = namespace ?? 'default'
      continue
    }
    const reference = from.configMapKeyRef ?? from.secretKeyRef
    if (reference === undefined) {
      throw new Error(
        `${container.name}: ${variable.name} comes from a field only the kubelet can resolve`,
      )
    }
    const kind = from.configMapKeyRef !== undefined ? 'ConfigMap' : 'Secret'
    if (reference.optional === true && !hasObject(objects, kind, reference.name ?? '', namespace))
      continue
    const data = findData(objects, kind, reference.name ?? '', namespace)
    environment[variable.name] = lookUp(data, reference.key, `${kind} ${reference.name}`)
  }
  return environment
}

function hasObject(
  objects: KubernetesObject[],
  kind: string,
  name: string,
  namespace?: string,
): boolean {
  return objects.some(
    (object) =>
      object.kind === kind &&
      object.metadata.name === name &&
      object.metadata.namespace === namespace,
  )
}
