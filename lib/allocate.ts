/**
 * Address allocation for the `allocate` command: the lowest free underlay IP (inside the
 * tenant's underlayBlock) and VPC IP (inside vpc.cidr) for every VM that lacks one, and the
 * lowest free public address (inside platform.externalNetwork.eipRange) for every `~` entry of a
 * registration's `eips`. Existing
 * pins never move, so removing a VM never shifts another VM's addresses. Pure: it computes
 * pins; lib/allocate-stack-file.ts writes them.
 *
 * Taken addresses live in sets of bigint and each range is walked once by a cursor that only
 * moves up, so a stack with thousands of VMs costs O(VMs + pins), not O(VMs x block).
 */
import { bigIntToIp, ipToBigInt, parseCidr, parseIpRange, type Range as AddressRange } from "./cidr";
import { reservedUnderlayAddresses, reservedVpcAddresses, type ReservedAddress } from "./config/reserved-addresses";
import type { DraftConfig, DraftTenant } from "./config/validate";
import { formatProblems, type Problem } from "./config/problems";

export type PinKey = "underlayIp" | "vpcIp";

export interface VmPin {
  tenant: string;
  vm: string;
  key: PinKey;
  ip: string;
}

/** A registration's `eips[index]`, pinned in place. */
export interface EipPin {
  tenant: string;
  key: "eips";
  index: number;
  ip: string;
}

export type Pin = VmPin | EipPin;

export class AllocationError extends Error {
  constructor(readonly problems: Problem[]) {
    super(formatProblems(problems));
    this.name = "AllocationError";
  }
}

/** Key path of a pin, as config problems and the CLI name it. */
export function pinPath(pin: Pick<VmPin, "tenant" | "vm" | "key"> | Pick<EipPin, "tenant" | "key" | "index">): string {
  return pin.key === "eips" ? `tenants.${pin.tenant}.eips[${pin.index}]` : `tenants.${pin.tenant}.vms.${pin.vm}.${pin.key}`;
}

interface Range {
  cidr: AddressRange & { text: string };
  /** What the range is called in messages, e.g. "underlayBlock". */
  label: string;
  /** Pinned (and, as allocation proceeds, allocated) addresses; may be shared across ranges. */
  taken: Set<bigint>;
  /** Addresses of this range no VM may take: network, broadcast and, in a VPC, the gateway. */
  reserved: ReservedAddress[];
}

/** The lowest `count` free addresses of `range`, or fewer when the range runs out. */
function lowestFree(range: Range, count: number): bigint[] {
  const reserved = new Set(range.reserved.map((r) => r.ip));
  const found: bigint[] = [];
  for (let cursor = range.cidr.start; cursor <= range.cidr.end && found.length < count; cursor++) {
    if (!range.taken.has(cursor) && !reserved.has(cursor)) found.push(cursor);
  }
  return found;
}

function fullRangeProblem(tenant: DraftTenant, key: PinKey, range: Range, free: number, waiting: string[]): Problem {
  const size = range.cidr.end - range.cidr.start + 1n;
  const excluded = [...range.reserved.map((r) => r.what), "pinned addresses"].join(", ");
  return {
    path: pinPath({ tenant: tenant.name, vm: waiting[0], key }),
    message:
      `${range.label} ${range.cidr.text} of tenant ${tenant.name} is full: ${size} address${size === 1n ? "" : "es"}, ${free} free ` +
      `(${excluded} excluded) for ${waiting.length} VM${waiting.length === 1 ? "" : "s"} without ${key} (${waiting.join(", ")}); ` +
      `enlarge ${range.label} or remove VMs`,
  };
}

/** Pins the tenant's VMs lacking `key`, all or none: a range too small for all is one problem. */
function allocateKey(tenant: DraftTenant, key: PinKey, range: Range, pins: VmPin[], problems: Problem[]): void {
  const waiting = tenant.vms.filter((vm) => vm[key] === undefined).map((vm) => vm.name);
  if (waiting.length === 0) return;
  const found = lowestFree(range, waiting.length);
  if (found.length < waiting.length) {
    problems.push(fullRangeProblem(tenant, key, range, found.length, waiting));
    return;
  }
  waiting.forEach((vm, i) => {
    range.taken.add(found[i]);
    pins.push({ tenant: tenant.name, vm, key, ip: bigIntToIp(found[i]) });
  });
}

/**
 * Pins for every missing `underlayIp`/`vpcIp` of a validated draft, tenants and VMs in config
 * order. Underlay IPs skip the block's network/broadcast and every underlay IP pinned in any
 * tenant; VPC IPs skip the subnet's network/broadcast, its gateway and the tenant's VPC pins
 * (VPCs are separate, so tenants may reuse each other's VPC addresses).
 * VPC IPs also skip the NAT gateway's lanIp. Every `~` of a registration's `eips` takes the lowest
 * address of eipRange no registration holds. Throws AllocationError listing every range that is full.
 */
export function allocate(draft: DraftConfig): Pin[] {
  const underlayTaken = new Set<bigint>();
  for (const tenant of draft.tenants) {
    for (const vm of tenant.vms) if (vm.underlayIp !== undefined) underlayTaken.add(ipToBigInt(vm.underlayIp));
  }

  const pins: VmPin[] = [];
  const problems: Problem[] = [];
  for (const tenant of draft.tenants) {
    const block = parseCidr(tenant.underlayBlock);
    allocateKey(
      tenant,
      "underlayIp",
      { cidr: block, label: "underlayBlock", taken: underlayTaken, reserved: reservedUnderlayAddresses(block) },
      pins,
      problems,
    );

    const subnet = parseCidr(tenant.vpc.cidr);
    const vpcTaken = new Set<bigint>();
    for (const vm of tenant.vms) if (vm.vpcIp !== undefined) vpcTaken.add(ipToBigInt(vm.vpcIp));
    allocateKey(
      tenant,
      "vpcIp",
      {
        cidr: subnet,
        label: "vpc.cidr",
        taken: vpcTaken,
        reserved: reservedVpcAddresses(subnet, tenant.vpc.gateway, tenant.natGateway?.lanIp),
      },
      pins,
      problems,
    );
  }
  const eipPins = allocateEips(draft, problems);
  if (problems.length > 0) throw new AllocationError(problems);
  return [...pins, ...eipPins];
}

/** The lowest free addresses of eipRange for the `~` entries of registrations' `eips`, in config order. */
function allocateEips(draft: DraftConfig, problems: Problem[]): EipPin[] {
  if (draft.unpinnedEips.length === 0) return [];
  const ext = draft.platform.externalNetwork;
  // Validation refuses eips without an external network; this keeps the types honest.
  if (!ext) return [];
  const taken = new Set(Object.values(draft.registrations).flatMap((r) => r.eips.map(ipToBigInt)));
  const range = { ...parseIpRange(ext.eipRange), text: ext.eipRange };
  const found = lowestFree({ cidr: range, label: "eipRange", taken, reserved: [] }, draft.unpinnedEips.length);
  if (found.length < draft.unpinnedEips.length) {
    const first = draft.unpinnedEips[0];
    problems.push({
      path: pinPath({ ...first, key: "eips" }),
      message: `platform.externalNetwork.eipRange ${ext.eipRange} is full: ${found.length} free for ${draft.unpinnedEips.length} unpinned eips; enlarge eipRange or grant fewer`,
    });
    return [];
  }
  return draft.unpinnedEips.map((slot, i) => ({ ...slot, key: "eips", ip: bigIntToIp(found[i]) }));
}
