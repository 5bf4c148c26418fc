/**
 * Validates a raw stack config (the `tenantnet:*` keys; on a tenant-only stack, completed by its
 * platform's facts) in one pass and returns either the typed config or every problem found. Sections, tenants and VMs are parsed separately so
 * that a broken part hides no problem elsewhere; cross-field rules run on the parts that parsed.
 */
import type { z } from "zod";
import {
  containsIp,
  contains,
  firstHost,
  ipToBigInt,
  isIpv4,
  overlappingPairs,
  overlaps,
  parseCidr,
  parseIpRange,
  reservedEdges,
  type Cidr,
  type Range,
} from "../cidr";
import { NAT_GATEWAY_NAME_MAX, natGatewayName } from "../tenant/names";
import { VENDORED_KUBEVIRT_VERSIONS } from "../platform/kubevirt";
import { RESERVED_NAMESPACES } from "../platform/namespaces";
import { DNS_LABEL, PLATFORM_STACK } from "./formats";
import { parsePlatformFacts, PLATFORM_FACTS_OUTPUT, type PlatformFacts } from "./platform-facts";
import { Problem, problemsFromZod } from "./problems";
import { defaultLanIp, reservedUnderlayAddresses, reservedVpcAddresses, type ReservedAddress } from "./reserved-addresses";
import {
  DEFAULT_SECURITY_GROUP,
  platformSchema,
  serviceSchema,
  TENANT_REGISTRATION_KEYS,
  tenantSchema,
  vmSchema,
  type DnsConfig,
  type ExternalNetworkConfig,
  type PlatformConfig,
  type SecurityGroupRule,
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
  /** Registration `eips` entries left `~` for allocate to pin: tenant and list index. */
  unpinnedEips: { tenant: string; index: number }[];
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
    problems.push({
      path,
      message: `name ${JSON.stringify(name)} must be a DNS label (lower-case letters, digits and '-') because it names Kubernetes objects`,
    });
  }
}

function checkPlatform(platform: PlatformConfig, problems: Problem[]): void {
  const net = platform.network;
  const pod = parseCidr(net.podCidr);
  if (!contains(pod, parseCidr(net.vmReservation))) {
    problems.push({
      path: "platform.network.vmReservation",
      message: `${net.vmReservation} is outside podCidr ${net.podCidr}; the VM reservation must be a range of the Calico pod pool`,
    });
  }
  const ranges = [
    { label: "platform.network.podCidr", range: pod },
    { label: "platform.network.serviceCidr", range: parseCidr(net.serviceCidr) },
    { label: "platform.network.joinCidr", range: parseCidr(net.joinCidr) },
    ...net.nodeCidrs.map((text, i) => ({ label: `platform.network.nodeCidrs[${i}]`, range: parseCidr(text) })),
  ];
  for (const [a, b] of overlappingPairs(ranges)) {
    problems.push({
      path: b.label,
      message: `${b.range.text} overlaps ${a.label} ${a.range.text}; pod, service, join and node networks must be disjoint`,
    });
  }
  const nodeRanges = net.nodeCidrs.map(parseCidr);
  platform.kubeOvn.masterNodes.forEach((ip, i) => {
    if (!nodeRanges.some((range) => containsIp(range, ip))) {
      problems.push({
        path: `platform.kubeOvn.masterNodes[${i}]`,
        message: `${ip} is outside every platform.network.nodeCidrs; name the master nodes by their InternalIP`,
      });
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
    if (spiderpool)
      problems.push({
        path: "platform.underlay.spiderpool",
        message: "only used with backend spiderpool-ipvlan or spiderpool-macvlan; remove it or change platform.underlay.backend",
      });
    return;
  }
  if (!spiderpool) {
    problems.push({
      path: "platform.underlay.spiderpool",
      message: `required key is missing for backend ${platform.underlay.backend} (masterInterfaces, subnet, gateway, nodes)`,
    });
    return;
  }
  const subnet = parseCidr(spiderpool.subnet);
  if (!containsIp(subnet, spiderpool.gateway)) {
    problems.push({
      path: "platform.underlay.spiderpool.gateway",
      message: `${spiderpool.gateway} is outside subnet ${spiderpool.subnet}`,
    });
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

const inRange = (range: Range, ip: bigint) => range.start <= ip && ip <= range.end;

/**
 * The external network against everything else the platform routes: it may overlap no pod,
 * service, join or node network, no catalog service and no tenant VPC declared here (a guest or
 * gateway would route one of them the wrong way); its gateway, excluded addresses and public
 * range lie inside it, and the public range is apart from the addresses Kube-OVN must not hand out.
 */
function checkExternalNetwork(
  ext: ExternalNetworkConfig,
  platform: PlatformConfig,
  services: Record<string, ServiceConfig>,
  tenants: DraftTenant[],
  problems: Problem[],
): void {
  const base = "platform.externalNetwork";
  const external = parseCidr(ext.cidr);
  const net = platform.network;
  const others: [string, string][] = [
    ["platform.network.podCidr", net.podCidr],
    ["platform.network.serviceCidr", net.serviceCidr],
    ["platform.network.joinCidr", net.joinCidr],
    ...net.nodeCidrs.map((c, i): [string, string] => [`platform.network.nodeCidrs[${i}]`, c]),
    ...Object.entries(services).flatMap(([name, service]) =>
      service.cidrs.map((c, i): [string, string] => [`services.${name}.cidrs[${i}]`, c]),
    ),
    ...tenants.map((t): [string, string] => [`tenants.${t.name}.vpc.cidr`, t.vpc.cidr]),
  ];
  for (const [key, text] of others) {
    if (overlaps(external, parseCidr(text))) {
      problems.push({
        path: `${base}.cidr`,
        message: `${ext.cidr} overlaps ${key} ${text}; the external network must be apart from every network the platform routes`,
      });
    }
  }
  const edges = reservedEdges(external);
  const gateway = ipToBigInt(ext.gateway);
  if (!containsIp(external, ext.gateway))
    problems.push({ path: `${base}.gateway`, message: `${ext.gateway} is outside externalNetwork.cidr ${ext.cidr}` });
  else if (edges.includes(gateway))
    problems.push({ path: `${base}.gateway`, message: `${ext.gateway} is the network or broadcast address of ${ext.cidr}` });
  const excluded = ext.excludeIps.map(parseIpRange);
  excluded.forEach((range, i) => {
    if (!contains(external, range))
      problems.push({ path: `${base}.excludeIps[${i}]`, message: `${ext.excludeIps[i]} is outside externalNetwork.cidr ${ext.cidr}` });
  });
  const eips = parseIpRange(ext.eipRange);
  if (!contains(external, eips)) {
    problems.push({ path: `${base}.eipRange`, message: `${ext.eipRange} is outside externalNetwork.cidr ${ext.cidr}` });
    return;
  }
  excluded.forEach((range, i) => {
    if (overlaps(eips, range))
      problems.push({
        path: `${base}.eipRange`,
        message: `${ext.eipRange} overlaps excludeIps[${i}] ${ext.excludeIps[i]}; public addresses must be ones Kube-OVN may use`,
      });
  });
  if (inRange(eips, gateway)) problems.push({ path: `${base}.eipRange`, message: `${ext.eipRange} contains the gateway ${ext.gateway}` });
  if (edges.some((edge) => inRange(eips, edge)))
    problems.push({ path: `${base}.eipRange`, message: `${ext.eipRange} contains the network or broadcast address of ${ext.cidr}` });
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
      problems.push({
        path,
        message: `not pinned; run \`npm run allocate -- --stack ${options.stack}\` to pin the lowest free address (pins never move once written)`,
      });
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
  services: Record<string, ServiceConfig>;
  /** Set on a tenant-only stack: the tenant must declare its VPC here. */
  platformStack?: string;
  options: ValidateOptions;
  problems: Problem[];
  unpinnedEips: DraftConfig["unpinnedEips"];
}

function validateTenant(
  name: string,
  raw: unknown,
  context: TenantContext,
): { registration: TenantRegistration; declared?: DraftTenant } | undefined {
  const { platform, catalog, options, problems } = context;
  const base = `tenants.${name}`;
  checkName(name, base, problems);
  const tenant = parsePart(tenantSchema, raw, base, problems);
  if (!tenant) return undefined;

  tenant.services.forEach((service, i) => {
    if (!catalog.includes(service)) {
      problems.push({
        path: `${base}.services[${i}]`,
        message: `unknown service ${JSON.stringify(service)}; the catalog (tenantnet:services) has: ${catalog.join(", ") || "nothing"}`,
      });
    }
  });
  const namespace = tenant.namespace ?? `tenant-${name}`;
  if (RESERVED_NAMESPACES.includes(namespace) || namespace.startsWith("kube-")) {
    problems.push({
      path: `${base}.namespace`,
      message: `${namespace} is a system or platform namespace; give the tenant its own (default: tenant-${name})`,
    });
  } else if (!DNS_LABEL.test(namespace)) {
    problems.push({
      path: `${base}.namespace`,
      message: `the default namespace ${namespace} is longer than 63 characters; set a shorter tenants.${name}.namespace`,
    });
  }
  const block = parseCidr(tenant.underlayBlock);
  if (platform && !contains(parseCidr(platform.network.vmReservation), block)) {
    problems.push({
      path: `${base}.underlayBlock`,
      message: `${block.text} is outside platform.network.vmReservation ${platform.network.vmReservation}`,
    });
  }
  const { underlayBlock, services, kubeOvnAttachment, underlayIngress } = tenant;
  const eips: string[] = [];
  tenant.eips.forEach((eip, i) => {
    if (eip !== null) eips.push(eip);
    else if (options.requirePins)
      problems.push({
        path: `${base}.eips[${i}]`,
        message: `not pinned; run \`npm run allocate -- --stack ${options.stack}\` to pin the lowest free address of platform.externalNetwork.eipRange`,
      });
    else context.unpinnedEips.push({ tenant: name, index: i });
  });
  if (context.platformStack === undefined && tenant.eips.length > 0) {
    const ext = platform?.externalNetwork;
    if (platform && !ext)
      problems.push({
        path: `${base}.eips`,
        message: "public addresses come from platform.externalNetwork.eipRange, and the platform declares no externalNetwork",
      });
    else if (ext) {
      const range = parseIpRange(ext.eipRange);
      tenant.eips.forEach((eip, i) => {
        if (eip !== null && !inRange(range, ipToBigInt(eip)))
          problems.push({ path: `${base}.eips[${i}]`, message: `${eip} is outside platform.externalNetwork.eipRange ${ext.eipRange}` });
      });
    }
  }
  const registration: TenantRegistration = { namespace, underlayBlock, services, kubeOvnAttachment, underlayIngress, eips };

  if (!tenant.vpc) {
    if (context.platformStack !== undefined) {
      problems.push({
        path: `${base}.vpc`,
        message: "required key is missing (expected a map with keys cidr, gateway): a tenant stack declares its tenant's VPC",
      });
    } else if (Object.keys(tenant.vms).length > 0 || tenant.securityGroup || tenant.natGateway || tenant.dns) {
      problems.push({
        path: `${base}.vpc`,
        message: `required to declare VMs, a security group, a NAT gateway or DNS for tenant ${name} in this stack; without vpc the tenant is only registered here and its own stack (tenantnet:platformStack) declares them`,
      });
    }
    return { registration };
  }
  const vpc = parseCidr(tenant.vpc.cidr);
  const gateway = tenant.vpc.gateway ?? firstHost(vpc);
  if (!containsIp(vpc, gateway)) problems.push({ path: `${base}.vpc.gateway`, message: `${gateway} is outside vpc.cidr ${vpc.text}` });
  else if (reservedEdges(vpc).includes(ipToBigInt(gateway)))
    problems.push({ path: `${base}.vpc.gateway`, message: `${gateway} is the network or broadcast address of vpc.cidr ${vpc.text}` });
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
        problems.push({
          path: `${base}.vpc.cidr`,
          message: `${vpc.text} overlaps platform.network.${key} ${text}; a tenant VPC must not shadow platform networks`,
        });
      }
    }
  }

  const natGateway = checkNatGateway(name, tenant.natGateway, vpc, gateway, registration, context);
  const underlayReserved = reservedUnderlayAddresses(block);
  const vpcReserved = reservedVpcAddresses(vpc, gateway, natGateway?.lanIp);
  const securityGroup = tenant.securityGroup ?? structuredClone(DEFAULT_SECURITY_GROUP);
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
        problems.push({
          path: `${vmBase}.services[${i}]`,
          message: `${JSON.stringify(service)} is not granted to tenant ${name} (tenants.${name}.services: ${tenant.services.join(", ") || "none"})`,
        });
      }
    });
    checkInbound(vm, vmBase, name, natGateway, registration.eips, securityGroup.ingressRules, problems);
    vms.push({ ...vm, name: vmName, services: vm.services ?? tenant.services });
  }
  checkInboundAcrossVms(name, vms, problems);
  const dns = tenant.dns ?? platform?.network.dns;
  if (dns && platform)
    checkNameservers(name, dns, tenant.dns ? `${base}.dns` : "platform.network.dns", vpc, natGateway !== undefined, vms, context);
  const declared: DraftTenant = {
    ...registration,
    name,
    vpc: { cidr: tenant.vpc.cidr, gateway },
    securityGroup,
    ...(natGateway ? { natGateway } : {}),
    ...(dns ? { dns } : {}),
    vms,
  };
  return { registration, declared };
}

/** Kube-OVN NAT gateway addresses with defaults resolved, or undefined when there is none. */
function checkNatGateway(
  name: string,
  nat: { enabled: boolean; lanIp?: string; snatIp?: string } | undefined,
  vpc: Cidr,
  gateway: string,
  registration: TenantRegistration,
  context: TenantContext,
): { lanIp: string; snatIp: string } | undefined {
  if (!nat?.enabled) return undefined;
  const { platform, problems } = context;
  const base = `tenants.${name}.natGateway`;
  if (platform && !platform.externalNetwork) {
    problems.push({
      path: `${base}.enabled`,
      message: "a NAT gateway attaches to platform.externalNetwork, and the platform declares none (the platform team adds it)",
    });
  }
  const gatewayName = natGatewayName(registration.namespace);
  if (gatewayName.length > NAT_GATEWAY_NAME_MAX) {
    problems.push({
      path: `tenants.${name}.namespace`,
      message: `the NAT gateway takes the namespace's name ${gatewayName} (${gatewayName.length} characters); Kube-OVN v1.16.2 allows ${NAT_GATEWAY_NAME_MAX} (its StatefulSet vpc-nat-gw-<name> must fit 52); choose a shorter namespace`,
    });
  }
  const lanIp = nat.lanIp ?? defaultLanIp(vpc);
  if (!containsIp(vpc, lanIp)) problems.push({ path: `${base}.lanIp`, message: `${lanIp} is outside vpc.cidr ${vpc.text}` });
  else if (reservedEdges(vpc).includes(ipToBigInt(lanIp)) || lanIp === gateway) {
    problems.push({ path: `${base}.lanIp`, message: `${lanIp} is the network, broadcast or gateway address of vpc.cidr ${vpc.text}` });
  }
  const snatIp = nat.snatIp ?? registration.eips[0];
  if (snatIp === undefined) {
    problems.push({
      path: `${base}.snatIp`,
      message: `tenant ${name} has no public address granted (tenants.${name}.eips, the platform stack's, pinned by npm run allocate)`,
    });
    return undefined;
  }
  if (!registration.eips.includes(snatIp)) {
    problems.push({
      path: `${base}.snatIp`,
      message: `${snatIp} is not one of tenant ${name}'s eips (${registration.eips.join(", ") || "none"})`,
    });
  }
  return { lanIp, snatIp };
}

/** Whether an allow rule of the security group lets `protocol` traffic to `port` in. */
function allowsIngress(rules: SecurityGroupRule[], protocol: "tcp" | "udp", port: number): boolean {
  return rules.some((rule) => {
    if (rule.policy !== "allow" || (rule.protocol !== "all" && rule.protocol !== protocol)) return false;
    if (rule.protocol === "all") return true;
    const min = rule.portRangeMin ?? 1;
    const max = rule.portRangeMax ?? rule.portRangeMin ?? 65535;
    return min <= port && port <= max;
  });
}

/** A VM's public address and port forwards: they need the NAT gateway, a granted address and a security group that lets them in. */
function checkInbound(
  vm: VmInput,
  vmBase: string,
  tenant: string,
  nat: { snatIp: string } | undefined,
  eips: string[],
  ingressRules: SecurityGroupRule[],
  problems: Problem[],
): void {
  const needsGateway = (path: string) =>
    problems.push({
      path,
      message: `inbound traffic arrives through the tenant's NAT gateway: set tenants.${tenant}.natGateway.enabled: true`,
    });
  if (vm.publicIp !== undefined) {
    if (!nat) needsGateway(`${vmBase}.publicIp`);
    if (!eips.includes(vm.publicIp))
      problems.push({
        path: `${vmBase}.publicIp`,
        message: `${vm.publicIp} is not one of tenant ${tenant}'s eips (${eips.join(", ") || "none"})`,
      });
    else if (nat && vm.publicIp === nat.snatIp) {
      problems.push({
        path: `${vmBase}.publicIp`,
        message: `${vm.publicIp} is the tenant's SNAT address (natGateway.snatIp); a public IP maps every port to one VM, so it needs an address of its own`,
      });
    }
  }
  vm.portForwards.forEach((forward, i) => {
    const path = `${vmBase}.portForwards[${i}]`;
    if (!nat) needsGateway(path);
    if (!allowsIngress(ingressRules, forward.protocol, forward.internalPort)) {
      problems.push({
        path,
        message:
          `forwards ${forward.externalPort}/${forward.protocol} to port ${forward.internalPort}, which tenants.${tenant}.securityGroup.ingressRules do not allow in; ` +
          `add {protocol: ${forward.protocol}, portRangeMin: ${forward.internalPort}, portRangeMax: ${forward.internalPort}, remoteAddress: 0.0.0.0/0}`,
      });
    }
  });
}

/** One VM per public IP, and each external port (per protocol) of the SNAT address forwarded once. */
function checkInboundAcrossVms(tenant: string, vms: DraftVm[], problems: Problem[]): void {
  const publicIps = new Map<string, string>();
  const ports = new Map<string, string>();
  for (const vm of vms) {
    const vmBase = `tenants.${tenant}.vms.${vm.name}`;
    if (vm.publicIp !== undefined) {
      const earlier = publicIps.get(vm.publicIp);
      if (earlier) problems.push({ path: `${vmBase}.publicIp`, message: `${vm.publicIp} is already the public IP of ${earlier}` });
      else publicIps.set(vm.publicIp, `${vmBase}.publicIp`);
    }
    vm.portForwards.forEach((forward, i) => {
      const key = `${forward.externalPort}/${forward.protocol}`;
      const path = `${vmBase}.portForwards[${i}].externalPort`;
      const earlier = ports.get(key);
      if (earlier) problems.push({ path, message: `${key} of the SNAT address is already forwarded by ${earlier}` });
      else ports.set(key, path);
    });
  }
}

/**
 * Whether the guests can reach their resolvers. The underlay NIC routes only the pod and node
 * CIDRs, so a nameserver there is reached over it and must be a catalog service granted on
 * 53/UDP to each VM; one inside the VPC is local; any other leaves by the VPC default route,
 * which leads somewhere only through the NAT gateway.
 */
function checkNameservers(
  tenant: string,
  dns: DnsConfig,
  dnsPath: string,
  vpc: Cidr,
  natGateway: boolean,
  vms: DraftVm[],
  context: TenantContext,
): void {
  const { platform, services, problems } = context;
  const net = platform!.network;
  const underlay = [["platform.network.podCidr", net.podCidr], ...net.nodeCidrs.map((c, i) => [`platform.network.nodeCidrs[${i}]`, c])];
  dns.nameservers.forEach((server, i) => {
    const path = `${dnsPath}.nameservers[${i}]`;
    const via = underlay.find(([, c]) => containsIp(parseCidr(c), server));
    if (via) {
      const serving = (names: string[]) =>
        names.filter((n) => services[n]?.ports.includes("53/UDP") && services[n].cidrs.some((c) => containsIp(parseCidr(c), server)));
      const lacking = vms.filter((vm) => serving(vm.services).length === 0).map((vm) => vm.name);
      if (lacking.length > 0) {
        const catalog = serving(Object.keys(services));
        problems.push({
          path,
          message:
            `${server} is reached over the underlay NIC (inside ${via[0]} ${via[1]}), so it must be a granted catalog service on 53/UDP; tenant ${tenant}'s VMs ${lacking.join(", ")} ` +
            (catalog.length > 0 ? `are not granted ${catalog.join(" or ")}` : "cannot be: no catalog service covers it on 53/UDP"),
        });
      }
    } else if (!containsIp(vpc, server) && !natGateway) {
      problems.push({
        path,
        message: `${server} is reached through tenant ${tenant}'s VPC default route, which leads nowhere without a NAT gateway: set tenants.${tenant}.natGateway.enabled: true`,
      });
    }
  });
}

/**
 * Rules that span tenants: disjoint underlay blocks and unique namespaces among every registered
 * tenant, unique underlay IPs and MACs among the VMs this stack declares.
 */
function checkAcrossTenants(registrations: Record<string, TenantRegistration>, tenants: DraftTenant[], problems: Problem[]): void {
  const blocks = Object.entries(registrations).map(([name, t]) => ({
    label: `tenants.${name}.underlayBlock`,
    range: parseCidr(t.underlayBlock),
  }));
  for (const [a, b] of overlappingPairs(blocks)) {
    problems.push({
      path: b.label,
      message: `${b.range.text} overlaps ${a.label} ${a.range.text}; tenants' underlay blocks must be disjoint`,
    });
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
  const eip = firstUse("EIP");
  for (const [name, registration] of Object.entries(registrations)) {
    namespace(registration.namespace, `tenants.${name}.namespace`);
    registration.eips.forEach((address, i) => eip(address, `tenants.${name}.eips[${i}]`));
  }
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
        message:
          "required key tenantnet:platformStack is missing: a stack with platform.install false reads the network, the catalog and its tenants' registrations from the platform stack that installs the platform (set it to org/project/stack)",
      });
    }
    return {};
  }
  if (typeof raw.platformStack !== "string" || !PLATFORM_STACK.test(raw.platformStack)) {
    problems.push({
      path: "platformStack",
      message: `${JSON.stringify(raw.platformStack)} is not a stack reference (expected org/project/stack, e.g. acme-org/tenantnet/dev)`,
    });
    return {};
  }
  return { platformStack: raw.platformStack };
}

/**
 * A tenant-only stack's config as the platform's facts complete it: network, underlay backend,
 * catalog and each tenant's registration come from `facts`; setting any of them here is an error
 * naming the key, since only the platform stack may decide them.
 */
function withPlatformFacts(
  raw: RawStackConfig,
  platformStack: string,
  factsValue: unknown,
  problems: Problem[],
): { raw: RawStackConfig; facts: PlatformFacts } | undefined {
  const owned = (path: string, what: string) =>
    problems.push({
      path,
      message: `owned by the platform stack ${platformStack}: a tenant stack reads ${what} from its ${PLATFORM_FACTS_OUTPUT}; remove it here (the platform team changes it there)`,
    });
  if (raw.platform !== undefined) {
    const platform = raw.platform;
    if (typeof platform !== "object" || platform === null || Array.isArray(platform)) {
      problems.push({
        path: "platform",
        message: `expected a map with only install: false on a tenant stack, got ${JSON.stringify(platform)}`,
      });
    } else {
      for (const [key, value] of Object.entries(platform)) {
        if (key !== "install") owned(`platform.${key}`, `platform.${key}`);
        else if (value !== false) {
          problems.push({
            path: "platform.install",
            message: `${JSON.stringify(value)} is not allowed: a stack that names tenantnet:platformStack ${platformStack} does not install the platform (set install: false, or remove tenantnet:platformStack)`,
          });
        }
      }
    }
  }
  if (raw.services !== undefined) owned("services", "the service catalog");
  if (factsValue === undefined) {
    problems.push({
      path: "platformStack",
      message: `the ${PLATFORM_FACTS_OUTPUT} of ${platformStack} were not given; they are read from that stack (offline: npm run plan -- --platform-plan PLAN)`,
    });
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
  const platform = {
    install: false,
    network: facts.network,
    underlay: facts.underlay,
    ...(facts.externalNetwork ? { externalNetwork: facts.externalNetwork } : {}),
  };
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

  const platform =
    raw.platform === undefined
      ? (problems.push({ path: "platform", message: "required key tenantnet:platform is missing (it carries at least platform.network)" }),
        undefined)
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
  const unpinnedEips: DraftConfig["unpinnedEips"] = [];
  const context: TenantContext = { platform, catalog: Object.keys(rawServices), services, platformStack, options, problems, unpinnedEips };
  for (const [name, rawTenant] of Object.entries(asMap(raw.tenants, "tenants", problems, "tenants"))) {
    const tenant = validateTenant(name, rawTenant, context);
    if (!tenant) continue;
    registrations[name] = tenant.registration;
    if (tenant.declared) tenants.push(tenant.declared);
  }
  checkAcrossTenants(registrations, tenants, problems);
  if (platform?.externalNetwork && !facts) checkExternalNetwork(platform.externalNetwork, platform, services, tenants, problems);
  const firstVm = tenants.find((t) => t.vms.length > 0);
  if (platform && platform.underlay.backend !== "calico" && firstVm) {
    problems.push({
      path: "platform.underlay.backend",
      message: `${platform.underlay.backend} cannot carry tenant VMs (tenants.${firstVm.name}.vms.${firstVm.vms[0].name} and others): IPVlan/macvlan cannot carry the KubeVirt bridge binding the underlay NIC uses; use calico`,
    });
  }

  if (problems.length > 0 || !platform) return { ok: false, problems };
  return {
    ok: true,
    config: { platform, services, registrations, tenants, unpinnedEips, ...(platformStack ? { platformStack } : {}) },
    problems: [],
  };
}

/** Full validation for planning/applying: every VM must have its addresses pinned. */
export function validateStackConfig(raw: RawStackConfig, stack: string, facts?: unknown): ValidationResult<StackConfig> {
  const result = validateDraft(raw, { stack, requirePins: true, facts });
  if (!result.ok) return result;
  const { unpinnedEips: _none, ...config } = result.config;
  const tenants = config.tenants.map((t) => ({
    ...t,
    vms: t.vms.map((vm) => ({ ...vm, underlayIp: vm.underlayIp!, vpcIp: vm.vpcIp! })),
  }));
  return { ok: true, config: { ...config, tenants }, problems: [] };
}
