/** Every rule of the tenantnet-guard pack, in the order reports list them. */
import type { Rule } from "../types";
import { calicoNadRoutesRule } from "./calico-nad-routes";
import { kubeOvnSubnetOverlapRule } from "./kubeovn-subnet-overlap";
import { tenantNatRule } from "./tenant-nat";
import { underlayEgressCatalogRule } from "./underlay-egress-catalog";
import { underlayIngressRule } from "./underlay-ingress";
import { underlayIpvlanBridgeRule } from "./underlay-ipvlan-bridge";
import { underlayNodePortsRule } from "./underlay-node-ports";
import { vmLiveMigrationRule } from "./vm-live-migration";
import { vmNetworksRule } from "./vm-networks";
import { vmUnderlayIpRule } from "./vm-underlay-ip";
import { vmUnderlayPolicyRule } from "./vm-underlay-policy";
import { vmUniqueAddressesRule } from "./vm-unique-addresses";

export {
  calicoNadRoutesRule,
  kubeOvnSubnetOverlapRule,
  tenantNatRule,
  underlayEgressCatalogRule,
  underlayIngressRule,
  underlayIpvlanBridgeRule,
  underlayNodePortsRule,
  vmLiveMigrationRule,
  vmNetworksRule,
  vmUnderlayIpRule,
  vmUnderlayPolicyRule,
  vmUniqueAddressesRule,
};

export const RULES: readonly Rule[] = [
  vmNetworksRule,
  vmUnderlayIpRule,
  vmUniqueAddressesRule,
  vmUnderlayPolicyRule,
  underlayEgressCatalogRule,
  underlayNodePortsRule,
  underlayIngressRule,
  calicoNadRoutesRule,
  kubeOvnSubnetOverlapRule,
  tenantNatRule,
  underlayIpvlanBridgeRule,
  vmLiveMigrationRule,
];
