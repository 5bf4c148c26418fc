/**
 * Differential test of the underlay reachability model (issue 12 item 6): random policy sets
 * around two of the dev plan's VMs, random packets at the edges of what the policies name; the
 * model's table (lib/policy/reachability) must agree with the one-packet oracle
 * (test/policy/reachability-oracle). The harness is first shown to pass on a brute-force table
 * and to fail on a table with one flow too few or too many.
 */
import * as assert from "assert";
import fc from "fast-check";
import { StackView } from "../../lib/policy/stack";
import { packets, scenario, SCENARIO_VMS } from "./reachability-oracle/arbitraries";
import { agreement, base, DIRECTIONS, RUNS, SEED, stackOf, type Base, type TableOf } from "./reachability-oracle/differential";
import { loadModel, type ReachabilityTable } from "./reachability-oracle/model";
import { decider } from "./reachability-oracle/oracle";
import { referenceFlows } from "./reachability-oracle/reference-table";

/** Few runs: the brute-force table asks the oracle once per cell. */
const HARNESS_RUNS = 50;

const reference: TableOf = (stack, _config, decide) =>
  Object.fromEntries(
    stack.endpoints.map(({ key, endpoint }) => [
      key,
      {
        egress: referenceFlows(decide, endpoint, "egress", stack.resources),
        ingress: referenceFlows(decide, endpoint, "ingress", stack.resources),
      },
    ]),
  );

function mutated(change: (table: ReachabilityTable) => void): TableOf {
  return (stack, config, decide) => {
    const table = reference(stack, config, decide);
    change(table);
    return table;
  };
}

describe("reachability model against the one-packet oracle (differential)", function () {
  this.timeout(120_000);
  let from: Base;
  before(async () => {
    from = await base();
  });

  it("generates policy sets the oracle and the stack view both read, that reach every verdict path", () => {
    const paths = new Set<string>();
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), packets(s.policies, 8))),
        ([s, sample]) => {
          const { resources, endpoints } = stackOf(from, s);
          const view = new StackView(resources, from.config);
          assert.strictEqual(view.vms.length, SCENARIO_VMS.length);
          for (const vm of view.vms) assert.ok(view.hasUnderlayNic(vm), `${vm.who} lost its underlay NIC`);
          const decide = decider(resources, { adminPolicies: "not-enforced" });
          for (const { endpoint } of endpoints)
            for (const direction of DIRECTIONS)
              for (const packet of sample)
                paths.add(
                  decide(endpoint, direction, packet)
                    .by.replace(/\/.*? /, " ")
                    .replace(/\[\d+\]/, ""),
                );
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
    // The generator is only useful if it reaches each way the walk can end.
    for (const expected of [
      "profile kns.tenant-acme",
      "end of tier default",
      "end of tier security",
      "default egress",
      "default ingress",
      "kube-admin egress",
      "kube-baseline egress",
    ])
      assert.ok(
        [...paths].some((p) => p.startsWith(expected)),
        `no sample ended at "${expected}"; reached: ${[...paths].sort().join(", ")}`,
      );
  });

  it("harness: holds for a brute-force table built from the oracle", () => {
    fc.assert(agreement(from, reference), { seed: SEED, numRuns: HARNESS_RUNS, endOnFailure: true });
  });

  it("harness: fails on a table missing a flow, and on a table with a flow too many", () => {
    const missing = fc.check(
      agreement(
        from,
        mutated((table) => Object.values(table).forEach((entry) => entry.egress.shift())),
      ),
      { seed: SEED, numRuns: HARNESS_RUNS, endOnFailure: true },
    );
    assert.ok(missing.failed, "dropping each endpoint's first egress flow went unnoticed");
    assert.match(String(missing.errorInstance), /no flow holds it|no "any" flow holds it/);
    const extra = fc.check(
      agreement(
        from,
        mutated((table) =>
          Object.values(table).forEach((entry) => entry.ingress.push({ nets: ["10.50.0.0/16"], protocol: "TCP", ports: [[22, 22]] })),
        ),
      ),
      { seed: SEED, numRuns: HARNESS_RUNS, endOnFailure: true },
    );
    assert.ok(extra.failed, "an extra ingress flow to TCP 22 went unnoticed");
    assert.match(String(extra.errorInstance), /but flows hold it/);
  });

  it("agrees with the oracle on every sampled packet of every endpoint, both directions", () => {
    const reachabilityTable = loadModel();
    fc.assert(
      agreement(from, (stack, config) => reachabilityTable(new StackView(stack.resources, config))),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
