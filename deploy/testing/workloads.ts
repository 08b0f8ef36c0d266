import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec'
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector'

import type { KubernetesObject } from './kustomize.js'

/** Kinds whose objects carry a pod template at `spec.template`. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job'])

/** The pod template of a workload, with the object that owns it. */
export interface PodTemplate {
  owner: KubernetesObject
  namespace: string
  labels: Record<string, string>
  spec: IPodSpec
}

/** A container of a pod template; `init` marks init containers. */
export interface TemplateContainer {
  template: PodTemplate
  container: IContainer
  init: boolean
  /** `Kind/name/container`, how tests name it in messages. */
  id: string
}

/** Returns the pod templates of every Deployment, StatefulSet, DaemonSet and Job. */
export function podTemplates(objects: KubernetesObject[]): PodTemplate[] {
  return objects
    .filter((object) => WORKLOAD_KINDS.has(object.kind))
    .map((owner) => {
      const template = (
        owner.spec as {
          template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec }
        }
      ).template
      return {
        owner,
        namespace: owner.metadata.namespace ?? 'default',
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
      }
    })
}

/** Returns every container and init container of every pod template. */
export function templateContainers(objects: KubernetesObject[]): TemplateContainer[] {
  return podTemplates(objects).flatMap((template) => {
    const name = `${template.owner.kind}/${template.owner.metadata.name}`
    const entry = (container: IContainer, init: boolean) => ({
      template,
      container,
      init,
      id: `${name}/${container.name}`,
    })
    return [
      ...(template.spec.initContainers ?? []).map((container) => entry(container, true)),
      ...template.spec.containers.map((container) => entry(container, false)),
    ]
  })
}

/** Returns whether `labels` satisfy `selector`, with the semantics of a Kubernetes LabelSelector. */
export function selectorMatches(selector: ILabelSelector, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {})
  if (!pairs.every(([key, value]) => labels[key] === value)) return false

  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key]
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value)
      case 'NotIn':
        return value === undefined || !values.includes(value)
      case 'Exists':
        return value !== undefined
      case 'DoesNotExist':
        return value === undefined
      default:
        throw new Error(`unknown label selector operator ${operator}`)
    }
  })
}

/** Splits an image reference such as `quay.io/minio/mc:RELEASE.x` into name, tag and digest. */
export function imageReference(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest = '', digest] = image.split('@')
  // A colon before the last slash belongs to a registry's port, not to a tag.
  const lastSlash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.indexOf(':', lastSlash + 1)
  if (colon === -1) return { name: withoutDigest, digest }
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest }
}

/**
 * Returns whether a Secret or ConfigMap named `name` is `base` itself or `base` with the content
 * hash that Kustomize's generators append.
 */
export function isGeneratedName(name: string, base: string): boolean {
  return name === base || new RegExp(`^${base}-[a-z0-9]{10}$`).test(name)
}

/** Returns the one object of `kind` whose name is `base` or `base` plus a generator hash. */
export function findGenerated(
  objects: KubernetesObject[],
  kind: string,
  base: string,
): KubernetesObject {
  const found = objects.filter(
    (object) => object.kind === kind && isGeneratedName(object.metadata.name, base),
  )
  if (found.length !== 1)
    throw new Error(`expected one ${kind} generated from ${base}, found ${found.length}`)
  return found[0] as KubernetesObject
}
