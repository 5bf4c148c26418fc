/** The pure building blocks of the rules: ports, range sets, network-policy normalization, facts. */
import * as assert from "assert";
import { parseCidr } from "../../lib/cidr";
import { calicoConfList } from "../../lib/cni-config";
import { parseNad } from "../../lib/policy/cni";
import { networkFacts } from "../../lib/policy/facts";
import { parseNetworkPolicy } from "../../lib/policy/network-policy";
import { catalogPorts, parseCalicoPort, parseKubernetesPort, protocolNumber } from "../../lib/policy/ports";
import { RangeSet } from "../../lib/policy/range-set";
import type { PolicyResource } from "../../lib/policy/types";
import { KINDS } from "../../lib/k8s/kinds";

function resource(type: string, inputs: Record<string, unknown>): PolicyResource {
  return { type, name: "r", inputs };
}

describe("policy primitives", () => {
  it("parses Calico and Kubernetes ports, protocols and catalog ports", () => {
    assert.deepStrictEqual(parseCalicoPort(443), { range: { from: 443, to: 443 } });
    assert.deepStrictEqual(parseCalicoPort("443"), { range: { from: 443, to: 443 } });
    assert.deepStrictEqual(parseCalicoPort("10000:11000"), { range: { from: 10000, to: 11000 } });
    assert.deepStrictEqual(parseCalicoPort("https"), { named: "https" });
    assert.ok("error" in parseCalicoPort("9:1"));
    assert.ok("error" in parseCalicoPort(70000));
    assert.deepStrictEqual(parseKubernetesPort(8000, 8080), { range: { from: 8000, to: 8080 } });
    assert.deepStrictEqual(parseKubernetesPort("web", undefined), { named: "web" });
    assert.deepStrictEqual(
      [
        protocolNumber("tcp"),
        protocolNumber(17),
        protocolNumber("132"),
        protocolNumber("UDPLite"),
        protocolNumber(""),
        protocolNumber(256),
      ],
      [6, 17, 132, 136, undefined, undefined],
    );
    assert.deepStrictEqual(
      [...catalogPorts(["443/TCP", "80/TCP", "53/UDP", "80/TCP"])],
      [
        ["TCP", [80, 443]],
        ["UDP", [53]],
      ],
    );
  });

  it("answers containment over merged, adjacent and disjoint ranges", () => {
    const set = new RangeSet(["10.199.3.32/27", "10.199.3.0/27", "10.199.9.0/24", "10.199.3.16/28"].map(parseCidr));
    assert.strictEqual(set.size, 2);
    assert.strictEqual(set.covers(parseCidr("10.199.3.0/26")), true, "two adjacent /27s cover their /26");
    assert.strictEqual(set.covers(parseCidr("10.199.3.64/32")), false);
    assert.strictEqual(set.covers(parseCidr("10.199.9.255/32")), true);
    assert.strictEqual(set.covers(parseCidr("10.199.8.255/32")), false);
    assert.strictEqual(new RangeSet([]).covers(parseCidr("10.0.0.1/32")), false);
  });

  it("gives Calico and Kubernetes policies their default types", () => {
    const calico = (spec: Record<string, unknown>) => [
      ...parseNetworkPolicy(resource(KINDS.calicoNetworkPolicy.type, { metadata: { namespace: "t" }, spec })).types,
    ];
    assert.deepStrictEqual(calico({}), ["Ingress"]);
    assert.deepStrictEqual(calico({ egress: [{ action: "Deny" }] }), ["Egress"]);
    assert.deepStrictEqual(calico({ ingress: [{ action: "Deny" }], egress: [{ action: "Deny" }] }), ["Ingress", "Egress"]);
    assert.deepStrictEqual(calico({ types: ["Egress"], ingress: [{ action: "Deny" }] }), ["Egress"]);
    const k8s = (spec: Record<string, unknown>) => [
      ...parseNetworkPolicy(resource(KINDS.kubernetesNetworkPolicy.type, { metadata: { namespace: "t" }, spec })).types,
    ];
    assert.deepStrictEqual(k8s({ podSelector: {} }), ["Ingress"]);
    assert.deepStrictEqual(k8s({ podSelector: {}, egress: [{}] }), ["Ingress", "Egress"]);
  });

  it("derives the pod CIDR from the Installation and the node CIDRs from the route plugin when unconfigured", () => {
    const nad = parseNad(
      resource(KINDS.networkAttachmentDefinition.type, {
        metadata: { name: "calico", namespace: "default" },
        spec: { config: JSON.stringify(calicoConfList({ podCidr: "10.199.0.0/16", nodeCidrs: ["10.50.0.0/16", "10.51.0.0/16"] })) },
      }),
    );
    const installation = resource(KINDS.installation.type, {
      spec: { calicoNetwork: { ipPools: [{ cidr: "10.199.0.0/16" }, { cidr: "fd00::/48" }] } },
    });
    const derived = networkFacts(undefined, [installation], [nad]);
    assert.deepStrictEqual(derived.pod, {
      ranges: [parseCidr("10.199.0.0/16")],
      source: "Installation spec.calicoNetwork.ipPools",
      configured: false,
    });
    assert.deepStrictEqual(
      derived.node?.ranges.map((r) => r.text),
      ["10.50.0.0/16", "10.51.0.0/16"],
    );
    assert.strictEqual(derived.service, undefined);
    const configured = networkFacts({ nodeCidrs: ["10.60.0.0/16"] }, [installation], [nad]);
    assert.deepStrictEqual(configured.node, {
      ranges: [parseCidr("10.60.0.0/16")],
      source: "policy config network.nodeCidrs",
      configured: true,
    });
    // An empty list says nothing: the routes still count, rather than no node network at all.
    assert.strictEqual(networkFacts({ nodeCidrs: [] }, [installation], [nad]).node?.source, "x-calico-route routes of the Calico NAD");
  });

  it("reads NAD configs: conflists, single plugins and broken JSON", () => {
    const nad = (config: unknown) =>
      parseNad(resource(KINDS.networkAttachmentDefinition.type, { metadata: { name: "n", namespace: "ns" }, spec: { config } }));
    assert.deepStrictEqual(
      nad(JSON.stringify({ type: "macvlan" })).plugins.map((p) => p.type),
      ["macvlan"],
    );
    assert.strictEqual(nad("{").plugins.length, 0);
    assert.match(nad("{").configError!, /not JSON/);
    assert.match(nad(undefined).configError!, /missing/);
    assert.strictEqual(nad(JSON.stringify({ plugins: [{ type: "calico" }] })).ref, "ns/n");
  });
});
