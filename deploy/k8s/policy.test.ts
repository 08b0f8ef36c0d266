import { readFile } from 'node:fs/promises'

import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import type { IService } from 'kubernetes-models/v1/Service'
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication'
import { beforeAll, describe, expect, test } from 'vitest'
import { parse } from 'yaml'

import { containerEnvironment } from '../testing/environment.js'
import {
  KUSTOMIZATIONS,
  REPO_ROOT,
  findObject,
  objectsOfKind,
  renderKustomization,
  type KubernetesObject,
} from '../testing/kustomize.js'
import { isIngressAdmitted, type Source } from '../testing/network-policies.js'
import {
  findGenerated,
  imageReference,
  podTemplates,
  selectorMatches,
  templateContainers,
  type PodTemplate,
} from '../testing/workloads.js'

type Deployment = IDeployment & KubernetesObject
type Service = IService & KubernetesObject

/** Images built from this repository; every other image must carry a version tag. */
const OWN_IMAGES = new Set(['fractal-api', 'fractal-worker'])
const APP_WORKLOADS = ['api-auth', 'api-tasks', 'worker']

const rendered = new Map<string, KubernetesObject[]>()

beforeAll(async () => {
  for (const name of KUSTOMIZATIONS) rendered.set(name, await renderKustomization(name))
})

function objectsOf(name: string): KubernetesObject[] {
  const objects = rendered.get(name)
  if (objects === undefined) throw new Error(`kustomization ${name} was not rendered`)
  return objects
}

function templateOf(objects: KubernetesObject[], name: string): PodTemplate {
  const template = podTemplates(objects).find((candidate) => candidate.owner.metadata.name === name)
  if (template === undefined) throw new Error(`no workload named ${name}`)
  return template
}

function serviceTemplates(objects: KubernetesObject[], service: Service): PodTemplate[] {
  const selector = service.spec?.selector ?? {}
  return podTemplates(objects).filter(
    (template) =>
      template.namespace === service.metadata.namespace &&
      Object.keys(selector).length > 0 &&
      selectorMatches({ matchLabels: selector }, template.labels),
  )
}

describe.each(KUSTOMIZATIONS)('containers in %s', (name) => {
  test('have CPU and memory requests and limits', () => {
    for (const { container, id } of templateContainers(objectsOf(name))) {
      for (const kind of ['requests', 'limits'] as const) {
        expect(container.resources?.[kind]?.cpu, `${id} ${kind}.cpu`).toBeDefined()
        expect(container.resources?.[kind]?.memory, `${id} ${kind}.memory`).toBeDefined()
      }
    }
  })

  test('have liveness and readiness probes, except init and Job containers', () => {
    for (const { container, id, init, template } of templateContainers(objectsOf(name))) {
      if (init || template.owner.kind === 'Job') continue
      expect(container.livenessProbe, `${id} livenessProbe`).toBeDefined()
      expect(container.readinessProbe, `${id} readinessProbe`).toBeDefined()
    }
  })

  test('run as non-root without privilege escalation or capabilities', () => {
    for (const { container, id, template } of templateContainers(objectsOf(name))) {
      const pod = template.spec.securityContext ?? {}
      const own = container.securityContext ?? {}
      expect(own.runAsNonRoot ?? pod.runAsNonRoot, `${id} runAsNonRoot`).toBe(true)
      expect(own.runAsUser ?? pod.runAsUser, `${id} runAsUser`).toBeGreaterThan(0)
      expect(own.allowPrivilegeEscalation, `${id} allowPrivilegeEscalation`).toBe(false)
      expect(own.privileged ?? false, `${id} privileged`).toBe(false)
      expect(own.capabilities?.drop, `${id} capabilities.drop`).toContain('ALL')
      expect(own.capabilities?.add ?? [], `${id} capabilities.add`).toEqual([])
      expect(own.readOnlyRootFilesystem, `${id} readOnlyRootFilesystem`).toBe(true)
      // The namespace enforces Pod Security "restricted", which requires a seccomp profile.
      expect((own.seccompProfile ?? pod.seccompProfile)?.type, `${id} seccompProfile`).toBe(
        'RuntimeDefault',
      )
    }
  })

  test('use pinned image tags', () => {
    for (const { container, id } of templateContainers(objectsOf(name))) {
      const image = imageReference(container.image ?? '')
      expect(image.tag ?? image.digest, `${id} image ${container.image} has a tag`).toBeDefined()
      expect(image.tag, `${id} image ${container.image}`).not.toBe('latest')
      // A version, not a channel such as `stable` or `alpine`, for images from elsewhere.
      if (!OWN_IMAGES.has(image.name))
        expect(image.tag, `${id} image ${container.image}`).toMatch(/\d/)
    }
  })
})

describe.each(KUSTOMIZATIONS)('references in %s', (name) => {
  test('namespaced objects share one namespace', () => {
    const namespaces = objectsOf(name)
      .filter(
        (object) =>
          !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass'].includes(object.kind),
      )
      .map((object) => object.metadata.namespace)
    expect(new Set(namespaces)).toEqual(new Set(['fractal']))
  })

  test('services select pods and target their ports', () => {
    const objects = objectsOf(name)
    for (const service of objectsOfKind<Service>(objects, 'Service')) {
      const templates = serviceTemplates(objects, service)
      expect(templates.length, `pods of Service ${service.metadata.name}`).toBeGreaterThan(0)

      const containerPorts = templates.flatMap((template) =>
        template.spec.containers.flatMap((container) => container.ports ?? []),
      )
      for (const port of service.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port
        const found = containerPorts.some((candidate) =>
          typeof target === 'string'
            ? candidate.name === target
            : candidate.containerPort === target,
        )
        expect(found, `Service ${service.metadata.name} targetPort ${target}`).toBe(true)
      }
    }
  })

  test('ingress backends name existing services and ports', () => {
    const objects = objectsOf(name)
    const classes = objectsOfKind(objects, 'IngressClass').map((object) => object.metadata.name)
    for (const ingress of objectsOfKind<IIngress & KubernetesObject>(objects, 'Ingress')) {
      expect(classes, `IngressClass of Ingress ${ingress.metadata.name}`).toContain(
        ingress.spec?.ingressClassName,
      )

      const paths = (ingress.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? [])
      expect(paths.length).toBeGreaterThan(0)
      for (const { path, backend } of paths) {
        const service = findObject<Service>(objects, 'Service', backend.service?.name ?? '')
        const port = backend.service?.port
        const exposed = (service.spec?.ports ?? []).some((candidate) =>
          port?.name !== undefined ? candidate.name === port.name : candidate.port === port?.number,
        )
        expect(exposed, `Ingress path ${path} port ${JSON.stringify(port)}`).toBe(true)
      }
    }
  })

  test('disruption budgets select existing pods', () => {
    const objects = objectsOf(name)
    const budgets = objectsOfKind<IPodDisruptionBudget & KubernetesObject>(
      objects,
      'PodDisruptionBudget',
    )
    expect(budgets.map((budget) => budget.metadata.name).sort()).toEqual([
      'api-auth',
      'api-tasks',
      'worker',
    ])

    for (const budget of budgets) {
      const selected = podTemplates(objects).filter(
        (template) =>
          template.namespace === budget.metadata.namespace &&
          selectorMatches(budget.spec?.selector ?? {}, template.labels),
      )
      expect(
        selected.map((template) => template.owner.metadata.name),
        `PDB ${budget.metadata.name}`,
      ).toEqual([budget.metadata.name])
    }
  })

  test('autoscaled deployments leave the replica count to the autoscaler', () => {
    const objects = objectsOf(name)
    const hpaTargets = objectsOfKind<IHorizontalPodAutoscaler & KubernetesObject>(
      objects,
      'HorizontalPodAutoscaler',
    ).map((hpa) => {
      if (hpa.spec === undefined)
        throw new Error(`HorizontalPodAutoscaler ${hpa.metadata.name} has no spec`)
      return hpa.spec.scaleTargetRef
    })
    const kedaTargets = objectsOfKind<IScaledObject & KubernetesObject>(
      objects,
      'ScaledObject',
    ).map((scaled) => scaled.spec.scaleTargetRef)
    expect(hpaTargets.map((target) => target.name).sort()).toEqual(['api-auth', 'api-tasks'])
    expect(kedaTargets.map((target) => target.name)).toEqual(['worker'])

    for (const target of [...hpaTargets, ...kedaTargets]) {
      expect(target.kind ?? 'Deployment').toBe('Deployment')
      const deployment = findObject<Deployment>(objects, 'Deployment', target.name)
      expect(deployment.spec?.replicas, `Deployment ${target.name} replicas`).toBeUndefined()
    }
  })

  test('role bindings name the Traefik service account in its namespace', () => {
    const objects = objectsOf(name)
    const account = findObject(objects, 'ServiceAccount', 'traefik')
    const bindings = [
      ...objectsOfKind<IClusterRoleBinding & KubernetesObject>(objects, 'ClusterRoleBinding'),
      ...objectsOfKind<IRoleBinding & KubernetesObject>(objects, 'RoleBinding'),
    ]
    expect(bindings).toHaveLength(2)
    for (const binding of bindings) {
      expect(findObject(objects, binding.roleRef.kind, binding.roleRef.name)).toBeDefined()
      expect(binding.subjects).toHaveLength(1)
      const subject = binding.subjects?.[0]
      expect(subject?.kind).toBe('ServiceAccount')
      expect(subject?.name).toBe(account.metadata.name)
      // A RoleBinding's subject defaults to the binding's namespace; a ClusterRoleBinding's must name one.
      expect(subject?.namespace ?? binding.metadata.namespace, binding.kind).toBe(
        account.metadata.namespace,
      )
    }
  })
})

describe('base', () => {
  test('holds no Secret', () => {
    expect(objectsOfKind(objectsOf('base'), 'Secret')).toEqual([])
  })

  test('runs Redis with append-only persistence', () => {
    const redis = templateOf(objectsOf('base'), 'redis').spec.containers[0]
    const args = [...(redis?.command ?? []), ...(redis?.args ?? [])]
    const flag = args.indexOf('--appendonly')
    expect(flag).toBeGreaterThanOrEqual(0)
    expect(args[flag + 1]).toBe('yes')
  })

  test('API deployments differ only in name, labels and API_ROUTES', () => {
    const objects = objectsOf('base')
    const [auth, tasks] = ['api-auth', 'api-tasks'].map((name) => {
      const deployment = structuredClone(findObject<Deployment>(objects, 'Deployment', name))
      const container = deployment.spec?.template.spec?.containers[0]
      const routes = container?.env?.find((variable) => variable.name === 'API_ROUTES')
      return { deployment, routes }
    })
    expect(auth?.routes?.value).toBe('auth')
    expect(tasks?.routes?.value).toBe('tasks')

    const normalise = (deployment: Deployment) =>
      JSON.stringify(deployment)
        .replaceAll('api-auth', 'API')
        .replaceAll('api-tasks', 'API')
        .replace(/"value":"(auth|tasks)"/, '"value":"ROUTES"')
    expect(normalise(auth?.deployment as Deployment)).toBe(
      normalise(tasks?.deployment as Deployment),
    )
  })

  test('ingress routes each path to the service that serves it', () => {
    const objects = objectsOf('base')
    const ingress = findObject<IIngress & KubernetesObject>(objects, 'Ingress', 'api')
    const routes = Object.fromEntries(
      (ingress.spec?.rules ?? [])
        .flatMap((rule) => rule.http?.paths ?? [])
        .map((path) => [path.path, path.backend.service?.name]),
    )
    expect(routes).toEqual({
      '/v1/auth': 'api-auth',
      '/v1/users': 'api-auth',
      '/v1/tasks': 'api-tasks',
      '/openapi.json': 'api-tasks',
      '/docs': 'api-tasks',
    })
  })

  test('worker grace period covers its shutdown wait', () => {
    const worker = templateOf(objectsOf('base'), 'worker')
    const env = worker.spec.containers[0]?.env ?? []
    const graceMs = Number(env.find((variable) => variable.name === 'SHUTDOWN_GRACE_MS')?.value)
    expect(graceMs).toBeGreaterThan(0)
    // The worker then releases the task and closes Redis and PostgreSQL, which takes seconds.
    expect((worker.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThanOrEqual(
      graceMs + 10_000,
    )
  })

  test('worker autoscaler reads the queue stream from Redis', () => {
    const objects = objectsOf('base')
    const scaled = findObject<IScaledObject & KubernetesObject>(objects, 'ScaledObject', 'worker')
    const trigger = scaled.spec.triggers[0]
    const config = findGenerated(objects, 'ConfigMap', 'app-config') as KubernetesObject & {
      data: Record<string, string>
    }
    const redis = findObject<Service>(objects, 'Service', 'redis')

    expect(scaled.spec.triggers).toHaveLength(1)
    expect(trigger?.type).toBe('redis-streams')
    expect(trigger?.metadata.stream).toBe(`${config.data.REDIS_KEY_PREFIX}tasks`)
    expect(trigger?.metadata.address).toBe(
      `redis.${redis.metadata.namespace}.svc.cluster.local:${redis.spec?.ports?.[0]?.port}`,
    )
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1)

    const authentication = findObject<ITriggerAuthentication & KubernetesObject>(
      objects,
      'TriggerAuthentication',
      trigger?.authenticationRef?.name ?? '',
    )
    expect(
      authentication.spec.secretTargetRef?.map((ref) => [ref.parameter, ref.name, ref.key]),
    ).toEqual([['password', 'redis-credentials', 'REDIS_PASSWORD']])
  })
})

describe.each(['overlays/kind', 'overlays/gpu'])('environment in %s', (name) => {
  test('every Secret and ConfigMap reference resolves', () => {
    const objects = objectsOf(name)
    for (const { container, id, template } of templateContainers(objects)) {
      expect(() => containerEnvironment(objects, container, template.namespace), id).not.toThrow()
    }
  })

  test('KEDA authentication names an existing Secret key', () => {
    const objects = objectsOf(name)
    const authentication = findObject<ITriggerAuthentication & KubernetesObject>(
      objects,
      'TriggerAuthentication',
      'redis',
    )
    for (const reference of authentication.spec.secretTargetRef ?? []) {
      const secret = findObject<KubernetesObject & { data: Record<string, string> }>(
        objects,
        'Secret',
        reference.name,
      )
      expect(Object.keys(secret.data), `Secret ${reference.name}`).toContain(reference.key)
    }
  })

  test('API and worker reach services that exist', () => {
    const objects = objectsOf(name)
    const services = new Map(
      objectsOfKind<Service>(objects, 'Service').map((service) => [
        service.metadata.name,
        (service.spec?.ports ?? []).map((port) => port.port),
      ]),
    )
    for (const workload of APP_WORKLOADS) {
      const template = templateOf(objects, workload)
      const container = template.spec.containers[0]
      if (container === undefined) throw new Error(`${workload} has no container`)
      const env = containerEnvironment(objects, container, template.namespace)

      for (const variable of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT']) {
        const url = new URL(env[variable] ?? '')
        expect(services.get(url.hostname), `${workload} ${variable} host`).toBeDefined()
        expect(services.get(url.hostname), `${workload} ${variable} port`).toContain(
          Number(url.port),
        )
      }
    }
  })
})

describe('network policies', () => {
  const kedaOperator: Source = { pod: { namespace: 'keda', labels: { app: 'keda-operator' } } }
  const otherNamespace: Source = {
    pod: { namespace: 'default', labels: { 'app.kubernetes.io/name': 'worker' } },
  }
  const outside: Source = { external: true }

  /** Names of the rendered workloads whose pods may connect to `target` on its first port. */
  function admittedWorkloads(objects: KubernetesObject[], target: string, port: number): string[] {
    const destination = templateOf(objects, target)
    return podTemplates(objects)
      .filter((source) =>
        isIngressAdmitted(
          objects,
          { pod: { namespace: source.namespace, labels: source.labels } },
          {
            namespace: destination.namespace,
            labels: destination.labels,
            containers: destination.spec.containers,
            port,
          },
        ),
      )
      .map((source) => source.owner.metadata.name)
      .sort()
  }

  function admits(
    objects: KubernetesObject[],
    source: Source,
    target: string,
    port: number,
  ): boolean {
    const destination = templateOf(objects, target)
    return isIngressAdmitted(objects, source, {
      namespace: destination.namespace,
      labels: destination.labels,
      containers: destination.spec.containers,
      port,
    })
  }

  describe.each(KUSTOMIZATIONS)('in %s', (name) => {
    test('PostgreSQL admits only API and worker pods', () => {
      const objects = objectsOf(name)
      expect(admittedWorkloads(objects, 'postgres', 5432)).toEqual(APP_WORKLOADS)
      expect(admits(objects, kedaOperator, 'postgres', 5432)).toBe(false)
      expect(admits(objects, otherNamespace, 'postgres', 5432)).toBe(false)
      expect(admits(objects, outside, 'postgres', 5432)).toBe(false)
    })

    test('Redis admits only API and worker pods, and the KEDA operator', () => {
      const objects = objectsOf(name)
      expect(admittedWorkloads(objects, 'redis', 6379)).toEqual(APP_WORKLOADS)
      expect(admits(objects, kedaOperator, 'redis', 6379)).toBe(true)
      expect(
        admits(objects, { pod: { namespace: 'keda', labels: { app: 'other' } } }, 'redis', 6379),
      ).toBe(false)
      expect(admits(objects, otherNamespace, 'redis', 6379)).toBe(false)
      expect(admits(objects, outside, 'redis', 6379)).toBe(false)
    })

    test('API pods admit only Traefik', () => {
      const objects = objectsOf(name)
      for (const api of ['api-auth', 'api-tasks']) {
        expect(admittedWorkloads(objects, api, 8080), api).toEqual(['traefik'])
        expect(admits(objects, outside, api, 8080), api).toBe(false)
      }
    })

    test('Traefik admits requests from outside on its web port only', () => {
      const objects = objectsOf(name)
      expect(admits(objects, outside, 'traefik', 8000)).toBe(true)
      expect(admits(objects, outside, 'traefik', 8082)).toBe(false)
    })

    test('worker pods admit no connections', () => {
      const objects = objectsOf(name)
      expect(admittedWorkloads(objects, 'worker', 8081)).toEqual([])
      expect(admits(objects, outside, 'worker', 8081)).toBe(false)
    })
  })

  test('MinIO admits API, worker and bucket Job pods in base', () => {
    expect(admittedWorkloads(objectsOf('base'), 'minio', 9000)).toEqual(
      [...APP_WORKLOADS, 'minio-setup'].sort(),
    )
  })

  // NodePort traffic reaches MinIO with the node's address, so the kind overlay admits every
  // source on the S3 port and relies on request signatures.
  test('MinIO admits downloads from outside only in overlays', () => {
    expect(admits(objectsOf('base'), outside, 'minio', 9000)).toBe(false)
    expect(admits(objectsOf('overlays/kind'), outside, 'minio', 9000)).toBe(true)
  })
})

describe('kind cluster', () => {
  interface PortMapping {
    containerPort: number
    hostPort: number
  }

  async function portMappings(): Promise<PortMapping[]> {
    const config = parse(await readFile(`${REPO_ROOT}kind-cluster.yaml`, 'utf8')) as {
      nodes: { role: string; extraPortMappings?: PortMapping[] }[]
    }
    expect(config.nodes.map((node) => node.role)).toEqual(['control-plane'])
    return config.nodes[0]?.extraPortMappings ?? []
  }

  function nodePort(objects: KubernetesObject[], service: string): number | undefined {
    const found = findObject<Service>(objects, 'Service', service)
    expect(found.spec?.type).toBe('NodePort')
    return found.spec?.ports?.[0]?.nodePort
  }

  test('host port 8080 reaches Traefik', async () => {
    const mapping = (await portMappings()).find((candidate) => candidate.hostPort === 8080)
    expect(mapping?.containerPort).toBe(nodePort(objectsOf('overlays/kind'), 'traefik'))
  })

  test('host port 9000 reaches MinIO, where pre-signed URLs point', async () => {
    const objects = objectsOf('overlays/kind')
    const mapping = (await portMappings()).find((candidate) => candidate.hostPort === 9000)
    expect(mapping?.containerPort).toBe(nodePort(objects, 'minio'))

    const config = findGenerated(objects, 'ConfigMap', 'app-config') as KubernetesObject & {
      data: Record<string, string>
    }
    expect(config.data.S3_PUBLIC_ENDPOINT).toBe('http://localhost:9000')
  })
})
