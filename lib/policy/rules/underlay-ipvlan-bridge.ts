/**
 * IPVlan/macvlan attachments (a NAD whose CNI config is ipvlan or macvlan, or a Spiderpool
 * SpiderMultusConfig with cniType ipvlan/macvlan, which generates the NAD of the same name)
 * cannot carry KubeVirt's bridge binding: the sub-interface shares the parent's MAC, so the
 * guest's own MAC never gets through. A VM binding such a network with `bridge` has no network.
 */
import { L2_SUBINTERFACE_TYPES, nadRef, pluginTypes, SPIDER_MULTUS_CONFIG_TYPES } from "../cni";
import { asObject, asString, objectName, objectNamespace, violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { interfacePath } from "../vm";

export const underlayIpvlanBridgeRule: StackRule = {
  name: "underlay-ipvlan-bridge",
  description: "No VM binds an IPVlan/macvlan attachment (NAD or SpiderMultusConfig) with bridge binding.",
  level: "mandatory",
  config: [],
  check(stack): Finding[] {
    const subInterface = new Map<string, string>();
    for (const nad of stack.nads.values()) {
      const type = pluginTypes(nad).find((t) => L2_SUBINTERFACE_TYPES.includes(t));
      if (type) subInterface.set(nad.ref, `NetworkAttachmentDefinition ${nad.ref} is ${type}`);
    }
    for (const resource of stack.resources) {
      if (!SPIDER_MULTUS_CONFIG_TYPES.includes(resource.type)) continue;
      const cniType = asString(asObject(resource.inputs.spec).cniType);
      const ref = `${objectNamespace(resource)}/${objectName(resource)}`;
      if (cniType && L2_SUBINTERFACE_TYPES.includes(cniType)) subInterface.set(ref, `SpiderMultusConfig ${ref} has cniType ${cniType}`);
    }
    if (subInterface.size === 0) return [];
    const findings: Finding[] = [];
    for (const vm of stack.vms) {
      for (const network of vm.networks) {
        const what = network.networkName === undefined ? undefined : subInterface.get(nadRef(network.networkName, vm.namespace));
        const iface = vm.interfaces.get(network.name);
        if (!what || iface?.binding !== "bridge") continue;
        findings.push({
          resource: vm.resource,
          message: violationAt(
            vm.who,
            `${interfacePath(vm, iface)}.bridge`,
            {},
            `network ${JSON.stringify(network.name)} attaches ${network.networkName}: ${what}, which cannot carry bridge binding; use a Calico underlay or another binding`,
          ),
        });
      }
    }
    return findings;
  },
};
