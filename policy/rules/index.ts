/**
 * The pack's policies, in the same order as lib/policy/rules (RULES). Kept apart from index.ts,
 * which constructs the PolicyPack (a gRPC server), so tests can import the policies.
 */
import type { Policies } from "@pulumi/policy";
import { calicoNadRoutes } from "./calico-nad-routes";
import { kubeOvnSubnetOverlap } from "./kubeovn-subnet-overlap";
import { tenantNat } from "./tenant-nat";
import { underlayEgressCatalog } from "./underlay-egress-catalog";
import { underlayIpvlanBridge } from "./underlay-ipvlan-bridge";
import { underlayNodePorts } from "./underlay-node-ports";
import { vmBridgeLiveMigration } from "./vm-bridge-live-migration";
import { vmNetworks } from "./vm-networks";
import { vmUnderlayIp } from "./vm-underlay-ip";
import { vmUnderlayPolicy } from "./vm-underlay-policy";
import { vmUniqueAddresses } from "./vm-unique-addresses";

export {
  calicoNadRoutes,
  kubeOvnSubnetOverlap,
  tenantNat,
  underlayEgressCatalog,
  underlayIpvlanBridge,
  underlayNodePorts,
  vmBridgeLiveMigration,
  vmNetworks,
  vmUnderlayIp,
  vmUnderlayPolicy,
  vmUniqueAddresses,
};

export const policies: Policies = [
  vmNetworks,
  vmUnderlayIp,
  vmUniqueAddresses,
  vmUnderlayPolicy,
  underlayEgressCatalog,
  underlayNodePorts,
  calicoNadRoutes,
  kubeOvnSubnetOverlap,
  tenantNat,
  underlayIpvlanBridge,
  vmBridgeLiveMigration,
];
