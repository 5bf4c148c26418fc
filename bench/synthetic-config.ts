/**
 * Synthetic stack configs for the benchmark: N tenants x M VMs, every VM pinned, valid by the
 * config contract (lib/config/validate.ts) and by the policy rules, with the variety a real
 * stack has (guests, service grants, MACs, bandwidth, security-group rules) so that no branch
 * of the program is skipped. Deterministic: the same size always gives the same config.
 */
import { bigIntToIp, parseCidr } from "../lib/cidr";

export interface BenchSize {
  tenants: number;
  vmsPerTenant: number;
}

export interface SyntheticConfig {
  platform: Record<string, unknown>;
  services: Record<string, { cidrs: string[]; ports: string[] }>;
  tenants: Record<string, Record<string, unknown>>;
}

/** A pod CIDR big enough that 2,048 tenant blocks of /27 fit in the VM reservation. */
export const SYNTHETIC_NETWORK = {
  podCidr: "10.128.0.0/9",
  serviceCidr: "10.96.0.0/12",
  nodeCidrs: ["10.50.0.0/16"],
  joinCidr: "100.64.0.0/16",
  vmReservation: "10.130.0.0/16",
} as const;

/** Internal services on the node network; ports avoid the node-control ports the policy bans. */
const SERVICES: SyntheticConfig["services"] = {
  oss: { cidrs: ["10.50.31.21/32"], ports: ["80/TCP", "443/TCP"] },
  dns: { cidrs: ["10.50.0.10/32", "10.50.0.11/32"], ports: ["53/UDP", "53/TCP"] },
  mirror: { cidrs: ["10.50.40.0/28"], ports: ["80/TCP", "443/TCP"] },
  ntp: { cidrs: ["10.50.0.123/32"], ports: ["123/UDP"] },
  metrics: { cidrs: ["10.50.50.0/24"], ports: ["9090/TCP", "9100/TCP"] },
};
const SERVICE_NAMES = Object.keys(SERVICES);

const GUEST_IMAGES = [
  ["ubuntu", "quay.io/containerdisks/ubuntu:22.04"],
  ["debian", "quay.io/containerdisks/debian:12"],
  ["fedora", "quay.io/containerdisks/fedora:40"],
  ["centos7", "quay.io/containerdisks/centos:7-2009"],
] as const;

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBench bench@tenantnet";

/** "10x20" -> {tenants: 10, vmsPerTenant: 20}. */
export function parseSize(text: string): BenchSize {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`size ${JSON.stringify(text)} is not TENANTSxVMS (e.g. 25x20)`);
  const size = { tenants: Number(match[1]), vmsPerTenant: Number(match[2]) };
  if (size.tenants < 1 || size.vmsPerTenant < 1) throw new Error(`size ${text} needs at least one tenant and one VM per tenant`);
  return size;
}

export function parseSizes(text: string): BenchSize[] {
  return text
    .split(",")
    .filter((part) => part.trim() !== "")
    .map(parseSize);
}

export function sizeLabel(size: BenchSize): string {
  return `${size.tenants}x${size.vmsPerTenant}`;
}

export function vmCount(size: BenchSize): number {
  return size.tenants * size.vmsPerTenant;
}

/** Host bits of each tenant's underlay block: at least a /27, more when M VMs do not fit. */
function blockHostBits(vmsPerTenant: number): number {
  // +2: the network and broadcast addresses are never handed to a VM.
  return Math.max(5, Math.ceil(Math.log2(vmsPerTenant + 2)));
}

/** Two-digit lower-case hex, as the config's MAC format wants. */
function hexByte(value: number): string {
  return (value & 0xff).toString(16).padStart(2, "0");
}

/** A locally administered unicast MAC unique per (global VM index, NIC). */
function macFor(vmIndex: number, nic: 1 | 2): string {
  return ["02", "be", hexByte(vmIndex >> 16), hexByte(vmIndex >> 8), hexByte(vmIndex), hexByte(nic)].join(":");
}

/** The names tenants and VMs get: zero-padded so that sorting by name keeps the order. */
export function tenantName(index: number): string {
  return `t${String(index).padStart(4, "0")}`;
}

export function vmName(index: number): string {
  return `vm${String(index).padStart(3, "0")}`;
}

/**
 * The raw config (the three `tenantnet:*` sections) for `size`. Tenant t gets the t-th block of
 * the VM reservation and one of four VPC CIDRs (so tenants' VPCs overlap, as real ones do);
 * its VMs take consecutive addresses in both.
 */
export function syntheticConfig(size: BenchSize): SyntheticConfig {
  const hostBits = blockHostBits(size.vmsPerTenant);
  const reservation = parseCidr(SYNTHETIC_NETWORK.vmReservation);
  const blockSize = 1n << BigInt(hostBits);
  const blocksAvailable = (reservation.end - reservation.start + 1n) / blockSize;
  if (BigInt(size.tenants) > blocksAvailable) {
    throw new Error(
      `${size.tenants} tenants do not fit: vmReservation ${SYNTHETIC_NETWORK.vmReservation} holds ${blocksAvailable} blocks of /${32 - hostBits}`,
    );
  }
  // VMs take .10 to .254 of a /24 VPC: the gateway is .1 and .255 is the broadcast address.
  if (size.vmsPerTenant > 245) throw new Error(`${size.vmsPerTenant} VMs per tenant do not fit a /24 VPC (at most 245)`);

  const tenants: SyntheticConfig["tenants"] = {};
  let vmIndex = 0;
  for (let t = 0; t < size.tenants; t++) {
    const blockStart = reservation.start + BigInt(t) * blockSize;
    // Every tenant gets oss; the rest rotate so that grants differ between tenants.
    const granted = ["oss", ...SERVICE_NAMES.slice(1).filter((_, i) => (t >> i) % 2 === 0)];
    const vpcBase = `192.168.${t % 4}`;
    const vms: Record<string, unknown> = {};
    for (let v = 0; v < size.vmsPerTenant; v++, vmIndex++) {
      const [guest, image] = GUEST_IMAGES[vmIndex % GUEST_IMAGES.length];
      const vm: Record<string, unknown> = {
        guest,
        image,
        underlayIp: bigIntToIp(blockStart + 1n + BigInt(v)),
        vpcIp: `${vpcBase}.${10 + v}`,
        cpu: 1 + (vmIndex % 4),
        memory: vmIndex % 2 === 0 ? "2Gi" : "4Gi",
      };
      // Some VMs narrow the tenant's grants to one service; the rest inherit them.
      if (v % 3 === 1) vm.services = [granted[v % granted.length]];
      if (v % 3 === 2) vm.macs = { underlay: macFor(vmIndex, 1), vpc: macFor(vmIndex, 2) };
      if (v % 4 === 0) vm.bandwidth = { ingressMbps: 100 + v, egressMbps: 50 + v };
      if (v % 5 === 0) vm.sshKeys = [SSH_KEY];
      vms[vmName(v)] = vm;
    }
    const tenant: Record<string, unknown> = {
      vpc: { cidr: `${vpcBase}.0/24` },
      underlayBlock: `${bigIntToIp(blockStart)}/${32 - hostBits}`,
      services: granted,
      vms,
    };
    if (t % 5 === 0) {
      tenant.securityGroup = {
        ingressRules: [{ protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteAddress: "203.0.113.0/24", priority: 10 }],
      };
    }
    tenants[tenantName(t)] = tenant;
  }
  return {
    platform: {
      install: true,
      network: { ...SYNTHETIC_NETWORK, nodeCidrs: [...SYNTHETIC_NETWORK.nodeCidrs] },
      underlay: { backend: "calico" },
    },
    services: structuredClone(SERVICES),
    tenants,
  };
}

/** The same config as the flat `tenantnet:*` map a stack file holds (what the plan stages take). */
export function flatConfig(config: SyntheticConfig): Record<string, unknown> {
  return { "tenantnet:platform": config.platform, "tenantnet:services": config.services, "tenantnet:tenants": config.tenants };
}
