/**
 * The tenant naming contract: Kubernetes object names, labels, selectors and annotation keys
 * that the Tenant component renders and the policy pack relies on. Pure (no Pulumi).
 */
import { kubeOvnProvider } from "../cni-config";
import { NODE_AGENT_NAMES, PLATFORM_NAD_NAMES, PLATFORM_NAMESPACES } from "../pins";
import { MANAGED_BY } from "../platform/objects";
import { KINDS } from "../k8s/kinds";

export const PLATFORM_NAD_NAMESPACE = PLATFORM_NAMESPACES.nads;
export const KUBE_OVN_NAD_NAME = PLATFORM_NAD_NAMES.kubeOvn;

export const TENANT_LABEL = "tenantnet.io/tenant";
export const VM_LABEL = "tenantnet.io/vm";

/** The platform's Calico NAD: every VM's Multus default network (seed 000). */
export const CALICO_NAD_REF = `${PLATFORM_NAD_NAMESPACE}/${PLATFORM_NAD_NAMES.calico}`;

/**
 * The platform's node agents, the only workloads the program runs on the node's network, in its
 * PID namespace or privileged: Multus and the route-plugin installer (both DaemonSets).
 */
export const PLATFORM_NODE_AGENTS: readonly { type: string; namespace: string; name: string }[] = [
  { type: KINDS.daemonSet.type, namespace: PLATFORM_NAMESPACES.nodeAgents, name: NODE_AGENT_NAMES.multus },
  { type: KINDS.daemonSet.type, namespace: PLATFORM_NAMESPACES.nodeAgents, name: NODE_AGENT_NAMES.routePluginInstaller },
];

/** VM network/interface names: NIC 1 is the Calico underlay, NIC 2 the tenant VPC. */
export const UNDERLAY_NETWORK = "underlay";
export const VPC_NETWORK = "vpc";

/** Not `underlay-…`: that prefix is every VM's own policy, and a VM may be named anything. */
export const DEFAULT_DENY_POLICY = "default-deny-underlay";

/** Multus's annotations: extra attachments (comma or JSON form) and the pod's default network. */
export const MULTUS_NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";
export const MULTUS_DEFAULT_NETWORK_ANNOTATION = "v1.multus-cni.io/default-network";

/** Calico CNI reads a fixed IP for the pod from this annotation (a JSON list). */
export const CALICO_IP_ADDRS_ANNOTATION = "cni.projectcalico.org/ipAddrs";

/** Per-attachment Kube-OVN pod annotations, keyed `<provider>.kubernetes.io/<key>`. */
export type KubeOvnAnnotationKey =
  "ip_address" | "mac_address" | "logical_switch" | "ingress_rate" | "egress_rate" | "security_groups" | "port_security";

export function kubeOvnAnnotation(provider: string, key: KubeOvnAnnotationKey): string {
  return `${provider}.kubernetes.io/${key}`;
}

/**
 * The provider of a Kube-OVN annotation of `key`, or undefined for any other annotation. Kube-OVN
 * providers end in `ovn`: the default network's `ovn`, an attachment's `<nad>.<ns>.ovn`.
 */
export function kubeOvnAnnotationProvider(annotation: string, key: KubeOvnAnnotationKey): string | undefined {
  const suffix = `.kubernetes.io/${key}`;
  if (!annotation.endsWith(suffix)) return undefined;
  const provider = annotation.slice(0, -suffix.length);
  return provider === "ovn" || provider.endsWith(".ovn") ? provider : undefined;
}

/** Tenant-facing names: Kube-OVN Vpc, Subnet and SecurityGroup all take the namespace's name. */
export function vpcName(namespace: string): string {
  return namespace;
}

export function subnetName(namespace: string): string {
  return namespace;
}

export function securityGroupName(namespace: string): string {
  return namespace;
}

/**
 * The tenant's Kube-OVN VpcNatGateway (cluster-scoped) takes the namespace's name. Kube-OVN
 * v1.16.2 names its StatefulSet `vpc-nat-gw-<name>` and keeps that within 52 characters
 * (kubeovn/kube-ovn pkg/util/vpc_nat_gateway.go NatGwStatefulSetNameMaxLength, v1.16.2), so the
 * name may have 52 - "vpc-nat-gw-".length = 41.
 */
export const NAT_GATEWAY_NAME_MAX = 41;

export function natGatewayName(namespace: string): string {
  return namespace;
}

/** IptablesEIP and rule objects are cluster-scoped: prefixed with the tenant's namespace. */
export function natObjectName(namespace: string, ...parts: string[]): string {
  return [namespace, ...parts].join("-");
}

/** The platform's Calico IPReservation of platform.network.vmReservation, which holds every tenant's block. */
export const VM_RESERVATION_NAME = "tenantnet-vm-reservation";

export function ipReservationName(namespace: string): string {
  return `${namespace}-underlay`;
}

export function vmPolicyName(vm: string): string {
  return `underlay-${vm}`;
}

export function tenantLabels(tenant: string): Record<string, string> {
  return { ...MANAGED_BY, [TENANT_LABEL]: tenant };
}

export function vmLabels(tenant: string, vm: string): Record<string, string> {
  return { ...MANAGED_BY, [TENANT_LABEL]: tenant, [VM_LABEL]: vm };
}

/** Calico selector for every VM of a tenant. Names are DNS labels, so quoting is safe. */
export function tenantSelector(tenant: string): string {
  return `${TENANT_LABEL} == '${tenant}'`;
}

export function vmSelector(tenant: string, vm: string): string {
  return `${tenantSelector(tenant)} && ${VM_LABEL} == '${vm}'`;
}

export interface KubeOvnAttachment {
  /** Namespace holding the NAD. */
  nadNamespace: string;
  /** `<namespace>/<name>`, as KubeVirt's `multus.networkName` takes it. */
  nadRef: string;
  /** `<nad>.<namespace>.ovn`: the Subnet's provider and the prefix of the pod annotations. */
  provider: string;
  /** True when the tenant owns the NAD (rendered in its namespace). */
  tenantOwned: boolean;
}

/** Which Kube-OVN NAD a tenant's VMs attach to: its own (default) or the platform's. */
export function kubeOvnAttachment(tenant: { namespace: string; kubeOvnAttachment: "tenant" | "platform" }): KubeOvnAttachment {
  const tenantOwned = tenant.kubeOvnAttachment === "tenant";
  const nadNamespace = tenantOwned ? tenant.namespace : PLATFORM_NAD_NAMESPACE;
  return {
    nadNamespace,
    nadRef: `${nadNamespace}/${KUBE_OVN_NAD_NAME}`,
    provider: kubeOvnProvider(KUBE_OVN_NAD_NAME, nadNamespace),
    tenantOwned,
  };
}

/**
 * Pulumi resource names, unique stack-wide: tenant and VM names are DNS labels, so joining
 * with "/" (which a label cannot contain) never makes two different paths collide.
 */
export function resourceName(...parts: string[]): string {
  return parts.join("/");
}
