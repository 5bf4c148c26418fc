/**
 * The one place the differential test meets the set model (issue 12 item 1): its contract, and
 * what a table entry means for one packet.
 */
import type { StackView } from "../../../lib/policy/stack";
import { ipToBigInt, parseNet, type Cidr } from "../../../lib/cidr";
import type { AdminPolicySemantics, Packet } from "./oracle";

export interface Flow {
  /** Destinations for egress, sources for ingress. */
  nets: string[];
  protocol: "TCP" | "UDP" | "SCTP" | "ICMP" | "any";
  ports: [number, number][] | "any";
}

export type ReachabilityTable = Record<string, { egress: Flow[]; ingress: Flow[] }>;

/**
 * How the model treats v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy: Calico v3.32.1
 * does not enforce them, yet a later release or another enforcer might, so the model counts their
 * allows where they would act and never their denies. No single oracle semantics is that: a stack
 * with them is held to soundness under both ("not-enforced" and "v3.31-tiers"), every packet
 * either allows must be in the table; a stack without them to exact agreement.
 */
export const ADMIN_POLICY_SEMANTICS_BOUNDED: readonly AdminPolicySemantics[] = ["not-enforced", "v3.31-tiers"];

const MODEL_MODULE = "../../../lib/policy/reachability";

type TableFunction = (view: StackView) => ReachabilityTable;

/**
 * The model's `reachabilityTable`, loaded when asked for, so that a missing or renamed model
 * fails the differential test loudly instead of failing every test file at load time.
 */
export function loadModel(): TableFunction {
  let loaded: { reachabilityTable?: TableFunction };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(MODEL_MODULE);
  } catch (error) {
    throw new Error(`the set model ${MODEL_MODULE} is missing (issue 12 item 1): ${(error as Error).message}`, { cause: error });
  }
  if (typeof loaded.reachabilityTable !== "function") throw new Error(`${MODEL_MODULE} exports no reachabilityTable function`);
  return loaded.reachabilityTable;
}

const PORTED = ["TCP", "UDP", "SCTP"];
/** Parsed nets, kept: the same few nets are looked up for every sampled packet. */
const parsedNets = new Map<string, Cidr>();
function net(text: string): Cidr {
  let parsed = parsedNets.get(text);
  if (parsed === undefined) parsedNets.set(text, (parsed = parseNet(text)));
  return parsed;
}

/** The flows of `flows` that hold `packet`; a packet of a protocol the table cannot name is held only by "any" flows. */
export function flowsHolding(flows: Flow[], packet: Packet): Flow[] {
  const address = ipToBigInt(packet.address);
  return flows.filter((flow) => {
    const protocolHeld = flow.protocol === "any" || flow.protocol === packet.protocol;
    const portHeld =
      flow.ports === "any" ||
      (PORTED.includes(String(packet.protocol)) &&
        packet.port !== undefined &&
        flow.ports.some(([lo, hi]) => lo <= packet.port! && packet.port! <= hi));
    return protocolHeld && portHeld && flow.nets.some((text) => net(text).start <= address && address <= net(text).end);
  });
}
