/**
 * Validates a raw stack config (the three `tenantnet:*` keys) in one pass and returns either
 * the typed config or every problem found. Sections, tenants and VMs are parsed separately so
 * that a broken part hides no problem elsewhere; cross-field rules run on the parts that parsed.
 */
import type { z } from "zod";
import { containsIp, contains, firstHost, ipToBigInt, isIpv4, overlappingPairs, overlaps, parseCidr, reservedEdges, type Cidr } from "../cidr";
import { VENDORED_KUBEVIRT_VERSIONS } from "../platform/kubevirt";
import { RESERVED_NAMESPACES } from "../platform/namespaces";
import { DNS_LABEL, PLATFORM_STACK } from "./formats";
import { parsePlatformFacts, PLATFORM_FACTS_OUTPUT, type PlatformFacts } from "./platform-facts";
import { Problem, problemsFromZod } from "./problems";
import { reservedUnderlayAddresses, reservedVpcAddresses, type ReservedAddress } from "./reserved-addresses";
import {
  DEFAULT_SECURITY_GROUP,
  platformSchema,
  serviceSchema,
  TENANT_REGISTRATION_KEYS,
  tenantSchema,
  vmSchema,
  type PlatformConfig,
  type ServiceConfig,
  type StackConfig,
  type TenantConfig,
  type TenantRegistration,
  type VmInput,
} from "./schema";

export interface RawStackConfig {
  platform?: unknown;
  services?: unknown;
  tenants?: unknown;
  /** `org/project/stack` of the platform stack; set only on a tenant-only stack. */
  platformStack?: unknown;
}

export interface ValidateOptions {
  /** The stack name, used in the advice to run `allocate`. */
  stack: string;
  /** When false (the allocate command), VMs may lack `underlayIp`/`vpcIp`. */
  requirePins: boolean;
  /** A tenant-only stack's `platformFacts`, as read from its platform stack (unchecked). */
  facts?: unknown;
}

/** A VM whose addresses may still be missing: what allocation works on. */
export interface DraftVm extends Omit<VmInput, "services"> {
  name: string;
  services: string[];
}

export interface DraftTenant extends Omit<TenantConfig, "vms"> {
  vms: DraftVm[];
}

export interface DraftConfig extends Omit<StackConfig, "tenants"> {
  tenants: DraftTenant[];
}

export type ValidationResult<T> = { ok: true; config: T; problems: [] } | { ok: false; problems: Problem[] };


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
  reserved: ReservedAddress[],
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
  if (!containsIp(range, ip)) {
    problems.push({ path, message: `${ip} is outside ${rangeName} ${range.text}` });
    return;
  }
  const taken = reserved.find((address) => address.ip === ipToBigInt(ip));
  if (taken) problems.push({ path, message: `${ip} is the ${taken.what} of ${rangeName} ${range.text}; no VM may take it` });
}

interface TenantContext {
  platform: PlatformConfig | undefined;
  catalog: string[];
  /** Set on a tenant-only stack: the tenant must declare its VPC here. */
  platformStack?: string;
  options: ValidateOptions;
  problems: Problem[];
}

function validateTenant(name: string, raw: unknown, context: TenantContext): { registration: TenantRegistration; declared?: DraftTenant } | undefined {
  const { platform, catalog, options, problems } = context;
  const base = `tenants.${name}`;
  checkName(name, base, problems);
  const tenant = parsePart(tenantSchema, raw, base, problems);
  if (!tenant) return undefined;

  tenant.services.forEach((service, i) => {
    if (!catalog.includes(service)) {
      problems.push({ path: `${base}.services[${i}]`, message: `unknown service ${JSON.stringify(service)}; the catalog (tenantnet:services) has: ${catalog.join(", ") || "nothing"}` });
    }
  });
  const namespace = tenant.namespace ?? `tenant-${name}`;
  if (RESERVED_NAMESPACES.includes(namespace) || namespace.startsWith("kube-")) {
    problems.push({ path: `${base}.namespace`, message: `${namespace} is a system or platform namespace; give the tenant its own (default: tenant-${name})` });
  } else if (!DNS_LABEL.test(namespace)) {
    problems.push({ path: `${base}.namespace`, message: `the default namespace ${namespace} is longer than 63 characters; set a shorter tenants.${name}.namespace` });
  }
  const block = parseCidr(tenant.underlayBlock);
  if (platform && !contains(parseCidr(platform.network.vmReservation), block)) {
    problems.push({ path: `${base}.underlayBlock`, message: `${block.text} is outside platform.network.vmReservation ${platform.network.vmReservation}` });
  }
  const { underlayBlock, services, kubeOvnAttachment, underlayIngress } = tenant;
  const registration: TenantRegistration = { namespace, underlayBlock, services, kubeOvnAttachment, underlayIngress };

  if (!tenant.vpc) {
    if (context.platformStack !== undefined) {
      problems.push({ path: `${base}.vpc`, message: "required key is missing (expected a map with keys cidr, gateway): a tenant stack declares its tenant's VPC" });
    } else if (Object.keys(tenant.vms).length > 0 || tenant.securityGroup) {
      problems.push({
        path: `${base}.vpc`,
        message: `required to declare VMs or a security group for tenant ${name} in this stack; without vpc the tenant is only registered here and its own stack (tenantnet:platformStack) declares them`,
      });
    }
    return { registration };
  }
  const vpc = parseCidr(tenant.vpc.cidr);
  const gateway = tenant.vpc.gateway ?? firstHost(vpc);
  if (!containsIp(vpc, gateway)) problems.push({ path: `${base}.vpc.gateway`, message: `${gateway} is outside vpc.cidr ${vpc.text}` });
  else if (reservedEdges(vpc).includes(ipToBigInt(gateway))) problems.push({ path: `${base}.vpc.gateway`, message: `${gateway} is the network or broadcast address of vpc.cidr ${vpc.text}` });
  if (platform) {
    const net = platform.network;
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

  const underlayReserved = reservedUnderlayAddresses(block);
  const vpcReserved = reservedVpcAddresses(vpc, gateway);
  const vms: DraftVm[] = [];
  for (const [vmName, rawVm] of Object.entries(tenant.vms)) {
    const vmBase = `${base}.vms.${vmName}`;
    checkName(vmName, vmBase, problems);
    const vm = parsePart(vmSchema, rawVm, vmBase, problems);
    if (!vm) continue;
    checkVmAddress(vm, "underlayIp", `${vmBase}.underlayIp`, block, "underlayBlock", underlayReserved, options, problems);
    checkVmAddress(vm, "vpcIp", `${vmBase}.vpcIp`, vpc, "vpc.cidr", vpcReserved, options, problems);
    (vm.services ?? []).forEach((service, i) => {
      if (!tenant.services.includes(service)) {
        problems.push({ path: `${vmBase}.services[${i}]`, message: `${JSON.stringify(service)} is not granted to tenant ${name} (tenants.${name}.services: ${tenant.services.join(", ") || "none"})` });
      }
    });
    vms.push({ ...vm, name: vmName, services: vm.services ?? tenant.services });
  }
  const securityGroup = tenant.securityGroup ?? structuredClone(DEFAULT_SECURITY_GROUP);
  return { registration, declared: { ...registration, name, vpc: { cidr: tenant.vpc.cidr, gateway }, securityGroup, vms } };
}

/**
 * Rules that span tenants: disjoint underlay blocks and unique namespaces among every registered
 * tenant, unique underlay IPs and MACs among the VMs this stack declares.
 */
function checkAcrossTenants(registrations: Record<string, TenantRegistration>, tenants: DraftTenant[], problems: Problem[]): void {
  const blocks = Object.entries(registrations).map(([name, t]) => ({ label: `tenants.${name}.underlayBlock`, range: parseCidr(t.underlayBlock) }));
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
  for (const [name, registration] of Object.entries(registrations)) namespace(registration.namespace, `tenants.${name}.namespace`);
  for (const tenant of tenants) {
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

/** What `tenantnet:platform` and `tenantnet:platformStack` say about which stack this is. */
function stackRole(raw: RawStackConfig, problems: Problem[]): { platformStack?: string } {
  if (raw.platformStack === undefined) {
    const install = (raw.platform as { install?: unknown } | undefined)?.install;
    if (install === false) {
      problems.push({
        path: "platformStack",
        message: "required key tenantnet:platformStack is missing: a stack with platform.install false reads the network, the catalog and its tenants' registrations from the platform stack that installs the platform (set it to org/project/stack)",
      });
    }
    return {};
  }
  if (typeof raw.platformStack !== "string" || !PLATFORM_STACK.test(raw.platformStack)) {
    problems.push({ path: "platformStack", message: `${JSON.stringify(raw.platformStack)} is not a stack reference (expected org/project/stack, e.g. acme-org/tenantnet/dev)` });
    return {};
  }
  return { platformStack: raw.platformStack };
}

/**
 * A tenant-only stack's config as the platform's facts complete it: network, underlay backend,
 * catalog and each tenant's registration come from `facts`; setting any of them here is an error
 * naming the key, since only the platform stack may decide them.
 */
function withPlatformFacts(raw: RawStackConfig, platformStack: string, factsValue: unknown, problems: Problem[]): { raw: RawStackConfig; facts: PlatformFacts } | undefined {
  const owned = (path: string, what: string) =>
    problems.push({ path, message: `owned by the platform stack ${platformStack}: a tenant stack reads ${what} from its ${PLATFORM_FACTS_OUTPUT}; remove it here (the platform team changes it there)` });
  if (raw.platform !== undefined) {
    const platform = raw.platform;
    if (typeof platform !== "object" || platform === null || Array.isArray(platform)) {
      problems.push({ path: "platform", message: `expected a map with only install: false on a tenant stack, got ${JSON.stringify(platform)}` });
    } else {
      for (const [key, value] of Object.entries(platform)) {
        if (key !== "install") owned(`platform.${key}`, `platform.${key}`);
        else if (value !== false) {
          problems.push({ path: "platform.install", message: `${JSON.stringify(value)} is not allowed: a stack that names tenantnet:platformStack ${platformStack} does not install the platform (set install: false, or remove tenantnet:platformStack)` });
        }
      }
    }
  }
  if (raw.services !== undefined) owned("services", "the service catalog");
  if (factsValue === undefined) {
    problems.push({ path: "platformStack", message: `the ${PLATFORM_FACTS_OUTPUT} of ${platformStack} were not given; they are read from that stack (offline: npm run plan -- --platform-plan PLAN)` });
    return undefined;
  }
  const parsed = parsePlatformFacts(factsValue, `${PLATFORM_FACTS_OUTPUT}(${platformStack})`);
  if (!parsed.facts) {
    problems.push(...parsed.problems);
    return undefined;
  }
  const { facts } = parsed;
  const tenants: Record<string, unknown> = {};
  for (const [name, own] of Object.entries(asMap(raw.tenants, "tenants", problems, "tenants"))) {
    const registration = facts.tenants[name];
    if (!registration) {
      const registered = Object.keys(facts.tenants);
      problems.push({
        path: `tenants.${name}`,
        message: `tenant ${name} is not registered by the platform stack ${platformStack} (it registers: ${registered.join(", ") || "none"}); the platform team registers it there first (namespace, underlayBlock, services)`,
      });
      continue;
    }
    const ownMap = asMap(own, `tenants.${name}`, problems, "tenant keys");
    for (const key of TENANT_REGISTRATION_KEYS) {
      if (key in ownMap) owned(`tenants.${name}.${key}`, `tenant ${name}'s ${key} (${JSON.stringify(registration[key])})`);
    }
    tenants[name] = { ...ownMap, ...registration };
  }
  const platform = { install: false, network: facts.network, underlay: facts.underlay };
  return { raw: { platform, services: facts.services, tenants }, facts };
}

export function validateDraft(input: RawStackConfig, options: ValidateOptions): ValidationResult<DraftConfig> {
  const problems: Problem[] = [];
  const { platformStack } = stackRole(input, problems);
  let raw = input;
  let facts: PlatformFacts | undefined;
  if (platformStack !== undefined) {
    const completed = withPlatformFacts(input, platformStack, options.facts, problems);
    if (!completed) return { ok: false, problems };
    ({ raw, facts } = completed);
  }

  const platform = raw.platform === undefined
    ? (problems.push({ path: "platform", message: "required key tenantnet:platform is missing (it carries at least platform.network)" }), undefined)
    : parsePart(platformSchema, raw.platform, "platform", problems);
  // The platform stack checked its own facts; a tenant stack's would repeat them under keys it cannot set.
  if (platform && !facts) checkPlatform(platform, problems);

  const services: Record<string, ServiceConfig> = {};
  const rawServices = asMap(raw.services, "services", problems, "services");
  for (const [name, rawService] of Object.entries(rawServices)) {
    checkName(name, `services.${name}`, problems);
    const service = parsePart(serviceSchema, rawService, `services.${name}`, problems);
    if (service) services[name] = service;
  }

  const registrations: Record<string, TenantRegistration> = facts ? structuredClone(facts.tenants) : {};
  const tenants: DraftTenant[] = [];
  const context: TenantContext = { platform, catalog: Object.keys(rawServices), platformStack, options, problems };
  for (const [name, rawTenant] of Object.entries(asMap(raw.tenants, "tenants", problems, "tenants"))) {
    const tenant = validateTenant(name, rawTenant, context);
    if (!tenant) continue;
    registrations[name] = tenant.registration;
    if (tenant.declared) tenants.push(tenant.declared);
  }
  checkAcrossTenants(registrations, tenants, problems);
  const firstVm = tenants.find((t) => t.vms.length > 0);
  if (platform && platform.underlay.backend !== "calico" && firstVm) {
    problems.push({
      path: "platform.underlay.backend",
      message: `${platform.underlay.backend} cannot carry tenant VMs (tenants.${firstVm.name}.vms.${firstVm.vms[0].name} and others): IPVlan/macvlan cannot carry the KubeVirt bridge binding the underlay NIC uses; use calico`,
    });
  }

  if (problems.length > 0 || !platform) return { ok: false, problems };
  return { ok: true, config: { platform, services, registrations, tenants, ...(platformStack ? { platformStack } : {}) }, problems: [] };
}

/** Full validation for planning/applying: every VM must have its addresses pinned. */
export function validateStackConfig(raw: RawStackConfig, stack: string, facts?: unknown): ValidationResult<StackConfig> {
  const result = validateDraft(raw, { stack, requirePins: true, facts });
  if (!result.ok) return result;
  const tenants = result.config.tenants.map((t) => ({
    ...t,
    vms: t.vms.map((vm) => ({ ...vm, underlayIp: vm.underlayIp!, vpcIp: vm.vpcIp! })),
  }));
  return { ok: true, config: { ...result.config, tenants }, problems: [] };
}

