/**
 * Every Calico NAD chains the route plugin after calico, and the plugin routes only the pod CIDR
 * and the node CIDRs: Calico's default route is deleted and never comes back, so the Calico NIC
 * cannot become the VM's way out (seed 000, projectcalico/calico#5199). Every route plugin after
 * calico is checked, and no plugin but the route plugin and tuning may follow calico.
 *
 * A resource rule: one NAD and the configured network facts, so `pulumi up` stops before it
 * applies the NAD. The pod CIDR is therefore the configured one only, never derived from the
 * stack's Installation (a resource policy sees no other resource); node CIDRs were configured-only
 * already (derived ones come from these very routes).
 */
import { cidrProblem, parseCidr } from "../../cidr";
import { ROUTE_PLUGIN_TYPE } from "../../cni-config";
import { isCalicoNad, NAD_TYPE, parseNad, pluginTypes } from "../cni";
import { asArray, asObject, asString, violationAt } from "../k8s";
import { networkFacts, type Fact } from "../facts";
import type { Finding } from "../resource";
import type { ResourceRule } from "../types";

/** Plugins that may follow calico in a Calico NAD's chain. */
const CHAINABLE_AFTER_CALICO = [ROUTE_PLUGIN_TYPE, "tuning"];

function sameRange(a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint }): boolean {
  return a.start === b.start && a.end === b.end;
}

export const calicoNadRoutesRule: ResourceRule = {
  name: "calico-nad-routes",
  description:
    "Every Calico NAD chains x-calico-route after calico (only x-calico-route and tuning may follow calico), and every route plugin's routes are only the pod CIDR and the node CIDRs (never a default route or anything else).",
  level: "mandatory",
  config: ["network"],
  checkResource(resource, config): Finding[] {
    if (resource.type !== NAD_TYPE) return [];
    const nad = parseNad(resource);
    if (!isCalicoNad(nad)) return [];
    const findings: Finding[] = [];
    const report = (path: string, value: unknown, why: string) =>
      findings.push({ resource, message: violationAt(`NetworkAttachmentDefinition ${nad.ref}`, path, value, why) });
    const types = pluginTypes(nad);
    const calico = types.indexOf("calico");
    const after = types.map((type, i) => ({ type, i })).filter(({ i }) => i > calico);
    const routes = after.filter(({ type }) => type === ROUTE_PLUGIN_TYPE).map(({ i }) => i);
    if (routes.length === 0) {
      report(
        "spec.config.plugins[*].type",
        types,
        `${ROUTE_PLUGIN_TYPE} is not chained after calico: the Calico NIC keeps its default route`,
      );
      return findings;
    }
    // Any other plugin after calico may add routes (or undo the route plugin's work).
    for (const { type, i } of after) {
      if (!CHAINABLE_AFTER_CALICO.includes(type)) {
        report(
          `spec.config.plugins[${i}].type`,
          type,
          `only ${CHAINABLE_AFTER_CALICO.join(", ")} may be chained after calico: another plugin can route via the Calico NIC`,
        );
      }
    }
    // No resources: only what the policy config says counts.
    const { pod, node } = networkFacts(config.network, [], []);
    const allowed: Fact[] = [pod, node].filter((f): f is Fact => f !== undefined);
    const allowedText = allowed.map((f) => `${f.ranges.map((r) => r.text).join(", ")} (${f.source})`).join("; ");
    const unknown = [pod ? undefined : "network.podCidr", node ? undefined : "network.nodeCidrs"].filter((k) => k !== undefined);
    for (const route of routes) {
      if (unknown.length > 0) {
        report(
          `spec.config.plugins[${route}].routes`,
          nad.plugins[route].routes,
          `cannot be checked: ${unknown.join(" and ")} not known (set them in the policy config)`,
        );
      }
      asArray(nad.plugins[route].routes).forEach((raw, i) => {
        const dst = asString(asObject(raw).dst);
        const path = `spec.config.plugins[${route}].routes[${i}].dst`;
        if (dst === undefined || cidrProblem(dst) !== undefined) {
          report(path, dst, "not an IPv4 network CIDR");
          return;
        }
        const range = parseCidr(dst);
        if (range.prefix === 0) report(path, dst, "a default route on the Calico NIC: the underlay would carry all of the VM's traffic");
        else if (unknown.length === 0 && !allowed.some((fact) => fact.ranges.some((r) => sameRange(r, range)))) {
          report(path, dst, `only the pod CIDR and the node CIDRs may be routed via the Calico NIC: ${allowedText}`);
        }
      });
    }
    return findings;
  },
};
