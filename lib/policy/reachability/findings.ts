/**
 * Violations of the underlay rules from the model: the flows an endpoint may send or accept
 * beyond what it is held to, each named with the policy and rule that opens them. Endpoints
 * breached by the same rule with the same flows share one message.
 */
import { violationAt } from "../k8s";
import { writtenRule } from "../network-policy";
import type { Finding } from "../resource";
import type { StackView } from "../stack";
import type { UnderlayEndpoint } from "./endpoint";
import type { AllowedBox } from "./evaluate";
import type { Rect } from "./flows";
import { flowsText } from "./index";
import { breaches } from "./targets";

export interface Held {
  direction: "egress" | "ingress";
  /** The rectangles the flows must stay outside ("inside" breaches) or inside ("outside" breaches). */
  rects: Rect[];
  part: "inside" | "outside";
  /** Why a breach is one, given the endpoint: "outside the services granted to it (...)". */
  why: (endpoint: UnderlayEndpoint) => string;
}

function listed(whos: string[]): string {
  return whos.length > 3 ? `${whos.slice(0, 3).join(", ")} and ${whos.length - 3} more` : whos.join(", ");
}

/**
 * Breaches opened by a policy rule (the profile's are vm-underlay-policy's): one finding per rule,
 * showing the flows of the first endpoint it breaches (real endpoints come before stand-ins) and
 * every endpoint it breaches, grouped by why.
 */
export function ruleBreaches(stack: StackView, held: (endpoint: UnderlayEndpoint) => Held | undefined): Finding[] {
  const grouped = new Map<
    string,
    { finding: Omit<Finding, "message">; who: string; path: string; value: unknown; text: string; whys: Map<string, string[]> }
  >();
  for (const reach of stack.reachability().all()) {
    const rules = held(reach.endpoint);
    if (!rules) continue;
    const allowed: AllowedBox[] = reach[rules.direction];
    for (const { reason, flows } of breaches(allowed, rules.rects, rules.part, (r) => !("profile" in r))) {
      if ("profile" in reason) continue;
      const key = `${reason.policy.who}|${reason.rule.path}`;
      const entry = grouped.get(key) ?? {
        finding: { resource: reason.policy.resource },
        who: reason.policy.who,
        path: reason.rule.path,
        value: writtenRule(reason.policy, reason.rule),
        text: flowsText(flows, rules.direction),
        whys: new Map<string, string[]>(),
      };
      const why = rules.why(reach.endpoint);
      entry.whys.set(why, [...(entry.whys.get(why) ?? []), reach.endpoint.who]);
      grouped.set(key, entry);
    }
  }
  return [...grouped.values()].map(({ finding, who, path, value, text, whys }) => ({
    ...finding,
    message: violationAt(
      who,
      path,
      value,
      `allows ${text}: for ${[...whys].map(([why, endpoints]) => `${listed(endpoints)}, ${why}`).join("; for ")}`,
    ),
  }));
}
