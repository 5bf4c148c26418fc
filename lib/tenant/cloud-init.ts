/**
 * cloud-init NoCloud data for tenant VMs (seed 000), generated from the same facts as the rest
 * of the VM: guest family, VPC gateway, pinned MACs. Pure (no Pulumi).
 *
 * NIC 1 is the Calico underlay. It uses DHCP from KubeVirt's bridge binding, which offers the
 * routes of the pod's Calico interface; the chained route plugin has already replaced Calico's
 * default route there with the pod CIDR and node CIDRs, so the guest learns exactly those and
 * no default route. NIC 2 is the Kube-OVN VPC NIC: DHCP for its address, plus a static default
 * route via the VPC gateway, because Kube-OVN sets no default route on a secondary attachment.
 *
 * Guest DNS: the tenant's nameservers go on the VPC NIC. KubeVirt's DHCP offers the launcher
 * pod's resolvers (the cluster DNS, which a VM cannot reach), so v2 tells netplan to take no DNS
 * or search domains from DHCP on either NIC while keeping the underlay's DHCP routes (the pod and
 * node CIDRs: `use-routes: false` would drop them). v1 has no per-NIC DHCP override; a global
 * `nameserver` entry names the resolvers, and cloud-init's sysconfig renderer writes them as the
 * interface's DNS (CentOS 7).
 */
import { stringify } from "yaml";
import type { DnsConfig, VmConfig } from "../config/schema";

export type Guest = VmConfig["guest"];

interface GuestFamily {
  /** cloud-init network config version the guest's cloud-init renders reliably. */
  version: 1 | 2;
  /** Kernel names of NIC 1 (underlay) and NIC 2 (VPC) when they are not matched by MAC. */
  nicNames: [string, string];
}

/**
 * Ubuntu, Debian and Fedora cloud images use systemd's predictable names; with KubeVirt's q35
 * machine each virtio NIC sits on its own PCIe root port, giving enp1s0/enp2s0 (seed 000).
 * Fedora is grouped with them (its images keep predictable names, unlike CentOS 7). CentOS 7
 * images boot with net.ifnames=0 (eth0, eth1) and ship a cloud-init whose sysconfig renderer
 * is reliable with v1 only. KubeVirt does not promise that PCI order follows interface order
 * (kubevirt#16693), so names are only the fallback: a pinned MAC always wins.
 */
export const GUEST_FAMILIES: Readonly<Record<Guest, GuestFamily>> = {
  ubuntu: { version: 2, nicNames: ["enp1s0", "enp2s0"] },
  debian: { version: 2, nicNames: ["enp1s0", "enp2s0"] },
  fedora: { version: 2, nicNames: ["enp1s0", "enp2s0"] },
  centos7: { version: 1, nicNames: ["eth0", "eth1"] },
};

export interface NetworkFacts {
  guest: Guest;
  /** The tenant VPC gateway: the guest's only default route. */
  vpcGateway: string;
  macs?: { underlay?: string; vpc?: string };
  /** The tenant's resolvers (or the platform default); none: the guest gets none. */
  dns?: DnsConfig;
}

interface V2Ethernet {
  match?: { macaddress: string };
  "set-name"?: string;
  dhcp4: true;
  "dhcp4-overrides"?: { "use-dns": false; "use-domains": false };
  routes?: { to: string; via: string }[];
  nameservers?: { addresses: string[]; search?: string[] };
}

export interface NetworkConfigV2 {
  network: { version: 2; ethernets: Record<string, V2Ethernet> };
}

interface V1Route {
  gateway: string;
  destination: string;
  netmask: string;
}

interface V1Physical {
  type: "physical";
  name: string;
  mac_address?: string;
  subnets: { type: "dhcp"; routes?: V1Route[]; dns_nameservers?: string[]; dns_search?: string[] }[];
}

interface V1Nameserver {
  type: "nameserver";
  address: string[];
  search?: string[];
}

export interface NetworkConfigV1 {
  network: { version: 1; config: (V1Physical | V1Nameserver)[] };
}

/** DHCP on either NIC hands out the launcher pod's resolvers: never take them. */
const NO_DHCP_DNS = { "use-dns": false, "use-domains": false } as const;

function v2Ethernet(name: string, mac: string | undefined): V2Ethernet {
  // A pinned MAC identifies the NIC whatever the PCI layout; set-name keeps the usual name.
  const base = mac ? { match: { macaddress: mac }, "set-name": name } : {};
  return { ...base, dhcp4: true, "dhcp4-overrides": { ...NO_DHCP_DNS } };
}

/** The network config object (with the `network:` wrapper, as seed 000 writes it). */
export function networkConfig(facts: NetworkFacts): NetworkConfigV1 | NetworkConfigV2 {
  const family = GUEST_FAMILIES[facts.guest];
  const [underlayNic, vpcNic] = family.nicNames;
  if (family.version === 1) {
    const underlay: V1Physical = { type: "physical", name: underlayNic, subnets: [{ type: "dhcp" }] };
    if (facts.macs?.underlay) underlay.mac_address = facts.macs.underlay;
    const dns = facts.dns;
    const vpc: V1Physical = {
      type: "physical",
      name: vpcNic,
      subnets: [
        {
          type: "dhcp",
          routes: [{ gateway: facts.vpcGateway, destination: "0.0.0.0", netmask: "0.0.0.0" }],
          ...(dns ? { dns_nameservers: [...dns.nameservers], ...(dns.search ? { dns_search: [...dns.search] } : {}) } : {}),
        },
      ],
    };
    if (facts.macs?.vpc) vpc.mac_address = facts.macs.vpc;
    const nameserver: V1Nameserver[] = dns
      ? [{ type: "nameserver", address: [...dns.nameservers], ...(dns.search ? { search: [...dns.search] } : {}) }]
      : [];
    return { network: { version: 1, config: [underlay, vpc, ...nameserver] } };
  }
  const vpc = v2Ethernet(vpcNic, facts.macs?.vpc);
  vpc.routes = [{ to: "0.0.0.0/0", via: facts.vpcGateway }];
  if (facts.dns)
    vpc.nameservers = { addresses: [...facts.dns.nameservers], ...(facts.dns.search ? { search: [...facts.dns.search] } : {}) };
  return {
    network: {
      version: 2,
      ethernets: { [underlayNic]: v2Ethernet(underlayNic, facts.macs?.underlay), [vpcNic]: vpc },
    },
  };
}

/**
 * cloud-init reads YAML 1.1 (PyYAML), where an all-digit MAC such as 12:34:56:00:00:01 is a
 * base-60 integer; emitting for 1.1 quotes every such string.
 */
const CLOUD_INIT_YAML = { version: "1.1" } as const;

/** `cloudInitNoCloud.networkData` text. */
export function networkData(facts: NetworkFacts): string {
  return stringify(networkConfig(facts), CLOUD_INIT_YAML);
}

/** `cloudInitNoCloud.userData` text: a cloud-config that authorizes the VM's SSH keys. */
export function userData(sshKeys: string[]): string {
  const config = sshKeys.length > 0 ? { ssh_authorized_keys: sshKeys } : {};
  return `#cloud-config\n${stringify(config, CLOUD_INIT_YAML)}`;
}
