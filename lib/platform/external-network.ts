/**
 * The one external network tenant NAT gateways attach to (platform.externalNetwork): its
 * NetworkAttachmentDefinition and Kube-OVN Subnet, plus the ProviderNetwork and Vlan of a `vlan`
 * uplink. The chart's `ovn-vpc-nat-config` / `ovn-vpc-nat-gw-config` ConfigMaps are the chart's
 * alone (charts/kube-ovn-v2/templates/nat-gw/vpc-nat-config.yaml, kube-ovn v1.16.2): a second
 * owner deleting `ovn-vpc-nat-gw-config` would tear every gateway down, so nothing here renders them.
 */
import { KUBE_OVN_SOCKET } from "../cni-config";
import type { ExternalNetworkConfig } from "../config/schema";
import { KINDS, typeMeta } from "../k8s/kinds";
import { KUBE_OVN_NAMESPACE } from "./kube-ovn";
import { MANAGED_BY, type K8sObject } from "./objects";
import { ipToBigInt, parseIpRange } from "../cidr";

/**
 * NAT gateway pods run in the Kube-OVN controller's namespace, and the controller finds the
 * external NAD from the Subnet's provider: `name.namespace` (macvlan with kube-ovn IPAM) or
 * `name.namespace.ovn` (a Kube-OVN attachment) (pkg/controller/vpc_nat_gateway.go
 * getExternalSubnetNad, pkg/util/subnet.go GetNadBySubnetProvider, kube-ovn v1.16.2).
 */
export const EXTERNAL_NAD_NAMESPACE = KUBE_OVN_NAMESPACE;

export function externalProvider(ext: Pick<ExternalNetworkConfig, "name" | "uplink">): string {
  const provider = `${ext.name}.${EXTERNAL_NAD_NAMESPACE}`;
  return ext.uplink.type === "vlan" ? `${provider}.ovn` : provider;
}

function nadConfig(ext: ExternalNetworkConfig): Record<string, unknown> {
  const provider = externalProvider(ext);
  if (ext.uplink.type === "vlan") return { cniVersion: "0.3.1", type: "kube-ovn", server_socket: KUBE_OVN_SOCKET, provider };
  // The upstream non-primary e2e's layout (test/e2e/non-primary-cni/testconfigs/VPC/01-vpc-nat-gw.yaml, v1.16.2).
  return {
    cniVersion: "0.3.1",
    type: "macvlan",
    master: ext.uplink.nic,
    mode: "bridge",
    ipam: { type: "kube-ovn", server_socket: KUBE_OVN_SOCKET, provider },
  };
}

/**
 * What Kube-OVN's IPAM must never hand out at random: the router (unless excludeIps already
 * covers it), the configured addresses and the whole eipRange. Tenants' EIPs are static `v4ip`s,
 * which Kube-OVN still grants inside excludeIps (pkg/ipam/subnet.go GetStaticAddress, the
 * V4Reserved branch, v1.16.2), so a gateway's own default address never takes a tenant's.
 */
export function externalExcludeIps(ext: ExternalNetworkConfig): string[] {
  const gateway = ipToBigInt(ext.gateway);
  const covered = ext.excludeIps.some((text) => {
    const range = parseIpRange(text);
    return range.start <= gateway && gateway <= range.end;
  });
  return [...(covered ? [] : [ext.gateway]), ...ext.excludeIps, ext.eipRange];
}

export function externalNetworkObjects(ext: ExternalNetworkConfig): K8sObject[] {
  const labels = { ...MANAGED_BY };
  const vlan = ext.uplink.type === "vlan";
  const objects: K8sObject[] = [];
  if (vlan) {
    objects.push(
      { ...typeMeta(KINDS.providerNetwork), metadata: { name: ext.name, labels }, spec: { defaultInterface: ext.uplink.nic } },
      { ...typeMeta(KINDS.vlan), metadata: { name: ext.name, labels }, spec: { id: ext.uplink.vlanId ?? 0, provider: ext.name } },
    );
  }
  objects.push(
    {
      ...typeMeta(KINDS.networkAttachmentDefinition),
      metadata: { name: ext.name, namespace: EXTERNAL_NAD_NAMESPACE, labels },
      spec: { config: JSON.stringify(nadConfig(ext)) },
    },
    {
      ...typeMeta(KINDS.subnet),
      metadata: { name: ext.name, labels },
      spec: {
        protocol: "IPv4",
        provider: externalProvider(ext),
        cidrBlock: ext.cidr,
        gateway: ext.gateway,
        excludeIps: externalExcludeIps(ext),
        ...(vlan ? { vlan: ext.name } : {}),
      },
    },
  );
  return objects;
}
