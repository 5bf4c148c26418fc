/** Every rule of the tenantnet-guard pack, in the order reports list them. */
import type { Rule } from "../types";
import { addressPoolsRule } from "./address-pools";
import { calicoNadRoutesRule } from "./calico-nad-routes";
import { closedWorldRule } from "./closed-world";
import { kubeOvnSubnetOverlapRule } from "./kubeovn-subnet-overlap";
import { kubeOvnTopologyRule } from "./kubeovn-topology";
import { nadConfigRule } from "./nad-config";
import { platformValuesRule } from "./platform-values";
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
import { workloadAnnotationsRule } from "./workload-annotations";
import { workloadHostAccessRule } from "./workload-host-access";
import { workloadNetworksRule } from "./workload-networks";
import { workloadUnderlayIpRule } from "./workload-underlay-ip";

export {
  addressPoolsRule,
  calicoNadRoutesRule,
  closedWorldRule,
  kubeOvnSubnetOverlapRule,
  kubeOvnTopologyRule,
  nadConfigRule,
  platformValuesRule,
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
  workloadAnnotationsRule,
  workloadHostAccessRule,
  workloadNetworksRule,
  workloadUnderlayIpRule,
};

export const RULES: readonly Rule[] = [
  closedWorldRule,
  platformValuesRule,
  vmNetworksRule,
  workloadNetworksRule,
  workloadAnnotationsRule,
  workloadHostAccessRule,
  nadConfigRule,
  vmUnderlayIpRule,
  workloadUnderlayIpRule,
  vmUniqueAddressesRule,
  vmUnderlayPolicyRule,
  underlayEgressCatalogRule,
  underlayNodePortsRule,
  underlayIngressRule,
  calicoNadRoutesRule,
  kubeOvnSubnetOverlapRule,
  kubeOvnTopologyRule,
  tenantNatRule,
  addressPoolsRule,
  underlayIpvlanBridgeRule,
  vmLiveMigrationRule,
];
