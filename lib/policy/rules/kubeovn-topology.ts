/**
 * A tenant's Kube-OVN topology is the one the program renders: its Subnets live in its own Vpc
 * with its own provider, serve only its namespace and carry no field that reaches past the VPC
 * router (an underlay VLAN, underlay-to-overlay interconnection, node gateways or SNAT); its Vpc
 * serves only its namespace, has no external side, no policy routes, no peering and no static
 * route but the default to its NAT gateway (whose next hop tenant-nat judges), and that route
 * and gateway only for a tenant granted a public address. Nothing else
 * serves or names a tenant: no other Subnet or Vpc binds a tenant namespace, no Vpc peers with a
 * tenant's, and no egress gateway, DNS, OVN NAT, VIP, LB rule or IP pool the program never
 * renders for a tenant points into its VPC, subnet or namespace. One resource plus the policy
 * config's registrations: a resource policy, so `pulumi up` stops before applying the object.
 */
import { isIpv4 } from "../../cidr";
import { KINDS } from "../../k8s/kinds";
import { subnetName, vpcName } from "../../tenant/names";
import type { PolicyConfig } from "../config";
import { asArray, asObject, asString, describe, objectName, violationAt } from "../k8s";
import {
  DEFAULT_VPC,
  effectiveVpc,
  isZero,
  providerTenant,
  selectorMayMatchNamespace,
  tenantIndex,
  tenantProviders,
  type TenantIndex,
  type TenantRef,
} from "../kube-ovn";
import type { Finding, PolicyResource } from "../resource";
import type { ResourceRule } from "../types";

type Flag = (path: string, value: unknown, why: string) => void;

const UNJUDGED = "tenantnet never sets it here and the pack does not judge what it opens; remove it";

/** Subnet fields that only address or restrict the tenant's own logical switch (cidrBlock is judged by kubeovn-subnet-overlap). */
const SUBNET_ADDRESSING = new Set([
  "cidrBlock",
  "gateway",
  "protocol",
  "excludeIps",
  "mtu",
  "disableGatewayCheck",
  "private",
  "allowSubnets",
  "enableLb",
]);

const SUBNET_REFUSED: Record<string, string> = {
  default:
    "makes it the default subnet of every namespace bound to no other (Kube-OVN clears it only on default-VPC subnets: pkg/controller/subnet.go formatSubnet, v1.16.2)",
  vlan: "an underlay subnet: its ports are bridged onto the provider network's VLAN instead of staying behind the VPC router",
  u2oInterconnection: "underlay-to-overlay interconnection routes the subnet to the default VPC's overlay",
  u2oInterconnectionIP: "underlay-to-overlay interconnection routes the subnet to the default VPC's overlay",
  u2oFeatures: "underlay-to-overlay interconnection routes the subnet to the default VPC's overlay",
  logicalGateway: "an underlay setting: the subnet's gateway becomes a logical router port on the physical network",
  nodeNetwork: "an underlay setting: the subnet's traffic leaves on a node network",
  natOutgoing: "SNATs the subnet to the nodes' addresses: a way out the program does not render",
  natOutgoingPolicyRules: "SNATs the subnet to the nodes' addresses: a way out the program does not render",
  gatewayType: "a default-VPC node gateway: a way out through the nodes",
  gatewayNode: "a default-VPC node gateway: a way out through the nodes",
  gatewayNodeSelectors: "a default-VPC node gateway: a way out through the nodes",
  enableEcmp: "a default-VPC node gateway: a way out through the nodes",
  externalEgressGateway: "routes the subnet's egress to an external gateway",
  policyRoutingPriority: "routes the subnet's egress to an external gateway",
  policyRoutingTableID: "routes the subnet's egress to an external gateway",
  namespaceSelectors: "binds every namespace whose labels match to the subnet, not only the tenant's",
};

const VPC_REFUSED: Record<string, string> = {
  policyRoutes: "policy routes can reroute the VPC's traffic anywhere; the program renders none",
  vpcPeerings: "peering joins the tenant's VPC to another VPC's routing",
  enableExternal: "connects the VPC router to the external network outside the NAT gateway",
  extraExternalSubnets: "connects the VPC router to external networks outside the NAT gateway",
  enableBfd: "a BFD external gateway for the VPC router",
  bfdPort: "a BFD external gateway for the VPC router",
};

/** The tenant a Subnet belongs to: by its name, else its provider (an attachment picks a Subnet by provider), else its vpc. */
function subnetTenant(index: TenantIndex, name: string, spec: Record<string, unknown>): TenantRef | undefined {
  return index.bySubnet.get(name) ?? providerTenant(index, asString(spec.provider) ?? "") ?? index.byVpc.get(asString(spec.vpc) ?? "");
}

/** A Subnet or Vpc that is no tenant's binds no tenant namespace, neither by name nor by label selector. */
function foreignBindings(index: TenantIndex, spec: Record<string, unknown>, what: string, flag: Flag): void {
  asArray(spec.namespaces).forEach((namespace, i) => {
    const tenant = index.byNamespace.get(asString(namespace) ?? "");
    if (tenant) flag(`spec.namespaces[${i}]`, namespace, `binds tenant ${tenant.name}'s namespace to ${what} that is not the tenant's own`);
  });
  asArray(spec.namespaceSelectors).forEach((selector, i) => {
    const reached = [...index.byNamespace.values()].filter((t) => selectorMayMatchNamespace(selector, t.namespace));
    if (reached.length > 0)
      flag(
        `spec.namespaceSelectors[${i}]`,
        selector,
        `may select tenant namespace ${reached.map((t) => t.namespace).join(", ")} (only a kubernetes.io/metadata.name requirement excludes one)`,
      );
  });
}

function onlyOwnNamespace(spec: Record<string, unknown>, tenant: TenantRef, flag: Flag): void {
  asArray(spec.namespaces).forEach((namespace, i) => {
    if (namespace !== tenant.namespace)
      flag(`spec.namespaces[${i}]`, namespace, `tenant ${tenant.name}'s Kube-OVN objects serve only its namespace ${tenant.namespace}`);
  });
}

function checkSubnet(resource: PolicyResource, index: TenantIndex, flag: Flag): void {
  const spec = asObject(resource.inputs.spec);
  const tenant = subnetTenant(index, objectName(resource), spec);
  if (!tenant) return foreignBindings(index, spec, "a Subnet", flag);
  const ownVpc = vpcName(tenant.namespace);
  if (asString(spec.vpc) !== ownVpc) {
    const lands =
      effectiveVpc(spec) === DEFAULT_VPC
        ? `; as written it lands in ${DEFAULT_VPC}, the default VPC, which reaches every node through the join subnet`
        : "";
    flag("spec.vpc", spec.vpc, `tenant ${tenant.name}'s Subnet must be in its own Vpc ${ownVpc}${lands}`);
  }
  const providers = tenantProviders(tenant.namespace);
  if (!providers.includes(asString(spec.provider) ?? ""))
    flag(
      "spec.provider",
      spec.provider,
      `tenant ${tenant.name}'s Subnet carries its Kube-OVN attachment's provider (${providers.join(" or ")})`,
    );
  onlyOwnNamespace(spec, tenant, flag);
  for (const [key, value] of Object.entries(spec)) {
    if (key === "vpc" || key === "provider" || key === "namespaces" || SUBNET_ADDRESSING.has(key) || isZero(value)) continue;
    flag(`spec.${key}`, value, SUBNET_REFUSED[key] ?? UNJUDGED);
  }
}

/** The one static route the program renders: 0.0.0.0/0 via the NAT gateway (tenant-nat checks the next hop is that gateway's lanIp). */
function checkStaticRoutes(routes: unknown, eips: string[], tenant: TenantRef, flag: Flag): void {
  const list = asArray(routes);
  // The program renders a NAT gateway only for a tenant granted a public address (its SNAT EIP).
  if (eips.length === 0)
    return flag(
      "spec.staticRoutes",
      routes,
      `tenant ${tenant.name} is granted no public address (policy config tenants.${tenant.name}.eips), so it has no NAT gateway and its VPC no static route`,
    );
  if (list.length > 1) flag("spec.staticRoutes", routes, "a tenant VPC has one static route at most: its default to its own NAT gateway");
  list.forEach((raw, i) => {
    const route = asObject(raw);
    const policy = asString(route.policy) ?? "";
    const extra = Object.entries(route).filter(([key, value]) => !["cidr", "nextHopIP", "policy"].includes(key) && !isZero(value));
    if (route.cidr !== "0.0.0.0/0" || !isIpv4(asString(route.nextHopIP) ?? "") || !["", "policyDst"].includes(policy) || extra.length > 0)
      flag(
        `spec.staticRoutes[${i}]`,
        raw,
        "must be {cidr: 0.0.0.0/0, nextHopIP: <its NAT gateway's lanIp>, policy: policyDst} and nothing else (no ecmpMode, bfdId or routeTable)",
      );
  });
}

function checkVpc(resource: PolicyResource, config: PolicyConfig, index: TenantIndex, flag: Flag): void {
  const spec = asObject(resource.inputs.spec);
  const tenant = index.byVpc.get(objectName(resource));
  if (!tenant) {
    foreignBindings(index, spec, "a Vpc", flag);
    asArray(spec.vpcPeerings).forEach((peering, i) => {
      const remote = index.byVpc.get(asString(asObject(peering).remoteVpc) ?? "");
      if (remote) flag(`spec.vpcPeerings[${i}].remoteVpc`, asObject(peering).remoteVpc, `peers with tenant ${remote.name}'s VPC`);
    });
    return;
  }
  onlyOwnNamespace(spec, tenant, flag);
  for (const [key, value] of Object.entries(spec)) {
    if (key === "namespaces" || isZero(value)) continue;
    if (key === "staticRoutes") checkStaticRoutes(value, config.tenants?.[tenant.name]?.eips ?? [], tenant, flag);
    else if (key === "defaultSubnet") {
      if (value !== subnetName(tenant.namespace))
        flag("spec.defaultSubnet", value, `must be unset or tenant ${tenant.name}'s Subnet ${subnetName(tenant.namespace)}`);
    } else flag(`spec.${key}`, value, VPC_REFUSED[key] ?? UNJUDGED);
  }
}

/**
 * Kube-OVN objects the program never renders for a tenant, and the fields by which one reaches
 * into a tenant (kubeovn/kube-ovn v1.16.2 pkg/apis/kubeovn/v1): a VPC, a subnet or a namespace.
 */
const REFERENCES: Record<string, { path: string; names: "vpc" | "subnet" | "namespace"; list?: boolean }[]> = {
  [KINDS.vpcEgressGateway.type]: [
    { path: "vpc", names: "vpc" },
    { path: "internalSubnet", names: "subnet" },
  ],
  [KINDS.vpcDns.type]: [
    { path: "vpc", names: "vpc" },
    { path: "subnet", names: "subnet" },
  ],
  [KINDS.ovnFip.type]: [{ path: "vpc", names: "vpc" }],
  [KINDS.ovnDnatRule.type]: [{ path: "vpc", names: "vpc" }],
  [KINDS.ovnSnatRule.type]: [
    { path: "vpc", names: "vpc" },
    { path: "vpcSubnet", names: "subnet" },
  ],
  [KINDS.kubeOvnVip.type]: [
    { path: "subnet", names: "subnet" },
    { path: "namespace", names: "namespace" },
  ],
  [KINDS.switchLbRule.type]: [{ path: "namespace", names: "namespace" }],
  [KINDS.kubeOvnIpPool.type]: [
    { path: "subnet", names: "subnet" },
    { path: "namespaces", names: "namespace", list: true },
  ],
};

function checkReferences(resource: PolicyResource, index: TenantIndex, flag: Flag): void {
  const spec = asObject(resource.inputs.spec);
  for (const { path, names, list } of REFERENCES[resource.type]) {
    const lookup = names === "vpc" ? index.byVpc : names === "subnet" ? index.bySubnet : index.byNamespace;
    const values = list
      ? asArray(spec[path]).map((value, i) => ({ value, at: `spec.${path}[${i}]` }))
      : [{ value: spec[path], at: `spec.${path}` }];
    for (const { value, at } of values) {
      const tenant = lookup.get(asString(value) ?? "");
      if (tenant)
        flag(
          at,
          value,
          `names tenant ${tenant.name}'s ${names}: the program renders no ${resource.type.split(":").pop()} for a tenant, so it would reach into the tenant's network`,
        );
    }
  }
}

/** A NAT gateway on a tenant's VPC exists only for a tenant granted a public address (tenant-nat judges the rest of it). */
function checkNatGateway(resource: PolicyResource, config: PolicyConfig, index: TenantIndex, flag: Flag): void {
  const vpc = asObject(resource.inputs.spec).vpc;
  const tenant = index.byVpc.get(asString(vpc) ?? "");
  if (tenant && (config.tenants?.[tenant.name]?.eips ?? []).length === 0)
    flag(
      "spec.vpc",
      vpc,
      `tenant ${tenant.name} is granted no public address (policy config tenants.${tenant.name}.eips), so the program renders it no NAT gateway`,
    );
}

export const kubeOvnTopologyRule: ResourceRule = {
  name: "kubeovn-topology",
  description:
    "A tenant's Subnets are in its own Vpc with its provider and no underlay, interconnection or node-gateway field; its Vpc has no external side, policy routes, peering or static route but the NAT default; no other Kube-OVN object binds, peers with or points into a tenant.",
  level: "mandatory",
  config: ["tenants"],
  checkResource(resource: PolicyResource, config: PolicyConfig): Finding[] {
    const isSubnet = resource.type === KINDS.subnet.type;
    const isVpc = resource.type === KINDS.vpc.type;
    const isNatGateway = resource.type === KINDS.vpcNatGateway.type;
    if (!isSubnet && !isVpc && !isNatGateway && !(resource.type in REFERENCES)) return [];
    const findings: Finding[] = [];
    // VpcEgressGateway is the only namespaced one of these kinds (kube-ovn v1.16.2 charts/kube-ovn-v2/crds/kube-ovn-crd.yaml).
    const who = describe(resource, resource.type === KINDS.vpcEgressGateway.type);
    const flag: Flag = (path, value, why) => findings.push({ resource, message: violationAt(who, path, value, why) });
    const index = tenantIndex(config);
    if (isSubnet) checkSubnet(resource, index, flag);
    else if (isVpc) checkVpc(resource, config, index, flag);
    else if (isNatGateway) checkNatGateway(resource, config, index, flag);
    else checkReferences(resource, index, flag);
    return findings;
  },
};
