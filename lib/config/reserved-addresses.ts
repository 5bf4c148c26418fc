/**
 * The addresses of a range that no VM may take, decided once for validation (which refuses a
 * pin on one) and `allocate` (which skips them): the network and broadcast addresses, and in a
 * tenant's VPC subnet its gateway and its NAT gateway's LAN address.
 */
import { bigIntToIp, ipToBigInt, reservedEdges, type Cidr } from "../cidr";

export interface ReservedAddress {
  ip: bigint;
  /** What it is, for messages: "network address", "gateway 10.0.1.1". */
  what: string;
}

function edges(range: Cidr): ReservedAddress[] {
  const [network, broadcast] = reservedEdges(range);
  return network === undefined
    ? []
    : [
        { ip: network, what: "network address" },
        { ip: broadcast, what: "broadcast address" },
      ];
}

/** A tenant's underlay block: its network and broadcast addresses. */
export function reservedUnderlayAddresses(block: Cidr): ReservedAddress[] {
  return edges(block);
}

/** A tenant's VPC subnet: network, broadcast, the gateway and, with a NAT gateway, its lanIp. */
export function reservedVpcAddresses(subnet: Cidr, gateway: string, lanIp?: string): ReservedAddress[] {
  const nat = lanIp === undefined ? [] : [{ ip: ipToBigInt(lanIp), what: `NAT gateway lanIp ${lanIp}` }];
  return [...edges(subnet), { ip: ipToBigInt(gateway), what: `gateway ${gateway}` }, ...nat];
}

/** The NAT gateway's default LAN address: the last usable address of the VPC subnet. */
export function defaultLanIp(subnet: Cidr): string {
  return bigIntToIp(subnet.prefix >= 31 ? subnet.end : subnet.end - 1n);
}
