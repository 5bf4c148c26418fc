/**
 * The addresses of a range that no VM may take, decided once for validation (which refuses a
 * pin on one) and `allocate` (which skips them): the network and broadcast addresses, and in a
 * tenant's VPC subnet its gateway.
 */
import { ipToBigInt, reservedEdges, type Cidr } from "../cidr";

export interface ReservedAddress {
  ip: bigint;
  /** What it is, for messages: "network address", "gateway 10.0.1.1". */
  what: string;
}

function edges(range: Cidr): ReservedAddress[] {
  const [network, broadcast] = reservedEdges(range);
  return network === undefined ? [] : [{ ip: network, what: "network address" }, { ip: broadcast, what: "broadcast address" }];
}

/** A tenant's underlay block: its network and broadcast addresses. */
export function reservedUnderlayAddresses(block: Cidr): ReservedAddress[] {
  return edges(block);
}

/** A tenant's VPC subnet: network, broadcast and the gateway. */
export function reservedVpcAddresses(subnet: Cidr, gateway: string): ReservedAddress[] {
  return [...edges(subnet), { ip: ipToBigInt(gateway), what: `gateway ${gateway}` }];
}
