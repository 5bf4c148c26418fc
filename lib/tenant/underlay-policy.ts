/**
 * Calico objects that hold a tenant's underlay NICs to the catalog allowlist. Pure (no Pulumi).
 *
 * Calico policy applies to the Calico workload endpoint only, i.e. the VM's underlay NIC; the
 * Kube-OVN NIC is governed by the tenant's SecurityGroup instead. A policy that selects an
 * endpoint for a direction makes Calico drop what no rule allows at the end of the tier, so
 * the tenant-wide policy (types Ingress and Egress, no egress rules) is the default deny and
 * each VM's policy only adds egress allows. Traffic to the VM's own node is governed by this
 * egress policy too (DESIGN.md), which is why nothing here is ever port-less or catch-all.
 */
import { portsByProtocol, type Protocol } from "../config/formats";
import type { ServiceConfig, TenantConfig, VmConfig } from "../config/schema";
import { DEFAULT_DENY_POLICY, ipReservationName, tenantLabels, tenantSelector, vmLabels, vmPolicyName, vmSelector } from "./names";
import { KINDS, typeMeta } from "../k8s/kinds";
import type { ObjectMeta } from "../k8s/object";
import { ipReservationObject, type IpReservationObject } from "../platform/calico";

export interface CalicoRule {
  action: "Allow";
  protocol: Protocol;
  source?: { nets: string[] };
  destination: { nets?: string[]; ports: number[] };
}

export interface NetworkPolicyObject {
  apiVersion: typeof KINDS.calicoNetworkPolicy.apiVersion;
  kind: typeof KINDS.calicoNetworkPolicy.kind;
  metadata: ObjectMeta;
  spec: {
    selector: string;
    types: ("Ingress" | "Egress")[];
    ingress?: CalicoRule[];
    egress?: CalicoRule[];
  };
}

/**
 * The tenant's underlay block, reserved from ordinary pod IPAM so only VMs that ask for an
 * address by annotation get one; a tenant-only stack carries the reservation its VMs live in.
 */
export function ipReservation(tenant: Pick<TenantConfig, "name" | "namespace" | "underlayBlock">): IpReservationObject {
  return ipReservationObject(ipReservationName(tenant.namespace), [tenant.underlayBlock], tenantLabels(tenant.name));
}

/** Default deny on every underlay NIC of the tenant; ingress only from `underlayIngress`. */
export function defaultDenyPolicy(tenant: Pick<TenantConfig, "name" | "namespace" | "underlayIngress">): NetworkPolicyObject {
  const ingress = tenant.underlayIngress.flatMap((entry) =>
    portsByProtocol(entry.ports).map(({ protocol, ports }): CalicoRule => ({
      action: "Allow",
      protocol,
      source: { nets: [...entry.cidrs] },
      destination: { ports },
    })),
  );
  return {
    ...typeMeta(KINDS.calicoNetworkPolicy),
    metadata: { name: DEFAULT_DENY_POLICY, namespace: tenant.namespace, labels: tenantLabels(tenant.name) },
    spec: {
      selector: tenantSelector(tenant.name),
      types: ["Ingress", "Egress"],
      ...(ingress.length > 0 ? { ingress } : {}),
    },
  };
}

/** A VM's egress allowlist: one rule per (granted service, protocol), explicit nets and ports. */
export function vmUnderlayPolicy(
  tenant: Pick<TenantConfig, "name" | "namespace">,
  vm: Pick<VmConfig, "name" | "services">,
  catalog: Record<string, ServiceConfig>,
): NetworkPolicyObject {
  const egress = vm.services.flatMap((name) => {
    const service = catalog[name];
    if (!service) throw new Error(`tenants.${tenant.name}.vms.${vm.name}: service ${JSON.stringify(name)} is not in the catalog`);
    return portsByProtocol(service.ports).map(({ protocol, ports }): CalicoRule => ({
      action: "Allow",
      protocol,
      destination: { nets: [...service.cidrs], ports },
    }));
  });
  return {
    ...typeMeta(KINDS.calicoNetworkPolicy),
    metadata: { name: vmPolicyName(vm.name), namespace: tenant.namespace, labels: vmLabels(tenant.name, vm.name) },
    spec: {
      selector: vmSelector(tenant.name, vm.name),
      types: ["Egress"],
      ...(egress.length > 0 ? { egress } : {}),
    },
  };
}
