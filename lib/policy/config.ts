/**
 * The policy configuration: network facts and the service catalog with its grants. The same
 * shape is the offline runner's input and each CrossGuard policy's config (set with
 * `--policy-pack-config`); the stack's own resources fill what is missing where derivable.
 */
import { PORT_PATTERN } from "../config/formats";
import { DATAPLANES, type StackConfig } from "../config/schema";

export interface PolicyNetworkConfig {
  podCidr?: string;
  serviceCidr?: string;
  joinCidr?: string;
  nodeCidrs?: string[];
  /** How the platform's Calico pool carries the underlay (tenantnet:platform.network.dataplane). */
  dataplane?: (typeof DATAPLANES)[number];
  /** The platform's external network (tenantnet:platform.externalNetwork): its Subnet's name and CIDR. */
  externalSubnet?: string;
  externalCidr?: string;
  /** Addresses inside the node CIDRs that are not nodes (tenantnet:platform.network.nonNodeCidrs): a catalog service there may use a node-control port. */
  nonNodeCidrs?: string[];
}

/** A source a tenant's underlay NICs accept traffic from (registration underlayIngress). */
export interface PolicyIngressConfig {
  cidrs: string[];
  /** "22/TCP" like the stack config. */
  ports: string[];
}

export interface PolicyServiceConfig {
  cidrs: string[];
  /** "443/TCP" like the stack config. */
  ports: string[];
}

export interface PolicyTenantConfig {
  namespace: string;
  underlayBlock: string;
  /** Services granted to the tenant: the default for its VMs. */
  services: string[];
  /** VM name -> services granted to that VM. */
  vms: Record<string, string[]>;
  /** Public addresses granted to the tenant (registration eips); absent: none. */
  eips?: string[];
  /** The only sources its underlay NICs accept (registration underlayIngress); absent: none. */
  underlayIngress?: PolicyIngressConfig[];
}

/**
 * Where the platform's Helm charts come from (tenantnet:platform.install, versions,
 * chartRepositories, imageRegistry): a release is the platform's own only if it matches the pins
 * these resolve to. `install: false` (a tenant-only stack): no release is the platform's.
 */
export interface PolicyPlatformConfig {
  install?: boolean;
  versions?: Record<string, string>;
  chartRepositories?: Record<string, string>;
  imageRegistry?: string;
}

/**
 * What the platform lets through beyond the closed world, each entry with its reason: resource
 * types (`kubernetes:apps/v1:Deployment`) and platform values (`kube-ovn-v2.features.enableExternalVpcs`).
 * Only the pack config says it, never a stack's own config.
 */
export interface PolicyAllowConfig {
  types?: Record<string, string>;
  platformValues?: Record<string, string>;
}

export interface PolicyConfig {
  network?: PolicyNetworkConfig;
  services?: Record<string, PolicyServiceConfig>;
  /** Keyed by tenant name. */
  tenants?: Record<string, PolicyTenantConfig>;
  platform?: PolicyPlatformConfig;
  allow?: PolicyAllowConfig;
}

export type ConfigSection = keyof PolicyConfig;

/** The registered tenant whose namespace this is (its name in the config), if any. */
export function tenantInNamespace(config: PolicyConfig, namespace: string): { name: string; tenant: PolicyTenantConfig } | undefined {
  const found = Object.entries(config.tenants ?? {}).find(([, tenant]) => tenant.namespace === namespace);
  return found && { name: found[0], tenant: found[1] };
}

/**
 * The policy config a validated stack config implies: what the offline plan hands the rules.
 * Every section comes from the facts' owner. On the platform stack that is the stack itself,
 * VMs' narrowed grants included; on a tenant-only stack the network, catalog and registrations
 * came from the platform's `platformFacts`, and its VMs are held to their tenant's grants.
 */
export function policyConfigFromStackConfig(stack: StackConfig): PolicyConfig {
  const { podCidr, serviceCidr, joinCidr, nodeCidrs, dataplane, nonNodeCidrs } = stack.platform.network;
  const external = stack.platform.externalNetwork;
  const ownGrants = stack.platformStack === undefined;
  const { install, versions, chartRepositories, imageRegistry } = stack.platform;
  const vmGrants = new Map(
    stack.tenants.map((tenant) => [tenant.name, Object.fromEntries(tenant.vms.map((vm) => [vm.name, [...vm.services]]))]),
  );
  return {
    network: {
      podCidr,
      serviceCidr,
      joinCidr,
      nodeCidrs: [...nodeCidrs],
      dataplane,
      ...(nonNodeCidrs ? { nonNodeCidrs: [...nonNodeCidrs] } : {}),
      ...(external ? { externalSubnet: external.name, externalCidr: external.cidr } : {}),
    },
    services: Object.fromEntries(
      Object.entries(stack.services).map(([name, service]) => [name, { cidrs: [...service.cidrs], ports: [...service.ports] }]),
    ),
    tenants: Object.fromEntries(
      Object.entries(stack.registrations).map(([name, tenant]) => [
        name,
        {
          namespace: tenant.namespace,
          underlayBlock: tenant.underlayBlock,
          services: [...tenant.services],
          vms: (ownGrants ? vmGrants.get(name) : undefined) ?? {},
          eips: [...tenant.eips],
          underlayIngress: tenant.underlayIngress.map((entry) => ({ cidrs: [...entry.cidrs], ports: [...entry.ports] })),
        },
      ]),
    ),
    platform: { install: install && ownGrants, versions: { ...versions }, chartRepositories: { ...chartRepositories }, imageRegistry },
  };
}

/** The JSON Schema subset the sections use; structurally a CrossGuard `PolicyConfigJSONSchema`. */
export interface SectionSchema {
  type: "string" | "boolean" | "object" | "array";
  description?: string;
  pattern?: string;
  items?: SectionSchema;
  properties?: Record<string, SectionSchema>;
  additionalProperties?: SectionSchema | false;
  required?: string[];
}

/** An IPv4 CIDR: octets 0-255, prefix 0-32 (host bits are left to the rules, which report them). */
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const cidr: SectionSchema = { type: "string", pattern: `^(${OCTET}\\.){3}${OCTET}/([12]?\\d|3[0-2])$` };
const names: SectionSchema = { type: "array", items: { type: "string" } };
/** A catalog service and an underlay ingress source alike: CIDRs and "443/TCP" ports. */
const cidrsAndPorts: SectionSchema = {
  type: "object",
  additionalProperties: false,
  required: ["cidrs", "ports"],
  properties: {
    cidrs: { type: "array", items: cidr },
    ports: { type: "array", items: { type: "string", pattern: PORT_PATTERN.source } },
  },
};
const strings: SectionSchema = { type: "object", additionalProperties: { type: "string" } };

export const CONFIG_SECTION_SCHEMAS: Record<ConfigSection, SectionSchema> = {
  network: {
    type: "object",
    description:
      "Network facts (tenantnet:platform.network, and the externalNetwork's Subnet name and CIDR); pod CIDR and node CIDRs are derived from the stack when absent; dataplane (overlay | bgp) is read when the stack declares no Calico Installation",
    additionalProperties: false,
    properties: {
      podCidr: cidr,
      serviceCidr: cidr,
      joinCidr: cidr,
      nodeCidrs: { type: "array", items: cidr },
      dataplane: { type: "string", pattern: `^(${DATAPLANES.join("|")})$` },
      externalSubnet: { type: "string" },
      externalCidr: cidr,
      nonNodeCidrs: { type: "array", items: cidr },
    },
  },
  services: {
    type: "object",
    description: 'Service catalog (tenantnet:services): CIDRs and ports ("443/TCP") per service',
    additionalProperties: cidrsAndPorts,
  },
  tenants: {
    type: "object",
    description:
      "Grants per tenant (tenantnet:tenants): namespace, underlay block, services, services per VM, public addresses (eips) and the underlay ingress sources (underlayIngress)",
    additionalProperties: {
      type: "object",
      additionalProperties: false,
      required: ["namespace", "underlayBlock", "services", "vms"],
      properties: {
        namespace: { type: "string" },
        underlayBlock: cidr,
        services: names,
        vms: { type: "object", additionalProperties: names },
        eips: names,
        underlayIngress: {
          type: "array",
          items: cidrsAndPorts,
        },
      },
    },
  },
  platform: {
    type: "object",
    description:
      "Where the platform's Helm charts come from (tenantnet:platform.install, versions, chartRepositories, imageRegistry); absent: the pinned versions from upstream's repositories",
    additionalProperties: false,
    properties: { install: { type: "boolean" }, versions: strings, chartRepositories: strings, imageRegistry: { type: "string" } },
  },
  allow: {
    type: "object",
    description:
      'Beyond the closed world, each with its reason: resource types ("<Pulumi type token>": "<reason>") and platform values ("<chart or kind>.<key path>": "<reason>")',
    additionalProperties: false,
    properties: { types: strings, platformValues: strings },
  },
};
