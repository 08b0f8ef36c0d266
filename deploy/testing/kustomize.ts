import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { parseAllDocuments } from 'yaml'

/** Repository root, the build context of the images and the base of every path in tests. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Kustomization folders under `deploy/k8s`, each rendered and checked on its own. */
export const KUSTOMIZATIONS = ['base', 'overlays/kind', 'overlays/gpu'] as const
export type KustomizationName = (typeof KUSTOMIZATIONS)[number]

/** Fields every rendered object has; the rest is typed where a test reads it. */
export interface KubernetesObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  [field: string]: unknown
}

/** Largest rendered output accepted, in bytes; the kind overlay renders to about 50 KB. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024

/**
 * Renders `deploy/k8s/<name>` with `kubectl kustomize`, which bundles Kustomize, and returns the
 * objects. `KUBECTL` selects the binary; by default `kubectl` is looked up on PATH.
 *
 * @throws Error naming kubectl when it is missing, or with Kustomize's message when it fails.
 */
export async function renderKustomization(name: KustomizationName): Promise<KubernetesObject[]> {
  const kubectl = process.env.KUBECTL ?? 'kubectl'
  const dir = `${REPO_ROOT}deploy/k8s/${name}`
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      kubectl,
      ['kustomize', dir],
      { maxBuffer: MAX_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout)
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          const fix =
            'install kubectl 1.27 or later (it bundles Kustomize 5) or set KUBECTL to its path'
          return reject(new Error(`kubectl not found (${kubectl}): ${fix}`))
        }
        reject(new Error(`kubectl kustomize ${dir} failed: ${stderr.trim() || error.message}`))
      },
    )
  })
  return parseManifests(output, dir)
}

/** Parses a multi-document YAML stream of Kubernetes objects; `source` names it in errors. */
export function parseManifests(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = []
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      throw new Error(`invalid YAML in ${source}: ${document.errors[0]?.message}`)
    }
    const value = document.toJS() as unknown
    if (value === null) continue
    if (!isKubernetesObject(value)) {
      throw new Error(`${source} contains a document without apiVersion, kind or metadata.name`)
    }
    objects.push(value)
  }
  return objects
}

function isKubernetesObject(value: unknown): value is KubernetesObject {
  if (typeof value !== 'object' || value === null) return false
  const { apiVersion, kind, metadata } = value as Record<string, unknown>
  const name = (metadata as Record<string, unknown> | undefined)?.name
  return typeof apiVersion === 'string' && typeof kind === 'string' && typeof name === 'string'
}

/** Returns `kind/namespace/name`, how tests name an object in messages. */
export function objectId(object: KubernetesObject): string {
  const namespace = object.metadata.namespace ?? '(cluster)'
  return `${object.kind}/${namespace}/${object.metadata.name}`
}

/** Returns the objects of `kind`, typed as `T` for the fields a test reads. */
export function objectsOfKind<T extends KubernetesObject>(
  objects: KubernetesObject[],
  kind: string,
): T[] {
  return objects.filter((object) => object.kind === kind) as T[]
}

/** Returns the one object of `kind` named `name`, or throws naming both. */
export function findObject<T extends KubernetesObject>(
  objects: KubernetesObject[],
  kind: string,
  name: string,
): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name)
  if (found === undefined) throw new Error(`rendered manifests have no ${kind} named ${name}`)
  return found as T
}
