/**
 * Kube-OVN NAT objects stay within their tenant: a VpcNatGateway only on its own tenant's VPC
 * and subnet, with the tenant NAD first on it and a lanIp that subnet excludes and no VM holds;
 * EIPs only from the tenant's granted addresses, on the platform's external subnet; SNAT only of
 * the tenant's own subnet; FIP and DNAT only to the tenant's own VMs' VPC addresses, and no EIP
 * both FIP and DNAT (or two FIPs); a tenant VPC's static route goes to its own gateway's lanIp
 * (kubeovn-topology allows only that one default route); and the external network is never a
 * destination the underlay routes.
 */
import { contains, containsIp, isIpv4, overlaps, parseCidr, parseIpRange, cidrProblem, ipRangeProblem, ipToBigInt } from "../../cidr";
import { KINDS } from "../../k8s/kinds";
import { MULTUS_NETWORKS_ANNOTATION } from "../../tenant/names";
import { asArray, asObject, asString, describe, metadataOf, objectName, stringMap, violationAt } from "../k8s";
import type { Finding, PolicyResource } from "../resource";
import type { StackRule } from "../types";
import { vpcAddresses } from "../vm";
import { PLATFORM_NAMESPACES } from "../../pins";
import { parseNetworkSelections } from "../workload";

interface Spec {
  resource: PolicyResource;
  spec: Record<string, unknown>;
}

function byName(resources: PolicyResource[], type: string): Map<string, Spec> {
  return new Map(resources.filter((r) => r.type === type).map((r) => [objectName(r), { resource: r, spec: asObject(r.inputs.spec) }]));
}

/** A Kube-OVN provider `<nad>.<ns>.ovn` as the `ns/nad` Multus reference it names. */
function nadRefOfProvider(provider: string | undefined): string | undefined {
  const parts = provider?.split(".");
  return parts && parts.length === 3 && parts[2] === "ovn" ? `${parts[1]}/${parts[0]}` : undefined;
}

function excluded(excludeIps: unknown, ip: string): boolean {
  const value = ipToBigInt(ip);
  return asArray(excludeIps).some((entry) => {
    const text = asString(entry);
    if (text === undefined || ipRangeProblem(text) !== undefined) return false;
    const range = parseIpRange(text);
    return range.start <= value && value <= range.end;
  });
}

export const tenantNatRule: StackRule = {
  name: "tenant-nat",
  description:
    "NAT gateways, EIPs and SNAT/FIP/DNAT rules stay within their tenant's VPC, grants and VMs; a tenant VPC's static route goes only to its own gateway.",
  level: "mandatory",
  config: ["network", "services", "tenants"],
  check(stack): Finding[] {
    const { resources, config } = stack;
    const findings: Finding[] = [];
    const flag = (resource: PolicyResource, path: string, value: unknown, why: string) =>
      findings.push({ resource, message: violationAt(describe(resource, false), path, value, why) });
    const vpcs = byName(resources, KINDS.vpc.type);
    const subnets = byName(resources, KINDS.subnet.type);
    const gateways = byName(resources, KINDS.vpcNatGateway.type);
    const eips = byName(resources, KINDS.iptablesEip.type);
    const externalSubnet = config.network?.externalSubnet;
    const externalCidr = config.network?.externalCidr;
    const natTypes = [KINDS.vpcNatGateway, KINDS.iptablesEip, KINDS.iptablesSnatRule, KINDS.iptablesFipRule, KINDS.iptablesDnatRule].map(
      (k) => k.type,
    );
    const natResources = resources.filter((r) => natTypes.includes(r.type));

    if (natResources.length > 0 && (externalSubnet === undefined || externalCidr === undefined)) {
      findings.push({
        message:
          "the platform's external network is unknown (set network.externalSubnet and network.externalCidr in the policy config), so NAT objects cannot be checked against it",
      });
    }

    /** The tenant namespace of a Vpc: its only namespace, when the policy config registers it. */
    const tenantNamespaceOf = (vpcName: string | undefined): string | undefined => {
      const namespaces = asArray(vpcs.get(vpcName ?? "")?.spec.namespaces).map(asString);
      return namespaces.length === 1 && namespaces[0] !== undefined && stack.tenantOf(namespaces[0]) ? namespaces[0] : undefined;
    };
    const vmIps = (namespace: string) =>
      new Set(stack.vms.filter((vm) => vm.namespace === namespace).flatMap((vm) => vpcAddresses(vm).map((a) => a.ip)));

    // Gateways: their tenant's VPC and subnet, the tenant NAD first, a lanIp of their own.
    const gatewayTenant = new Map<string, { namespace: string; subnetCidr?: string; lanIp?: string; vpc: string }>();
    for (const [name, { resource, spec }] of gateways) {
      const vpc = asString(spec.vpc);
      const namespace = tenantNamespaceOf(vpc);
      if (namespace === undefined) {
        flag(
          resource,
          "spec.vpc",
          spec.vpc,
          "not the Vpc of a tenant the policy config registers, declared in this stack with that tenant's namespace only",
        );
        continue;
      }
      const subnet = subnets.get(asString(spec.subnet) ?? "");
      if (!subnet || asString(subnet.spec.vpc) !== vpc) {
        flag(resource, "spec.subnet", spec.subnet, `not a Subnet of Vpc ${vpc} declared in this stack`);
        gatewayTenant.set(name, { namespace, vpc: vpc! });
        continue;
      }
      const subnetCidr = asString(subnet.spec.cidrBlock);
      const lanIp = asString(spec.lanIp);
      const nadRef = nadRefOfProvider(asString(subnet.spec.provider));
      const networks = stringMap(metadataOf(resource).annotations)[MULTUS_NETWORKS_ANNOTATION];
      // Kube-OVN runs the gateway's StatefulSet in its own namespace (kubeovn/kube-ovn@v1.16.2
      // pkg/controller/vpc_nat_gateway.go, config.PodNamespace): an entry without one resolves there.
      const parsed = networks === undefined ? undefined : parseNetworkSelections(networks, PLATFORM_NAMESPACES.kubeOvn);
      const first = parsed && "selections" in parsed ? parsed.selections[0]?.ref : undefined;
      if (nadRef === undefined || first !== nadRef) {
        flag(
          resource,
          `metadata.annotations["${MULTUS_NETWORKS_ANNOTATION}"]`,
          networks,
          `must start with the tenant subnet's NAD ${nadRef ?? "(its provider names none)"}: without it Kube-OVN v1.16.2 gives the gateway no LAN side in non-primary mode`,
        );
      }
      if (
        lanIp === undefined ||
        !isIpv4(lanIp) ||
        subnetCidr === undefined ||
        cidrProblem(subnetCidr) !== undefined ||
        !containsIp(parseCidr(subnetCidr), lanIp)
      ) {
        flag(resource, "spec.lanIp", spec.lanIp, `not an address of its subnet ${subnetCidr ?? "(no cidrBlock)"}`);
      } else {
        if (!excluded(subnet.spec.excludeIps, lanIp))
          flag(resource, "spec.lanIp", lanIp, `Subnet ${objectName(subnet.resource)} does not exclude it, so a pod or VM may take it`);
        if (vmIps(namespace).has(lanIp)) flag(resource, "spec.lanIp", lanIp, "a VM of the tenant holds it");
      }
      if (externalSubnet !== undefined) {
        const external = asArray(spec.externalSubnets).map(asString);
        if (external.length !== 1 || external[0] !== externalSubnet)
          flag(
            resource,
            "spec.externalSubnets",
            spec.externalSubnets,
            `must be exactly [${externalSubnet}], the platform's external subnet`,
          );
      }
      gatewayTenant.set(name, { namespace, subnetCidr, lanIp, vpc: vpc! });
    }

    // EIPs: a gateway of this stack, the external subnet, a static address the tenant was granted.
    const eipTenant = new Map<string, string>();
    for (const [name, { resource, spec }] of eips) {
      const gateway = gatewayTenant.get(asString(spec.natGwDp) ?? "");
      if (!gateway) {
        flag(resource, "spec.natGwDp", spec.natGwDp, "not a tenant VpcNatGateway of this stack");
        continue;
      }
      eipTenant.set(name, gateway.namespace);
      if (externalSubnet !== undefined && asString(spec.externalSubnet) !== externalSubnet)
        flag(resource, "spec.externalSubnet", spec.externalSubnet, `must be the platform's external subnet ${externalSubnet}`);
      const v4ip = asString(spec.v4ip);
      const granted = stack.tenantOf(gateway.namespace)?.eips ?? [];
      if (v4ip === undefined || !granted.includes(v4ip)) {
        flag(
          resource,
          "spec.v4ip",
          spec.v4ip,
          `not one of the addresses granted to the tenant of ${gateway.namespace} (policy config tenants.*.eips: ${granted.join(", ") || "none"})`,
        );
      } else if (externalCidr !== undefined && cidrProblem(externalCidr) === undefined && !containsIp(parseCidr(externalCidr), v4ip)) {
        flag(resource, "spec.v4ip", v4ip, `outside the external network ${externalCidr}`);
      }
    }

    // SNAT of the tenant's own subnet only; FIP and DNAT only to the tenant's own VMs.
    const gatewayOfEip = (eip: string | undefined) => gatewayTenant.get(asString(eips.get(eip ?? "")?.spec.natGwDp) ?? "");
    for (const { resource, spec } of byName(resources, KINDS.iptablesSnatRule.type).values()) {
      const gateway = gatewayOfEip(asString(spec.eip));
      const internal = asString(spec.internalCIDR);
      if (!gateway || !eipTenant.has(asString(spec.eip) ?? "")) {
        flag(resource, "spec.eip", spec.eip, "not a tenant IptablesEIP of this stack");
        continue;
      }
      const inner = internal === undefined ? undefined : isIpv4(internal) ? `${internal}/32` : internal;
      if (
        inner === undefined ||
        cidrProblem(inner) !== undefined ||
        gateway.subnetCidr === undefined ||
        !contains(parseCidr(gateway.subnetCidr), parseCidr(inner))
      ) {
        flag(
          resource,
          "spec.internalCIDR",
          spec.internalCIDR,
          `not inside the tenant subnet ${gateway.subnetCidr ?? "(unknown)"} of its gateway`,
        );
      }
    }
    const uses = new Map<string, { fip: number; dnat: number }>();
    for (const [type, kind] of [
      [KINDS.iptablesFipRule.type, "fip"],
      [KINDS.iptablesDnatRule.type, "dnat"],
    ] as const) {
      for (const { resource, spec } of byName(resources, type).values()) {
        const eip = asString(spec.eip) ?? "";
        const namespace = eipTenant.get(eip);
        if (namespace === undefined) {
          flag(resource, "spec.eip", spec.eip, "not a tenant IptablesEIP of this stack");
          continue;
        }
        const use = uses.get(eip) ?? { fip: 0, dnat: 0 };
        use[kind]++;
        uses.set(eip, use);
        const target = asString(spec.internalIp);
        if (target === undefined || !vmIps(namespace).has(target))
          flag(resource, "spec.internalIp", spec.internalIp, `not the VPC address of a VM in ${namespace}, the tenant of its EIP ${eip}`);
        if (use.fip > 0 && (use.dnat > 0 || use.fip > 1))
          flag(resource, "spec.eip", eip, "an EIP with a FIP rule maps every port to one VM: it takes no other FIP or DNAT rule");
      }
    }

    // A tenant VPC's static route goes to its own gateway's lanIp (kubeovn-topology judges the route's shape).
    for (const [name, { resource, spec }] of vpcs) {
      if (tenantNamespaceOf(name) === undefined) continue;
      const lanIps = [...gatewayTenant.values()].filter((g) => g.vpc === name).map((g) => g.lanIp);
      asArray(spec.staticRoutes).forEach((route, i) => {
        const nextHop = asObject(route).nextHopIP;
        if (!lanIps.includes(asString(nextHop)))
          flag(
            resource,
            `spec.staticRoutes[${i}].nextHopIP`,
            nextHop,
            `must be the lanIp of this VPC's own NAT gateway (${lanIps.join(", ") || "none in this stack"})`,
          );
      });
    }

    // The underlay routes the pod and node CIDRs and the catalog: the external network is none of them.
    if (externalCidr !== undefined && cidrProblem(externalCidr) === undefined && natResources.length > 0) {
      const external = parseCidr(externalCidr);
      const underlay = [
        ...(stack.facts.pod?.ranges ?? []).map((r) => ({ what: `the pod CIDR ${r.text}`, r })),
        ...(stack.facts.node?.ranges ?? []).map((r) => ({ what: `the node CIDR ${r.text}`, r })),
        ...Object.entries(config.services ?? {}).flatMap(([n, s]) =>
          s.cidrs.filter((c) => cidrProblem(c) === undefined).map((c) => ({ what: `catalog service ${n} ${c}`, r: parseCidr(c) })),
        ),
      ];
      for (const { what, r } of underlay) {
        if (overlaps(external, r))
          findings.push({
            message: `the external network ${externalCidr} (policy config network.externalCidr) overlaps ${what}: the underlay NIC would reach it`,
          });
      }
    }
    return findings;
  },
};
