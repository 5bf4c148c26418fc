/**
 * The pieces of the reachability model on their own: three-valued selectors, canonical flows,
 * box splitting, endpoint labels, the policy reader and Calico's evaluation order.
 */
import * as assert from "assert";
import { parseLabelSelector } from "../../lib/policy/label-selector";
import { parseNetworkPolicy, parseTier, type NetworkPolicy } from "../../lib/policy/network-policy";
import { endpointLookups, hypotheticalEndpoint, podEndpoint } from "../../lib/policy/reachability/endpoint";
import { evaluateDirection, ruleMatches } from "../../lib/policy/reachability/evaluate";
import { canonicalFlows, rangeToCidrs, splitBox, type Box } from "../../lib/policy/reachability/flows";
import { parseNet } from "../../lib/cidr";
import { parseSelector, UNKNOWN, type LabelLookup } from "../../lib/policy/selector";
import type { PolicyResource } from "../../lib/policy";

const TCP = 6;
const UDP = 17;

function lookup(known: Record<string, string>, unknown: string[] = []): LabelLookup {
  return (key) => (key in known ? known[key] : unknown.includes(key) ? UNKNOWN : undefined);
}

function tri(selector: string, known: Record<string, string>, unknown: string[] = []) {
  const parsed = parseSelector(selector);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.evaluate(lookup(known, unknown));
}

function box(net: string, protocol: number, ports?: [number, number]): Box {
  const { start, end } = parseNet(net);
  return { protocol, start, end, ...(ports ? { ports } : {}) };
}

function resource(type: string, inputs: Record<string, unknown>): PolicyResource {
  return { type, name: "p", inputs };
}

function policy(spec: Record<string, unknown>, name = "p"): NetworkPolicy {
  return parseNetworkPolicy(resource("kubernetes:projectcalico.org/v3:GlobalNetworkPolicy", { metadata: { name }, spec }));
}

describe("reachability model", () => {
  describe("three-valued selectors", () => {
    it("answers maybe where a label's value is unknown, and never where it is known", () => {
      assert.strictEqual(tri("a == 'x'", { a: "x" }), "yes");
      assert.strictEqual(tri("a == 'x'", {}), "no");
      assert.strictEqual(tri("a == 'x'", {}, ["a"]), "maybe");
      assert.strictEqual(tri("!has(a)", {}, ["a"]), "maybe");
      assert.strictEqual(tri("a != 'x'", {}), "yes", "Calico: != matches a missing label");
      assert.strictEqual(tri("a == 'x' && b == 'y'", { b: "z" }, ["a"]), "no");
      assert.strictEqual(tri("a == 'x' || b == 'y'", { b: "y" }, ["a"]), "yes");
      assert.strictEqual(tri("a in {'x', 'y'} && !(c starts with 'q')", { c: "r" }, ["a"]), "maybe");
      assert.strictEqual(tri("global()", {}, ["a"]), "no");
    });

    it("indexes on the equalities every match needs", () => {
      const parsed = parseSelector("t == 'acme' && (v == 'web' || v == 'db') && vm in {'one'}");
      assert.ok(parsed.ok);
      assert.deepStrictEqual(parsed.requires, [
        ["t", "acme"],
        ["vm", "one"],
      ]);
      const k8s = parseLabelSelector({ matchLabels: { t: "acme" }, matchExpressions: [{ key: "x", operator: "Exists" }] });
      assert.ok(k8s.ok);
      assert.deepStrictEqual(k8s.requires, [["t", "acme"]]);
      assert.strictEqual(k8s.evaluate(lookup({ t: "acme" }, ["x"])), "maybe");
    });
  });

  describe("canonical flows", () => {
    it("prints 0.0.0.0/1 + 128.0.0.0/1 as 0.0.0.0/0, however the set was cut", () => {
      const halves = canonicalFlows([box("0.0.0.0/1", TCP, [443, 443]), box("128.0.0.0/1", TCP, [443, 443])]);
      const whole = canonicalFlows([box("0.0.0.0/0", TCP, [443, 443])]);
      assert.deepStrictEqual(halves, whole);
      assert.deepStrictEqual(whole, [{ nets: ["0.0.0.0/0"], protocol: "TCP", ports: [[443, 443]] }]);
      const cut = canonicalFlows([
        box("10.0.0.0/25", TCP, [80, 80]),
        box("10.0.0.128/25", TCP, [80, 80]),
        box("10.0.0.0/24", TCP, [81, 90]),
      ]);
      assert.deepStrictEqual(cut, [{ nets: ["10.0.0.0/24"], protocol: "TCP", ports: [[80, 90]] }]);
    });

    it("groups addresses by their port set and widens unnamed protocols and full sets to any", () => {
      const flows = canonicalFlows([
        box("10.0.0.1/32", TCP, [53, 53]),
        box("10.0.0.1/32", UDP, [53, 53]),
        box("10.0.0.2/32", TCP, [53, 53]),
      ]);
      assert.deepStrictEqual(flows, [
        { nets: ["10.0.0.1/32", "10.0.0.2/32"], protocol: "TCP", ports: [[53, 53]] },
        { nets: ["10.0.0.1/32"], protocol: "UDP", ports: [[53, 53]] },
      ]);
      assert.deepStrictEqual(canonicalFlows([box("10.0.0.0/8", 47)]), [{ nets: ["10.0.0.0/8"], protocol: "any", ports: "any" }]);
      assert.deepStrictEqual(canonicalFlows([box("10.0.0.0/8", TCP, [0, 65535])]), [
        { nets: ["10.0.0.0/8"], protocol: "TCP", ports: "any" },
      ]);
      assert.deepStrictEqual(canonicalFlows([box("10.0.0.0/8", 1)]), [{ nets: ["10.0.0.0/8"], protocol: "ICMP", ports: "any" }]);
    });

    it("covers a range with the fewest CIDRs", () => {
      const { start } = parseNet("10.0.0.1");
      assert.deepStrictEqual(rangeToCidrs(start, start + 5n), ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]);
    });

    it("splits a box into the parts inside and outside rectangles", () => {
      const { inside, outside } = splitBox(box("10.0.0.0/24", TCP, [1, 100]), [{ ...box("10.0.0.0/25", TCP, [80, 80]) }]);
      assert.deepStrictEqual(canonicalFlows(inside), [{ nets: ["10.0.0.0/25"], protocol: "TCP", ports: [[80, 80]] }]);
      assert.deepStrictEqual(canonicalFlows(outside), [
        { nets: ["10.0.0.128/25"], protocol: "TCP", ports: [[1, 100]] },
        {
          nets: ["10.0.0.0/25"],
          protocol: "TCP",
          ports: [
            [1, 79],
            [81, 100],
          ],
        },
      ]);
    });
  });

  describe("endpoints", () => {
    it("reads Calico's namespace and service account labels, unknown where the stack does not declare them", () => {
      const facts = { namespaceLabels: (ns: string) => (ns === "t" ? { team: "a" } : undefined), serviceAccountLabels: () => undefined };
      const pod = podEndpoint({
        resource: resource("kubernetes:v1:Pod", {}),
        who: "Pod t/p",
        namespace: "t",
        name: "p",
        labels: { app: "x" },
        base: "spec.template.",
      });
      const { pod: labels } = endpointLookups(pod, facts);
      assert.strictEqual(labels("pcns.team"), "a");
      assert.strictEqual(labels("pcns.kubernetes.io/metadata.name"), "t");
      assert.strictEqual(labels("pcns.other"), undefined);
      assert.strictEqual(labels("projectcalico.org/serviceaccount"), "default");
      assert.strictEqual(labels("pod-template-hash"), UNKNOWN);
      assert.strictEqual(labels("unrelated"), undefined);
      const stand = endpointLookups(hypotheticalEndpoint("u", "tenant-u"), facts);
      assert.strictEqual(stand.pod("anything"), UNKNOWN);
      assert.strictEqual(stand.pod("pcns.team"), UNKNOWN, "an undeclared namespace's labels are unknown");
      assert.strictEqual(stand.pod("projectcalico.org/namespace"), "u");
    });
  });

  describe("rules and Calico's order", () => {
    const cell = { protocol: TCP, address: parseNet("10.0.0.1").start, port: 443 };

    it("matches nets, ports and protocols, and only maybe for what it cannot decide", () => {
      const [allow, named, selector, v6] = policy({
        egress: [
          { action: "Allow", protocol: "TCP", destination: { nets: ["10.0.0.0/8"], notPorts: [80], ports: ["400:500"] } },
          { action: "Allow", protocol: "TCP", destination: { ports: ["https"] } },
          { action: "Deny", destination: { selector: "app == 'db'" } },
          { action: "Deny", ipVersion: 6 },
        ],
      }).rules.Egress;
      assert.strictEqual(ruleMatches(allow, cell), "yes");
      assert.strictEqual(ruleMatches(allow, { ...cell, protocol: UDP }), "no");
      assert.strictEqual(ruleMatches(allow, { ...cell, port: undefined, protocol: 1 }), "no", "ports match port protocols only");
      assert.strictEqual(ruleMatches(named, cell), "maybe");
      assert.strictEqual(ruleMatches(selector, cell), "maybe");
      assert.strictEqual(ruleMatches(v6, cell), "no");
    });

    it("follows Pass to the next tier, a tier's defaultAction, and the profile at the end", () => {
      const security = parseTier(resource("kubernetes:projectcalico.org/v3:Tier", { metadata: { name: "security" }, spec: { order: 10 } }));
      assert.strictEqual(security.defaultAction, "Deny", "a Tier without defaultAction is Deny");
      const pass = policy({ tier: "security", egress: [{ action: "Pass", destination: { nets: ["10.0.0.0/8"] } }] });
      const allow = policy({ egress: [{ action: "Allow" }] });
      const defaultTier = { name: "default", order: 1_000_000, defaultAction: "Deny" as const, who: "default" };
      const runs = [
        { tier: security, applied: [{ policy: pass, selected: "yes" as const }] },
        { tier: defaultTier, applied: [{ policy: allow, selected: "yes" as const }] },
      ];
      // Only 10.0.0.0/8 passes the security tier; the default tier allows what reaches it.
      assert.deepStrictEqual(canonicalFlows(evaluateDirection(runs, "Egress", "profile").map((a) => a.box)), [
        { nets: ["10.0.0.0/8"], protocol: "any", ports: "any" },
      ]);
      // A security policy that only may select the endpoint cannot deny the rest.
      runs[0].applied[0] = { policy: pass, selected: "maybe" as never };
      assert.deepStrictEqual(canonicalFlows(evaluateDirection(runs, "Egress", "profile").map((a) => a.box)), [
        { nets: ["0.0.0.0/0"], protocol: "any", ports: "any" },
      ]);
      // No policy at all: the namespace profile allows everything.
      const open = evaluateDirection([], "Egress", "profile");
      assert.ok(open.every((a) => "profile" in a.reason));
      assert.deepStrictEqual(evaluateDirection([], "Egress", "deny"), []);
    });
  });
});
