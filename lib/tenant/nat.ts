/**
 * A tenant's way out and in through a Kube-OVN VpcNatGateway on the platform's external
 * network: the gateway, the SNAT address and rule for the VPC CIDR, and per VM a public IP
 * (EIP + 1:1 FIP rule) or port forwards (DNAT rules on the SNAT address). Pure (no Pulumi);
 * fields follow the kubeovn.io v1 CRDs at v1.16.2 (schemas/kubeovn.io_vpc-nat-gateways.yaml,
 * kubeovn.io_iptables-*.yaml). All these kinds are cluster-scoped, so names carry the namespace.
 */
import type { ExternalNetworkConfig, TenantConfig, VmConfig } from "../config/schema";
import { KINDS, typeMeta } from "../k8s/kinds";
import type { K8sObject } from "../k8s/object";
import { kubeOvnAttachment, MULTUS_NETWORKS_ANNOTATION, natGatewayName, natObjectName, subnetName, tenantLabels, vpcName } from "./names";

/**
 * Multus' pod annotation. In non-primary mode Kube-OVN v1.16.2 attaches the tenant subnet to the
 * gateway pod only when the VpcNatGateway's own metadata carries it, tenant NAD first, read once
 * when the StatefulSet is generated (pkg/controller/vpc_nat_gateway.go, the
 * k8s.v1.cni.cncf.io/networks lookup and handleInitVpcNatGw's providers[0]); the comma form,
 * since the controller appends ", <external NAD>" to the string.
 */

/** The external network as a tenant sees it (its platform's facts). */
export type ExternalNetworkFacts = Pick<ExternalNetworkConfig, "name" | "gatewayNodes">;

type NatTenant = Pick<TenantConfig, "name" | "namespace" | "vpc" | "kubeOvnAttachment" | "natGateway" | "vms">;

export function snatEipName(namespace: string): string {
  return natObjectName(namespace, "snat");
}

export function vmEipName(namespace: string, vm: string): string {
  return natObjectName(namespace, "vm", vm);
}

export function dnatRuleName(namespace: string, vm: string, forward: VmConfig["portForwards"][number]): string {
  return natObjectName(namespace, "vm", vm, forward.protocol, String(forward.externalPort));
}

/** The Vpc's one static route: everything not in the VPC goes to the NAT gateway's LAN address. */
export function natStaticRoute(lanIp: string): { cidr: string; nextHopIP: string; policy: "policyDst" } {
  return { cidr: "0.0.0.0/0", nextHopIP: lanIp, policy: "policyDst" };
}

/**
 * `selector` entries are "key: value" strings the controller splits on ':' into the pod's
 * nodeSelector (pkg/util/vpc_nat_gateway.go GenNatGwSelectors, v1.16.2).
 */
function nodeSelector(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => `${key}: ${value}`);
}

/** Every NAT object of the tenant, or none when its NAT gateway is not enabled. */
export function natObjects(tenant: NatTenant, ext: ExternalNetworkFacts | undefined): K8sObject[] {
  const nat = tenant.natGateway;
  if (!nat || !ext) return [];
  const ns = tenant.namespace;
  const labels = tenantLabels(tenant.name);
  const gateway = natGatewayName(ns);
  const eip = (name: string, v4ip: string): K8sObject => ({
    ...typeMeta(KINDS.iptablesEip),
    metadata: { name, labels },
    // externalSubnet defaults to ovn-vpc-external-network (pkg/util/net.go GetExternalNetwork, v1.16.2): always set.
    spec: { natGwDp: gateway, externalSubnet: ext.name, v4ip },
  });
  const objects: K8sObject[] = [
    {
      ...typeMeta(KINDS.vpcNatGateway),
      metadata: { name: gateway, labels, annotations: { [MULTUS_NETWORKS_ANNOTATION]: kubeOvnAttachment(tenant).nadRef } },
      spec: {
        vpc: vpcName(ns),
        subnet: subnetName(ns),
        lanIp: nat.lanIp,
        // Only the first entry is attached (pkg/util/vpc_nat_gateway.go GetNatGwExternalNetwork, v1.16.2).
        externalSubnets: [ext.name],
        selector: nodeSelector(ext.gatewayNodes),
      },
    },
    eip(snatEipName(ns), nat.snatIp),
    {
      ...typeMeta(KINDS.iptablesSnatRule),
      metadata: { name: snatEipName(ns), labels },
      spec: { eip: snatEipName(ns), internalCIDR: tenant.vpc.cidr },
    },
  ];
  for (const vm of tenant.vms) {
    if (vm.publicIp !== undefined) {
      objects.push(eip(vmEipName(ns, vm.name), vm.publicIp), {
        ...typeMeta(KINDS.iptablesFipRule),
        metadata: { name: vmEipName(ns, vm.name), labels },
        spec: { eip: vmEipName(ns, vm.name), internalIp: vm.vpcIp },
      });
    }
    for (const forward of vm.portForwards) {
      objects.push({
        ...typeMeta(KINDS.iptablesDnatRule),
        metadata: { name: dnatRuleName(ns, vm.name, forward), labels },
        spec: {
          eip: snatEipName(ns),
          externalPort: String(forward.externalPort),
          internalIp: vm.vpcIp,
          internalPort: String(forward.internalPort),
          protocol: forward.protocol,
        },
      });
    }
  }
  return objects;
}
