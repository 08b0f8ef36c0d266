import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer'
import type { IContainer } from 'kubernetes-models/v1/Container'

import type { KubernetesObject } from './kustomize.js'
import { selectorMatches } from './workloads.js'

/** The origin of a connection: a pod in a namespace, or an address outside the cluster. */
export type Source =
  | {
      pod: {
        namespace: string
        labels: Record<string, string>
        namespaceLabels?: Record<string, string>
      }
    }
  | { external: true }

/** The pod a connection goes to, and the port number it connects to. */
export interface Destination {
  namespace: string
  labels: Record<string, string>
  /** The pod's containers, to resolve named ports in policies. */
  containers: IContainer[]
  port: number
}

type Policy = INetworkPolicy & KubernetesObject

/**
 * Decides whether the ingress NetworkPolicies in `objects` admit a TCP connection from `source`
 * to `destination`, following the NetworkPolicy API. A pod that no Ingress policy selects admits
 * everything. Otherwise one rule of one selecting policy must admit both the peer and the port.
 * An `ipBlock` peer is taken to match only sources outside the cluster, because the API leaves it
 * to the network plugin how pod addresses inside an ipBlock are treated.
 */
export function isIngressAdmitted(
  objects: KubernetesObject[],
  source: Source,
  destination: Destination,
): boolean {
  const selecting = (
    objects.filter((object) => object.kind === 'NetworkPolicy') as Policy[]
  ).filter(
    (policy) =>
      (policy.metadata.namespace ?? 'default') === destination.namespace &&
      selectorMatches(policy.spec?.podSelector ?? {}, destination.labels) &&
      restrictsIngress(policy),
  )
  if (selecting.length === 0) return true

  return selecting.some((policy) =>
    (policy.spec?.ingress ?? []).some(
      (rule) =>
        (rule.from === undefined ||
          rule.from.length === 0 ||
          rule.from.some((peer) => peerMatches(peer, source, policy))) &&
        (rule.ports === undefined ||
          rule.ports.length === 0 ||
          rule.ports.some((port) => portMatches(port.port, port.protocol, destination))),
    ),
  )
}

// policyTypes defaults to ["Ingress"], plus "Egress" when egress rules exist.
function restrictsIngress(policy: Policy): boolean {
  const types = policy.spec?.policyTypes
  return types === undefined || types.includes('Ingress')
}

function peerMatches(peer: INetworkPolicyPeer, source: Source, policy: Policy): boolean {
  if (peer.ipBlock !== undefined) return 'external' in source
  if ('external' in source) return false

  const { namespace, labels } = source.pod
  const namespaceLabels = {
    'kubernetes.io/metadata.name': namespace,
    ...source.pod.namespaceLabels,
  }
  if (
    peer.namespaceSelector === undefined &&
    namespace !== (policy.metadata.namespace ?? 'default')
  )
    return false
  if (
    peer.namespaceSelector !== undefined &&
    !selectorMatches(peer.namespaceSelector, namespaceLabels)
  )
    return false
  return peer.podSelector === undefined || selectorMatches(peer.podSelector, labels)
}

function portMatches(
  port: number | string | undefined,
  protocol: string | undefined,
  destination: Destination,
) {
  if ((protocol ?? 'TCP') !== 'TCP') return false
  if (port === undefined) return true
  if (typeof port === 'number') return port === destination.port

  // A named port matches the container port of that name, whatever its number.
  return destination.containers.some((container) =>
    (container.ports ?? []).some(
      (containerPort) =>
        containerPort.name === port && containerPort.containerPort === destination.port,
    ),
  )
}
