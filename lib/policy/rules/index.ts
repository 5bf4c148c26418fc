/** Every rule of the tenantnet-guard pack, in the order reports list them. */
import type { Rule } from "../types";
import { calicoNadRoutesRule } from "./calico-nad-routes";
import { closedWorldRule } from "./closed-world";
import { kubeOvnSubnetOverlapRule } from "./kubeovn-subnet-overlap";
import { platformValuesRule } from "./platform-values";
import { tenantNatRule } from "./tenant-nat";
import { underlayEgressCatalogRule } from "./underlay-egress-catalog";
import { underlayIpvlanBridgeRule } from "./underlay-ipvlan-bridge";
import { underlayNodePortsRule } from "./underlay-node-ports";
import { vmLiveMigrationRule } from "./vm-live-migration";
import { vmNetworksRule } from "./vm-networks";
import { vmUnderlayIpRule } from "./vm-underlay-ip";
import { vmUnderlayPolicyRule } from "./vm-underlay-policy";
import { vmUniqueAddressesRule } from "./vm-unique-addresses";

export {
  calicoNadRoutesRule,
  closedWorldRule,
  kubeOvnSubnetOverlapRule,
  platformValuesRule,
  tenantNatRule,
  underlayEgressCatalogRule,
  underlayIpvlanBridgeRule,
  underlayNodePortsRule,
  vmLiveMigrationRule,
  vmNetworksRule,
  vmUnderlayIpRule,
  vmUnderlayPolicyRule,
  vmUniqueAddressesRule,
};

export const RULES: readonly Rule[] = [
  closedWorldRule,
  platformValuesRule,
  vmNetworksRule,
  vmUnderlayIpRule,
  vmUniqueAddressesRule,
  vmUnderlayPolicyRule,
  underlayEgressCatalogRule,
  underlayNodePortsRule,
  calicoNadRoutesRule,
  kubeOvnSubnetOverlapRule,
  tenantNatRule,
  underlayIpvlanBridgeRule,
  vmLiveMigrationRule,
];
