/**
 * Advisory: a `bridge` binding on the VM's default (pod or Multus default) network blocks live
 * migration (kubevirt/kubevirt#9440); the underlay needs bridge so that the guest gets the pod's
 * routes by DHCP, so this is a trade-off to know about, not an error. Judges each VM on its own.
 */
import { violationAt } from "../k8s";
import type { Finding, PolicyResource } from "../resource";
import type { ResourceRule } from "../types";
import { defaultNetwork, interfacePath, isVm, parseVm } from "../vm";

export const vmBridgeLiveMigrationRule: ResourceRule = {
  name: "vm-bridge-live-migration",
  description: "Advisory: bridge binding on a VM's default network blocks live migration (kubevirt#9440).",
  level: "advisory",
  checkResource(resource: PolicyResource): Finding[] {
    if (!isVm(resource)) return [];
    const vm = parseVm(resource);
    const network = defaultNetwork(vm);
    const name = network?.name ?? (vm.implicitPodNetwork ? "default" : undefined);
    const iface = name === undefined ? undefined : vm.interfaces.get(name);
    if (iface?.binding !== "bridge") return [];
    return [{ resource, message: violationAt(vm.who, `${interfacePath(vm, iface)}.bridge`, {}, `bridge binding on the default network ${JSON.stringify(name)} blocks live migration (kubevirt#9440); use masquerade where migration matters more than the pod's routes`) }];
  },
};
