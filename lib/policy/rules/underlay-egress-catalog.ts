/**
 * Egress Allow rules that can apply to a VM's underlay NIC reach only catalog services granted
 * to that VM: explicit `nets` inside a granted service's CIDRs, an explicit protocol and ports
 * that service offers. Anything that widens the rule (no nets, 0.0.0.0/0, notNets, selectors,
 * no ports, notPorts, notProtocol, named ports) is a violation, because the catalog cannot bound it.
 * Calico `Pass` counts as Allow (in the last tier it falls through to the allowing profile), and
 * any egress Allow/Accept/Pass rule of a policy.networking.k8s.io admin policy whose subject can
 * select a tenant namespace is a violation.
 */
import { contains, type Cidr } from "../../cidr";
import { violationAt } from "../k8s";
import { netOf } from "../net-cache";
import type { EgressAllow, NetEntry, NetworkPolicy } from "../network-policy";
import { catalogPorts, coversRange, rangeText } from "../ports";
import type { Grant, StackView } from "../stack";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

interface Audience {
  /** Whom the grant belongs to, for messages. */
  who: string;
  grant: Grant;
}

/** The grants a policy's rules are held to: one per distinct grant among the VMs it selects. */
function audiences(stack: StackView, policy: NetworkPolicy): Audience[] {
  const selected = stack.vmsSelectedBy(policy);
  const candidates =
    selected.length > 0
      ? selected.map((vm) => ({ who: vm.who, grant: stack.grantOf(vm.namespace, vm.vmName) }))
      : [{ who: `any VM in namespace ${policy.namespace}`, grant: stack.grantOf(policy.namespace!) }];
  const distinct = new Map<string, Audience>();
  for (const audience of candidates) {
    const keyOf = audience.grant.names.join(",");
    if (!distinct.has(keyOf)) distinct.set(keyOf, audience);
  }
  return [...distinct.values()];
}

function grantText(audience: Audience): string {
  return `${audience.who} is granted ${audience.grant.names.join(", ") || "no service"} (${audience.grant.source})`;
}

/** Judges rules against the catalog, parsing each service's ports once per evaluation. */
class CatalogCheck {
  private readonly portsOf = new Map<string, Map<string, number[]>>();

  private ports(name: string, ports: string[]): Map<string, number[]> {
    let parsed = this.portsOf.get(name);
    if (!parsed) {
      parsed = catalogPorts(ports);
      this.portsOf.set(name, parsed);
    }
    return parsed;
  }

  /** Messages (path, value, why) for one Allow rule. */
  rule(rule: EgressAllow, audiences: Audience[]): [string, unknown, string][] {
    const out: [string, unknown, string][] = [];
    if (rule.notProtocol) out.push([rule.notProtocol.path, rule.notProtocol.value, "notProtocol allows every other protocol"]);
    for (const s of rule.endpointSelectors)
      out.push([s.path, s.value, "chooses destinations by selector instead of explicit catalog nets"]);
    const nets = rule.nets ?? [];
    if (nets.length === 0 && rule.endpointSelectors.length === 0)
      out.push([rule.netsPath, rule.written.nets, "no destination nets: the rule reaches every address"]);
    for (const n of rule.notNets) out.push([n.path, n.text, "notNets allows every address outside it"]);
    if (rule.ports === undefined) out.push([rule.portsPath, rule.written.ports, "no ports: the rule allows every port"]);
    for (const p of rule.notPorts) out.push([p.path, p.value, "notPorts allows every other port"]);
    if (rule.ports?.some((p) => p.protocol === undefined))
      out.push([rule.protocolPath, undefined, "no protocol: ports need TCP, UDP or SCTP, and the rule would match every protocol"]);
    for (const net of nets) out.push(...this.net(rule, net, audiences));
    return out;
  }

  private net(rule: EgressAllow, net: NetEntry, audiences: Audience[]): [string, unknown, string][] {
    if (!net.cidr) return [[net.path, net.text, "not an IPv4 address or CIDR"]];
    if (net.cidr.prefix === 0) return [[net.path, net.text, "reaches every address; list the catalog service's CIDRs instead"]];
    const out: [string, unknown, string][] = [];
    for (const audience of audiences) {
      const services = audience.grant.services.filter(({ service }) => service.cidrs.some((text) => this.within(text, net.cidr!)));
      if (services.length === 0) {
        out.push([net.path, net.text, `inside no CIDR of a service granted to the VMs it applies to: ${grantText(audience)}`]);
        continue;
      }
      for (const port of rule.ports ?? []) {
        if ("error" in port.port) out.push([port.path, port.value, port.port.error]);
        else if ("named" in port.port)
          out.push([port.path, port.value, "a named port cannot be checked against the catalog; use port numbers"]);
        else if (port.protocol !== undefined) {
          const { range } = port.port;
          const protocol = port.protocol;
          const offered = services.some(({ name, service }) => coversRange(this.ports(name, service.ports).get(protocol) ?? [], range));
          if (!offered) {
            const catalog = services.map(({ name, service }) => `${name}: ${service.ports.join(", ")}`).join("; ");
            out.push([
              port.path,
              port.value,
              `${protocol} ${rangeText(range)} to ${net.text} is not offered by the granted services there (${catalog})`,
            ]);
          }
        }
      }
    }
    return out;
  }

  private within(text: string, net: Cidr): boolean {
    const cidr = netOf(text);
    return cidr !== undefined && contains(cidr, net);
  }
}

export const underlayEgressCatalogRule: StackRule = {
  name: "underlay-egress-catalog",
  description:
    "Egress Allow rules on the underlay reach only granted catalog services: explicit nets inside a granted service's CIDRs, explicit protocol and ports; never 0.0.0.0/0, notNets, selectors, no ports or notPorts.",
  level: "mandatory",
  config: ["services", "tenants"],
  check(stack): Finding[] {
    const check = new CatalogCheck();
    const findings: Finding[] = [];
    for (const policy of stack.vmFacingPolicies()) {
      if (policy.egressAllows.length === 0) continue;
      const held = audiences(stack, policy);
      for (const rule of policy.egressAllows) {
        for (const [path, value, why] of check.rule(rule, held))
          findings.push({ resource: policy.resource, message: violationAt(policy.who, path, value, why) });
      }
    }
    // Admin policies act before (or, baseline, instead of) the tenant's own: any opening egress
    // rule whose subject can be a tenant namespace is a path around the catalog.
    for (const policy of stack.adminPolicies) {
      if (policy.openingEgress.length === 0) continue;
      const namespaces = stack.adminPolicyTenantNamespaces(policy);
      if (namespaces.length === 0) continue;
      for (const { path, action } of policy.openingEgress) {
        const why = `an admin network policy egress ${action} rule whose subject can select tenant namespaces (${namespaces.join(", ")}): it opens the underlay outside the catalog`;
        findings.push({ resource: policy.resource, message: violationAt(policy.who, path, action, why) });
      }
    }
    return findings;
  },
};
