/** Calico IPReservations of the stack: all of them as one range set, and each by name. */
import type { Cidr } from "../cidr";
import { asArray, asObject, objectName } from "./k8s";
import { netOf } from "./net-cache";
import { RangeSet } from "./range-set";
import type { PolicyResource } from "./resource";
import { KINDS } from "../k8s/kinds";

export const IP_RESERVATION_TYPES = [KINDS.ipReservation.type, KINDS.calicoCrdIpReservation.type];

export interface Reservations {
  all: RangeSet;
  byName: Map<string, Cidr[]>;
}

/** IPv4 entries of `spec.reservedCIDRs` (addresses or CIDRs); anything else reserves nothing here. */
function reservedRanges(resource: PolicyResource): Cidr[] {
  return asArray(asObject(resource.inputs.spec).reservedCIDRs).flatMap((text) => netOf(String(text)) ?? []);
}

export function reservationsOf(resources: PolicyResource[]): Reservations {
  const byName = new Map<string, Cidr[]>();
  for (const resource of resources) {
    if (IP_RESERVATION_TYPES.includes(resource.type)) byName.set(objectName(resource), reservedRanges(resource));
  }
  return { all: new RangeSet([...byName.values()].flat()), byName };
}
