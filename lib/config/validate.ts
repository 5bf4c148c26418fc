/**
 * Validates a raw stack config (the three `tenantnet:*` keys) in one pass and returns either
 * the typed config or every problem found. Sections, tenants and VMs are parsed separately so
 * that a broken part hides no problem elsewhere; cross-field rules run on the parts that parsed.
 */
import type { z } from "zod";
import { containsIp, contains, firstHost, ipToBigInt, isIpv4, overlappingPairs, overlaps, parseCidr, reservedEdges, type Cidr } from "../cidr";
import { VENDORED_KUBEVIRT_VERSIONS } from "../platform/kubevirt";
import { DNS_LABEL } from "./formats";
import { Problem, problemsFromZod } from "./problems";
import {
  platformSchema,
  serviceSchema,
  tenantSchema,
  vmSchema,
  type PlatformConfig,
  type ServiceConfig,
  type StackConfig,
  type TenantConfig,
  type VmInput,
} from "./schema";

export interface RawStackConfig {
  platform?: unknown;
  services?: unknown;
  tenants?: unknown;
}

export interface ValidateOptions {
  /** The stack name, used in the advice to run `allocate`. */
  stack: string;
  /** When false (the allocate command), VMs may lack `underlayIp`/`vpcIp`. */
  requirePins: boolean;
}

/** A VM whose addresses may still be missing: what allocation works on. */
export interface DraftVm extends Omit<VmInput, "services"> {
  name: string;
  services: string[];
}

export interface DraftTenant extends Omit<TenantConfig, "vms"> {
  vms: DraftVm[];
}

export interface DraftConfig {
  platform: PlatformConfig;
  services: Record<string, ServiceConfig>;
  tenants: DraftTenant[];
}

export type ValidationResult<T> = { ok: true; config: T; problems: [] } | { ok: false; problems: Problem[] };

/**
 * Names a tenant namespace must not take: platform namespaces (it would share their NADs and
 * policies) and Kube-OVN's built-in VPC and subnets (the tenant's Vpc/Subnet take its name).
 */
const RESERVED_NAMESPACES = ["default", "cert-manager", "tigera-operator", "calico-system", "calico-apiserver", "kube-ovn", "kubevirt", "spiderpool", "ovn-cluster", "ovn-default", "join"];

function parsePart<T>(schema: z.ZodType<T>, input: unknown, path: string, problems: Problem[]): T | undefined {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  problems.push(...problemsFromZod(path, schema, result.error, input));
  return undefined;
}

function asMap(input: unknown, path: string, problems: Problem[], what: string): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) {
    problems.push({ path, message: `expected a map of ${what} keyed by name, got ${JSON.stringify(input)}` });
    return {};
  }
  return input as Record<string, unknown>;
}

function checkName(name: string, path: string, problems: Problem[]): void {
  if (!DNS_LABEL.test(name)) {
    problems.push({ path, message: `name ${JSON.stringify(name)} must be a DNS label (lower-case letters, digits and '-') because it names Kubernetes objects` });
  }
}

function checkPlatform(platform: PlatformConfig, problems: Problem[]): void {
  const net = platform.network;
  const pod = parseCidr(net.podCidr);
  if (!contains(pod, parseCidr(net.vmReservation))) {
    problems.push({ path: "platform.network.vmReservation", message: `${net.vmReservation} is outside podCidr ${net.podCidr}; the VM reservation must be a range of the Calico pod pool` });
  }
  const ranges = [
    { label: "platform.network.podCidr", range: pod },
    { label: "platform.network.serviceCidr", range: parseCidr(net.serviceCidr) },
    { label: "platform.network.joinCidr", range: parseCidr(net.joinCidr) },
    ...net.nodeCidrs.map((text, i) => ({ label: `platform.network.nodeCidrs[${i}]`, range: parseCidr(text) })),
  ];
  for (const [a, b] of overlappingPairs(ranges)) {
    problems.push({ path: b.label, message: `${b.range.text} overlaps ${a.label} ${a.range.text}; pod, service, join and node networks must be disjoint` });
  }
  const nodeRanges = net.nodeCidrs.map(parseCidr);
  platform.kubeOvn.masterNodes.forEach((ip, i) => {
    if (!nodeRanges.some((range) => containsIp(range, ip))) {
      problems.push({ path: `platform.kubeOvn.masterNodes[${i}]`, message: `${ip} is outside every platform.network.nodeCidrs; name the master nodes by their InternalIP` });
    }
  });
  const kubevirt = platform.versions.kubevirt;
  if (kubevirt !== undefined && !(VENDORED_KUBEVIRT_VERSIONS as readonly string[]).includes(kubevirt)) {
    problems.push({
      path: "platform.versions.kubevirt",
      message: `${kubevirt} has no operator manifest in the repository (components/platform/manifests/kubevirt-operator-<version>.yaml); vendored: ${VENDORED_KUBEVIRT_VERSIONS.join(", ")}`,
    });
  }
  const spiderpool = platform.underlay.spiderpool;
  if (platform.underlay.backend === "calico") {
    if (spiderpool) problems.push({ path: "platform.underlay.spiderpool", message: "only used with backend spiderpool-ipvlan or spiderpool-macvlan; remove it or change platform.underlay.backend" });
    return;
  }
  if (!spiderpool) {
    problems.push({ path: "platform.underlay.spiderpool", message: `required key is missing for backend ${platform.underlay.backend} (masterInterfaces, subnet, gateway, nodes)` });
    return;
  }
  const subnet = parseCidr(spiderpool.subnet);
  if (!containsIp(subnet, spiderpool.gateway)) {
    problems.push({ path: "platform.underlay.spiderpool.gateway", message: `${spiderpool.gateway} is outside subnet ${spiderpool.subnet}` });
  }
  for (const [node, { ips }] of Object.entries(spiderpool.nodes)) {
    ips.forEach((entry, i) => {
      const path = `platform.underlay.spiderpool.nodes.${node}.ips[${i}]`;
      const bounds = entry.split("-");
      if (bounds.length > 2 || !bounds.every(isIpv4)) {
        problems.push({ path, message: `${JSON.stringify(entry)} is not an address or an "a.b.c.d-a.b.c.e" range` });
      } else if (bounds.some((ip) => !containsIp(subnet, ip))) {
        problems.push({ path, message: `${entry} is outside subnet ${spiderpool.subnet}` });
      } else if (bounds.length === 2 && ipToBigInt(bounds[0]) > ipToBigInt(bounds[1])) {
        problems.push({ path, message: `${entry} is a range whose start is after its end` });
      }
    });
  }
}

function checkVmAddress(
  vm: VmInput,
  key: "underlayIp" | "vpcIp",
  path: string,
  range: Cidr,
  rangeName: string,
  options: ValidateOptions,
  problems: Problem[],
): void {
  const ip = vm[key];
  if (ip === undefined) {
    if (options.requirePins) {
      problems.push({ path, message: `not pinned; run \`npm run allocate -- --stack ${options.stack}\` to pin the lowest free address (pins never move once written)` });
    }
    return;
  }
  if (!containsIp(range, ip)) problems.push({ path, message: `${ip} is outside ${rangeName} ${range.text}` });
  else if (reservedEdges(range).includes(ipToBigInt(ip))) problems.push({ path, message: `${ip} is the network or broadcast address of ${rangeName} ${range.text}` });
}

function validateTenant(
  name: string,
  raw: unknown,
  platform: PlatformConfig | undefined,
  catalog: string[],
  options: ValidateOptions,
  problems: Problem[],
): DraftTenant | undefined {
  const base = `tenants.${name}`;
  checkName(name, base, problems);
  const tenant = parsePart(tenantSchema, raw, base, problems);
  if (!tenant) return undefined;

  tenant.services.forEach((service, i) => {
    if (!catalog.includes(service)) {
      problems.push({ path: `${base}.services[${i}]`, message: `unknown service ${JSON.stringify(service)}; the catalog (tenantnet:services) has: ${catalog.join(", ") || "nothing"}` });
    }
  });
  const vpc = parseCidr(tenant.vpc.cidr);
  const gateway = tenant.vpc.gateway ?? firstHost(vpc);
  if (!containsIp(vpc, gateway)) problems.push({ path: `${base}.vpc.gateway`, message: `${gateway} is outside vpc.cidr ${vpc.text}` });
  else if (reservedEdges(vpc).includes(ipToBigInt(gateway))) problems.push({ path: `${base}.vpc.gateway`, message: `${gateway} is the network or broadcast address of vpc.cidr ${vpc.text}` });
  const namespace = tenant.namespace ?? `tenant-${name}`;
  if (RESERVED_NAMESPACES.includes(namespace) || namespace.startsWith("kube-")) {
    problems.push({ path: `${base}.namespace`, message: `${namespace} is a system or platform namespace; give the tenant its own (default: tenant-${name})` });
  } else if (!DNS_LABEL.test(namespace)) {
    problems.push({ path: `${base}.namespace`, message: `the default namespace ${namespace} is longer than 63 characters; set a shorter tenants.${name}.namespace` });
  }
  const block = parseCidr(tenant.underlayBlock);
  if (platform) {
    const net = platform.network;
    if (!contains(parseCidr(net.vmReservation), block)) {
      problems.push({ path: `${base}.underlayBlock`, message: `${block.text} is outside platform.network.vmReservation ${net.vmReservation}` });
    }
    const platformRanges: [string, string][] = [
      ["podCidr", net.podCidr],
      ["serviceCidr", net.serviceCidr],
      ["joinCidr", net.joinCidr],
      ...net.nodeCidrs.map((c, i): [string, string] => [`nodeCidrs[${i}]`, c]),
    ];
    for (const [key, text] of platformRanges) {
      if (overlaps(vpc, parseCidr(text))) {
        problems.push({ path: `${base}.vpc.cidr`, message: `${vpc.text} overlaps platform.network.${key} ${text}; a tenant VPC must not shadow platform networks` });
      }
    }
  }

  const vms: DraftVm[] = [];
  for (const [vmName, rawVm] of Object.entries(tenant.vms)) {
    const vmBase = `${base}.vms.${vmName}`;
    checkName(vmName, vmBase, problems);
    const vm = parsePart(vmSchema, rawVm, vmBase, problems);
    if (!vm) continue;
    checkVmAddress(vm, "underlayIp", `${vmBase}.underlayIp`, block, "underlayBlock", options, problems);
    checkVmAddress(vm, "vpcIp", `${vmBase}.vpcIp`, vpc, "vpc.cidr", options, problems);
    if (vm.vpcIp === gateway) problems.push({ path: `${vmBase}.vpcIp`, message: `${vm.vpcIp} is the VPC gateway` });
    (vm.services ?? []).forEach((service, i) => {
      if (!tenant.services.includes(service)) {
        problems.push({ path: `${vmBase}.services[${i}]`, message: `${JSON.stringify(service)} is not granted to tenant ${name} (tenants.${name}.services: ${tenant.services.join(", ") || "none"})` });
      }
    });
    vms.push({ ...vm, name: vmName, services: vm.services ?? tenant.services });
  }
  return { ...tenant, name, namespace, vpc: { cidr: tenant.vpc.cidr, gateway }, vms };
}

/** Rules that span tenants: disjoint underlay blocks, unique underlay IPs, MACs and namespaces. */
function checkAcrossTenants(tenants: DraftTenant[], problems: Problem[]): void {
  const blocks = tenants.map((t) => ({ label: `tenants.${t.name}.underlayBlock`, range: parseCidr(t.underlayBlock) }));
  for (const [a, b] of overlappingPairs(blocks)) {
    problems.push({ path: b.label, message: `${b.range.text} overlaps ${a.label} ${a.range.text}; tenants' underlay blocks must be disjoint` });
  }
  const firstUse = (kind: string) => {
    const seen = new Map<string, string>();
    return (value: string | undefined, path: string) => {
      if (value === undefined) return;
      const earlier = seen.get(value);
      if (earlier) problems.push({ path, message: `${kind} ${value} is already used by ${earlier}` });
      else seen.set(value, path);
    };
  };
  const underlayIp = firstUse("underlay IP");
  const mac = firstUse("MAC");
  const namespace = firstUse("namespace");
  for (const tenant of tenants) {
    namespace(tenant.namespace, `tenants.${tenant.name}.namespace`);
    const vpcIp = firstUse("VPC IP");
    for (const vm of tenant.vms) {
      const path = `tenants.${tenant.name}.vms.${vm.name}`;
      underlayIp(vm.underlayIp, `${path}.underlayIp`);
      vpcIp(vm.vpcIp, `${path}.vpcIp`);
      mac(vm.macs?.underlay, `${path}.macs.underlay`);
      mac(vm.macs?.vpc, `${path}.macs.vpc`);
    }
  }
}

export function validateDraft(raw: RawStackConfig, options: ValidateOptions): ValidationResult<DraftConfig> {
  const problems: Problem[] = [];
  const platform = raw.platform === undefined
    ? (problems.push({ path: "platform", message: "required key tenantnet:platform is missing (it carries at least platform.network)" }), undefined)
    : parsePart(platformSchema, raw.platform, "platform", problems);
  if (platform) checkPlatform(platform, problems);

  const services: Record<string, ServiceConfig> = {};
  const rawServices = asMap(raw.services, "services", problems, "services");
  for (const [name, rawService] of Object.entries(rawServices)) {
    checkName(name, `services.${name}`, problems);
    const service = parsePart(serviceSchema, rawService, `services.${name}`, problems);
    if (service) services[name] = service;
  }

  const tenants: DraftTenant[] = [];
  const catalog = Object.keys(rawServices);
  for (const [name, rawTenant] of Object.entries(asMap(raw.tenants, "tenants", problems, "tenants"))) {
    const tenant = validateTenant(name, rawTenant, platform, catalog, options, problems);
    if (tenant) tenants.push(tenant);
  }
  checkAcrossTenants(tenants, problems);
  const firstVm = tenants.find((t) => t.vms.length > 0);
  if (platform && platform.underlay.backend !== "calico" && firstVm) {
    problems.push({
      path: "platform.underlay.backend",
      message: `${platform.underlay.backend} cannot carry tenant VMs (tenants.${firstVm.name}.vms.${firstVm.vms[0].name} and others): IPVlan/macvlan cannot carry the KubeVirt bridge binding the underlay NIC uses; use calico`,
    });
  }

  if (problems.length > 0 || !platform) return { ok: false, problems };
  return { ok: true, config: { platform, services, tenants }, problems: [] };
}

/** Full validation for planning/applying: every VM must have its addresses pinned. */
export function validateStackConfig(raw: RawStackConfig, stack: string): ValidationResult<StackConfig> {
  const result = validateDraft(raw, { stack, requirePins: true });
  if (!result.ok) return result;
  const tenants = result.config.tenants.map((t) => ({
    ...t,
    vms: t.vms.map((vm) => ({ ...vm, underlayIp: vm.underlayIp!, vpcIp: vm.vpcIp! })),
  }));
  return { ok: true, config: { ...result.config, tenants }, problems: [] };
}

