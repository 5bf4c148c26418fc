/**
 * Kube-OVN objects of a tenant: its VPC, the subnet inside it, the security group its VPC
 * NICs join and, when the tenant owns its attachment, the NAD that carries it. Pure (no
 * Pulumi); field names and values follow the kubeovn.io v1 CRDs (Kube-OVN v1.16).
 */
import type { SecurityGroupRule, TenantConfig } from "../config/schema";
import { kubeOvnConfList } from "../cni-config";
import { KUBE_OVN_NAD_NAME, kubeOvnAttachment, securityGroupName, subnetName, tenantLabels, vpcName } from "./names";
import { KINDS, typeMeta } from "../k8s/kinds";
import { natStaticRoute } from "./nat";
import type { ObjectMeta } from "../k8s/object";
import { networkAttachment, type NadObject } from "../platform/nads";

type TenantFacts = Pick<TenantConfig, "name" | "namespace" | "vpc" | "kubeOvnAttachment" | "securityGroup" | "natGateway">;

export interface VpcObject {
  apiVersion: typeof KINDS.vpc.apiVersion;
  kind: typeof KINDS.vpc.kind;
  metadata: ObjectMeta;
  spec: { namespaces: string[]; staticRoutes?: ReturnType<typeof natStaticRoute>[] };
}

export interface SubnetObject {
  apiVersion: typeof KINDS.subnet.apiVersion;
  kind: typeof KINDS.subnet.kind;
  metadata: ObjectMeta;
  spec: {
    vpc: string;
    cidrBlock: string;
    gateway: string;
    protocol: "IPv4";
    provider: string;
    namespaces: string[];
    excludeIps?: string[];
  };
}

export interface SgRuleObject {
  ipVersion: "ipv4";
  protocol: SecurityGroupRule["protocol"];
  policy: SecurityGroupRule["policy"];
  priority: number;
  remoteType: "address" | "securityGroup";
  remoteAddress?: string;
  remoteSecurityGroup?: string;
  portRangeMin?: number;
  portRangeMax?: number;
}

export interface SecurityGroupObject {
  apiVersion: typeof KINDS.securityGroup.apiVersion;
  kind: typeof KINDS.securityGroup.kind;
  metadata: ObjectMeta;
  spec: { allowSameGroupTraffic: boolean; ingressRules: SgRuleObject[]; egressRules: SgRuleObject[] };
}

/** Cluster-scoped objects carry the tenant label so they can be traced back to their tenant. */
function clusterMeta(name: string, tenant: string): ObjectMeta {
  return { name, labels: tenantLabels(tenant) };
}

export function vpc(tenant: TenantFacts): VpcObject {
  return {
    ...typeMeta(KINDS.vpc),
    metadata: clusterMeta(vpcName(tenant.namespace), tenant.name),
    spec: {
      namespaces: [tenant.namespace],
      ...(tenant.natGateway ? { staticRoutes: [natStaticRoute(tenant.natGateway.lanIp)] } : {}),
    },
  };
}

/**
 * The tenant subnet. Its provider is the attachment's, so Kube-OVN allocates VPC NIC addresses
 * here. The controller always excludes the gateway itself and every VM address is pinned by
 * annotation; the NAT gateway's lanIp is excluded so no pod ever takes it (its own static
 * allocation still succeeds inside excludeIps: pkg/ipam/subnet.go GetStaticAddress, v1.16.2).
 */
export function subnet(tenant: TenantFacts): SubnetObject {
  return {
    ...typeMeta(KINDS.subnet),
    metadata: clusterMeta(subnetName(tenant.namespace), tenant.name),
    spec: {
      vpc: vpcName(tenant.namespace),
      cidrBlock: tenant.vpc.cidr,
      gateway: tenant.vpc.gateway,
      protocol: "IPv4",
      provider: kubeOvnAttachment(tenant).provider,
      namespaces: [tenant.namespace],
      ...(tenant.natGateway ? { excludeIps: [tenant.natGateway.lanIp] } : {}),
    },
  };
}

/**
 * One config rule as a Kube-OVN rule (validation allows one remote at most). No remote means any
 * address (OpenStack's convention). Kube-OVN rejects tcp/udp rules without a port range: no
 * bounds means every port, `portRangeMin` alone one port, `portRangeMax` alone 1 to it;
 * "all" and "icmp" rules take no ports.
 */
export function securityGroupRule(rule: SecurityGroupRule): SgRuleObject {
  const base = { ipVersion: "ipv4" as const, protocol: rule.protocol, policy: rule.policy, priority: rule.priority };
  const remote: Pick<SgRuleObject, "remoteType" | "remoteAddress" | "remoteSecurityGroup"> =
    rule.remoteSecurityGroup !== undefined
      ? { remoteType: "securityGroup", remoteSecurityGroup: rule.remoteSecurityGroup }
      : { remoteType: "address", remoteAddress: rule.remoteAddress ?? "0.0.0.0/0" };
  if (rule.protocol !== "tcp" && rule.protocol !== "udp") return { ...base, ...remote };
  const portRangeMin = rule.portRangeMin ?? 1;
  const portRangeMax = rule.portRangeMax ?? rule.portRangeMin ?? 65535;
  return { ...base, ...remote, portRangeMin, portRangeMax };
}

export function securityGroup(tenant: TenantFacts): SecurityGroupObject {
  const sg = tenant.securityGroup;
  return {
    ...typeMeta(KINDS.securityGroup),
    metadata: clusterMeta(securityGroupName(tenant.namespace), tenant.name),
    spec: {
      allowSameGroupTraffic: sg.allowSameGroupTraffic,
      ingressRules: sg.ingressRules.map(securityGroupRule),
      egressRules: sg.egressRules.map(securityGroupRule),
    },
  };
}

/** The tenant's own Kube-OVN NAD, or undefined when its VMs use the platform's. */
export function tenantNad(tenant: TenantFacts): NadObject | undefined {
  if (!kubeOvnAttachment(tenant).tenantOwned) return undefined;
  return networkAttachment(
    KUBE_OVN_NAD_NAME,
    tenant.namespace,
    kubeOvnConfList(KUBE_OVN_NAD_NAME, tenant.namespace),
    tenantLabels(tenant.name),
  );
}
