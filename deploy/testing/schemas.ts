import type { KubernetesObject } from './kustomize.js'

/** A model class of `kubernetes-models`: validates the fields that are set on the instance. */
interface ModelClass {
  new (data: object): { validate(): void }
}

/**
 * Modules that export a model class per kind, by apiVersion. Built-in API groups follow one
 * pattern in `kubernetes-models`; custom resources come from their own packages.
 */
function modelModule(apiVersion: string): string {
  if (apiVersion === 'keda.sh/v1alpha1') return '@kubernetes-models/keda/keda.sh/v1alpha1'
  return `kubernetes-models/${apiVersion}`
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass> {
  const specifier = modelModule(apiVersion)
  let exports: Record<string, unknown>
  try {
    exports = (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    throw new Error(`no schema package for apiVersion ${apiVersion} (tried ${specifier})`, {
      cause: error,
    })
  }
  const model = exports[kind]
  if (typeof model !== 'function') throw new Error(`${specifier} has no model for kind ${kind}`)
  return model as ModelClass
}

/**
 * Validates `object` against the OpenAPI schema of its apiVersion and kind, and returns the
 * problems found, or an empty list. Besides the schema's own checks (types, enums, required
 * fields, formats) it reports fields the schema does not define, as `kubectl apply
 * --validate=strict` does: the Kubernetes schemas allow unknown fields, so a misspelt field
 * such as `readinesProbe` would otherwise pass and be dropped by the API server.
 */
export async function validateObject(object: KubernetesObject): Promise<string[]> {
  const Model = await loadModel(object.apiVersion, object.kind)
  const instance = new Model(withoutBase64LineBreaks(object))
  const reads = new ReadTracker()
  try {
    // The generated validators read each property the schema defines and enumerate the keys of
    // maps. Running one on a proxy records which fields it knew.
    instance.validate.call(reads.watch(instance, ''))
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)]
  }
  return reads.unknownFields(object, '')
}

/**
 * Returns `object` with line breaks removed from Secret data. Kustomize wraps long base64 values
 * over several lines. The API server decodes them with Go's base64 decoder, which skips line
 * breaks, but the schema's `byte` format rejects them.
 */
function withoutBase64LineBreaks(object: KubernetesObject): KubernetesObject {
  const data = object.data
  if (object.kind !== 'Secret' || typeof data !== 'object' || data === null) return object
  const joined = Object.entries(data).map(([key, value]) => [
    key,
    String(value).replace(/[\r\n]/g, ''),
  ])
  return { ...object, data: Object.fromEntries(joined) }
}

/** Records the property reads and key enumerations that a validator makes on an object tree. */
class ReadTracker {
  readonly #read = new Set<string>()
  readonly #enumerated = new Set<string>()

  watch(target: unknown, path: string): unknown {
    if (typeof target !== 'object' || target === null) return target
    return new Proxy(target, {
      get: (object, key, receiver) => {
        const value: unknown = Reflect.get(object, key, receiver)
        if (typeof key !== 'string' || !Object.hasOwn(object, key)) return value
        this.#read.add(`${path}/${key}`)
        return this.watch(value, `${path}/${key}`)
      },
      ownKeys: (object) => {
        this.#enumerated.add(path)
        return Reflect.ownKeys(object)
      },
    })
  }

  /** Lists the fields of `value` that the validator neither read nor met as map keys. */
  unknownFields(value: unknown, path: string): string[] {
    if (typeof value !== 'object' || value === null) return []
    const unknown: string[] = []
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}/${key}`
      const known = Array.isArray(value) || this.#enumerated.has(path) || this.#read.has(childPath)
      if (known) unknown.push(...this.unknownFields(child, childPath))
      else unknown.push(`unknown field ${childPath}`)
    }
    return unknown
  }
}
