/**
 * The differential harness (issue 12 item 6): the dev plan cut down to two VMs, a scenario's
 * policies added, and the agreement between a reachability table and the one-packet oracle.
 *
 * Agreement, per endpoint, direction and packet:
 * - TCP/UDP/SCTP/ICMP: allowed by the oracle <=> inside some flow of the table, except where the
 *   table cannot say it exactly: when the oracle also allows a protocol without ports (GRE) to
 *   that address, a sound table needs an "any" flow there, which then holds every packet to that
 *   address; only such an "any" flow may hold a packet the oracle denies;
 * - GRE (standing for every protocol the table cannot name): allowed <=> an "any" flow holds it.
 * A stack with v1alpha1 admin policies, which the model bounds from above (model.ts), is held to
 * the "allowed =>" half only, under each semantics the oracle knows for them.
 */
import * as assert from "assert";
import fc from "fast-check";
import { KINDS } from "../../../lib/k8s/kinds";
import type { PolicyConfig } from "../../../lib/policy/config";
import type { PolicyResource } from "../../../lib/policy/resource";
import { devStack, named } from "../../fixtures/policy";
import { OTHER_PROTOCOL, packets, ROLE_LABEL, scenario, SCENARIO_VMS, type Scenario } from "./arbitraries";
import { ADMIN_POLICY_SEMANTICS_BOUNDED, flowsHolding, type Flow, type ReachabilityTable } from "./model";
import { decider, type Decider, type Direction, type Endpoint, type Packet } from "./oracle";

export const SEED = 20261201;
export const RUNS = 150;
export const PACKETS_PER_RUN = 24;
export const DIRECTIONS: Direction[] = ["egress", "ingress"];

const POLICY_TYPES = new Set([KINDS.calicoNetworkPolicy.type, KINDS.calicoGlobalNetworkPolicy.type, KINDS.kubernetesNetworkPolicy.type]);

export interface Base {
  /** The dev plan without its network policies and without the VMs the scenarios do not use. */
  resources: PolicyResource[];
  config: PolicyConfig;
}

export async function base(): Promise<Base> {
  const { resources, config } = await devStack();
  const kept = new Set(SCENARIO_VMS.map((vm) => vm.resource));
  return {
    resources: resources.filter((r) => !POLICY_TYPES.has(r.type) && (r.type !== KINDS.virtualMachine.type || kept.has(r.name))),
    config,
  };
}

export interface Stack {
  resources: PolicyResource[];
  endpoints: { key: string; endpoint: Endpoint }[];
}

/**
 * The endpoint labels Calico sees on a VM's launcher pod: the template's, KubeVirt's
 * (`kubevirt.io`, `vm.kubevirt.io/name`) and Calico's (projectcalico.org/namespace,
 * .../orchestrator, .../serviceaccount; libcalico-go conversion/workload_endpoint_default.go).
 */
function endpointOf(vm: PolicyResource, resources: PolicyResource[]): { key: string; endpoint: Endpoint } {
  const metadata = vm.inputs.metadata as { name: string; namespace: string };
  const template = (vm.inputs.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
  const namespace = resources.find(
    (r) => r.type === KINDS.namespace.type && (r.inputs.metadata as { name: string }).name === metadata.namespace,
  );
  assert.ok(namespace, `the dev plan declares no Namespace ${metadata.namespace}`);
  return {
    key: `${metadata.namespace}/${metadata.name}`,
    endpoint: {
      namespace: metadata.namespace,
      labels: {
        ...template.metadata.labels,
        "kubevirt.io": "virt-launcher",
        "vm.kubevirt.io/name": metadata.name,
        "projectcalico.org/namespace": metadata.namespace,
        "projectcalico.org/orchestrator": "k8s",
        "projectcalico.org/serviceaccount": "default",
      },
      namespaceLabels: {
        ...(namespace.inputs.metadata as { labels: Record<string, string> }).labels,
        "kubernetes.io/metadata.name": metadata.namespace,
      },
      serviceAccount: "default",
    },
  };
}

export function stackOf(from: Base, { roles, policies }: Scenario): Stack {
  const resources = [...structuredClone(from.resources), ...structuredClone(policies)];
  const endpoints = SCENARIO_VMS.map((vm, i) => {
    const resource = named(resources, vm.resource);
    const labels = (resource.inputs.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    if (roles[i] !== undefined) labels[ROLE_LABEL] = roles[i]!;
    return endpointOf(resource, resources);
  });
  return { resources, endpoints };
}

const show = (flows: Flow[]): string => JSON.stringify(flows);

/** Why the table and the oracle disagree on one packet, or undefined when they agree. */
export function disagreement(
  decide: Decider,
  endpoint: Endpoint,
  direction: Direction,
  packet: Packet,
  flows: Flow[],
  soundOnly = false,
): string | undefined {
  const decision = decide(endpoint, direction, packet);
  const allowed = decision.verdict === "allow";
  const holding = flowsHolding(flows, packet);
  const anyFlows = holding.filter((f) => f.protocol === "any" && f.ports === "any");
  const what = `${direction} ${JSON.stringify(packet)}: the oracle says ${decision.verdict} (${decision.by})`;
  if (packet.protocol === OTHER_PROTOCOL) {
    if (allowed === anyFlows.length > 0 || (soundOnly && !allowed)) return undefined;
    return `${what}, but ${allowed ? "no" : "an"} "any" flow holds it: ${show(anyFlows)}`;
  }
  if (allowed) return holding.length > 0 ? undefined : `${what}, but no flow holds it`;
  if (holding.length === 0 || soundOnly) return undefined;
  const other = decide(endpoint, direction, { address: packet.address, protocol: OTHER_PROTOCOL });
  if (other.verdict === "allow" && holding.length === anyFlows.length) return undefined;
  return `${what}, but flows hold it: ${show(holding)}`;
}

const V1ALPHA1_ADMIN_TYPES = new Set(
  ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy"].map((kind) => `kubernetes:policy.networking.k8s.io/v1alpha1:${kind}`),
);

/** What the harness asks of a table: one for the stack, keyed "<namespace>/<workload>". */
export type TableOf = (stack: Stack, config: PolicyConfig, decide: Decider) => ReachabilityTable;

/** The agreement property over random scenarios and packets. */
export function agreement(from: Base, tableOf: TableOf, packetsPerRun = PACKETS_PER_RUN) {
  return fc.property(
    scenario.chain((s) => fc.tuple(fc.constant(s), packets(s.policies, packetsPerRun))),
    ([s, sample]) => {
      const stack = stackOf(from, s);
      const bounded = stack.resources.some((r) => V1ALPHA1_ADMIN_TYPES.has(r.type));
      const semantics = bounded ? ADMIN_POLICY_SEMANTICS_BOUNDED : (["not-enforced"] as const);
      for (const adminPolicies of semantics) {
        const decide = decider(stack.resources, { adminPolicies });
        const table = tableOf(stack, from.config, decide);
        for (const { key, endpoint } of stack.endpoints) {
          const entry = table[key];
          assert.ok(entry, `the table has no entry ${key} (has: ${Object.keys(table).join(", ")})`);
          for (const direction of DIRECTIONS)
            for (const packet of sample) {
              const problem = disagreement(decide, endpoint, direction, packet, entry[direction], bounded);
              if (problem)
                assert.fail(`${key} ${problem} [admin policies: ${adminPolicies}]\n${direction} table: ${show(entry[direction])}`);
            }
        }
      }
    },
  );
}
