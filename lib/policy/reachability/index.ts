/**
 * Underlay reachability, the model every underlay rule checks and an output of the plan:
 * for each workload endpoint on the Calico underlay, the flows its NIC may send (egress:
 * destination ranges) and accept (ingress: source ranges) after every policy in the stack.
 * Flows are an upper bound (a rule that may apply is taken to apply when it allows); the checks
 * hold that bound to the grants, so whatever Calico does is inside what the table says.
 */
import type { PolicyResource } from "../resource";
import type { PolicyConfig } from "../config";
import { StackView } from "../stack";
import type { EndpointReach } from "./model";
import { canonicalFlows, type Flow } from "./flows";
import type { AllowedBox, Reason } from "./evaluate";
import { sameReason } from "./targets";

export type { Flow, FlowProtocol } from "./flows";
export type { UnderlayEndpoint } from "./endpoint";

export type ReachabilityTable = Record<string, { egress: Flow[]; ingress: Flow[] }>;

/** The table of every real endpoint (stand-ins for registered tenants are judged, not listed), sorted by key. */
export function reachabilityTable(stack: StackView): ReachabilityTable {
  const reaches = stack
    .reachability()
    .all()
    .filter((r) => !r.endpoint.hypothetical)
    .sort((a, b) => (a.endpoint.key < b.endpoint.key ? -1 : a.endpoint.key > b.endpoint.key ? 1 : 0));
  const table: ReachabilityTable = {};
  for (const reach of reaches) {
    table[reach.endpoint.key] = {
      egress: canonicalFlows(reach.egress.map((a) => a.box)),
      ingress: canonicalFlows(reach.ingress.map((a) => a.box)),
    };
  }
  return table;
}

/** `TCP 80,443 to 10.50.31.21/32`: one flow in words. */
export function flowText(flow: Flow, direction: "egress" | "ingress"): string {
  const ports = flow.ports === "any" ? "" : ` ${flow.ports.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",")}`;
  const protocol = flow.protocol === "any" ? (flow.ports === "any" ? "any protocol" : "any") : flow.protocol;
  return `${protocol}${ports} ${direction === "egress" ? "to" : "from"} ${flow.nets.join(", ")}`;
}

/** Flows in words, at most `limit` of them. */
export function flowsText(flows: Flow[], direction: "egress" | "ingress", limit = 6): string {
  const shown = flows.slice(0, limit).map((f) => flowText(f, direction));
  return flows.length > limit ? `${shown.join("; ")}; and ${flows.length - limit} more` : shown.join("; ");
}

/** What allowed a flow: `NetworkPolicy acme/underlay-web spec.egress[0]`, or the profile and why. */
export function reasonText(reason: Reason): string {
  return "profile" in reason ? `the namespace profile (${reason.profile})` : `${reason.policy.who} ${reason.rule.path}`;
}

export interface ExplainedFlow {
  flow: Flow;
  allowedBy: string[];
}

function explainDirection(boxes: AllowedBox[]): ExplainedFlow[] {
  const groups: { reason: Reason; boxes: AllowedBox["box"][] }[] = [];
  for (const { box, reason } of boxes) {
    const group = groups.find((g) => sameReason(g.reason, reason));
    if (group) group.boxes.push(box);
    else groups.push({ reason, boxes: [box] });
  }
  return groups.flatMap((g) => canonicalFlows(g.boxes).map((flow) => ({ flow, allowedBy: [reasonText(g.reason)] })));
}

/** Per flow of one endpoint, the policy and rule (or profile) that allows it. */
export function explainReachability(stack: StackView, key: string): { egress: ExplainedFlow[]; ingress: ExplainedFlow[] } | undefined {
  const reach: EndpointReach | undefined = stack
    .reachability()
    .all()
    .find((r) => r.endpoint.key === key);
  if (!reach) return undefined;
  return { egress: explainDirection(reach.egress), ingress: explainDirection(reach.ingress) };
}

/** The explanation as printed by `npm run policy -- --explain`. */
export function explainText(resources: PolicyResource[], config: PolicyConfig, key: string): string | undefined {
  const stack = new StackView(resources, config);
  const explained = explainReachability(stack, key);
  if (!explained) return undefined;
  const lines = [`${key}`];
  for (const direction of ["egress", "ingress"] as const) {
    lines.push(`  ${direction}:`);
    if (explained[direction].length === 0) lines.push("    (nothing)");
    for (const { flow, allowedBy } of explained[direction]) lines.push(`    ${flowText(flow, direction)}  <- ${allowedBy.join(", ")}`);
  }
  return lines.join("\n");
}

/** Endpoint keys the stack has, for messages when a key is not found. */
export function endpointKeys(resources: PolicyResource[], config: PolicyConfig): string[] {
  return Object.keys(reachabilityTable(new StackView(resources, config)));
}
