/**
 * No workload reaches the node's network around its pod's CNI: `hostNetwork` puts the pod in the
 * node's network namespace (no Calico NIC, no policy of the pod's); `hostPID` together with the
 * capabilities a container may ask for lets it `nsenter` the node's namespaces; `privileged`
 * grants every capability and the host's devices; a `hostPath` volume reaches the node's files
 * (/etc/cni/net.d, /opt/cni/bin, the Multus and route plugin's own, /var/run/netns); a VM's `hostDevices`/`gpus` pass a node PCI
 * device (a NIC) through to the guest. Only the platform's node agents (PLATFORM_NODE_AGENTS) run
 * so, and only in the stack that installs the platform (`platform.install` in the policy config):
 * a tenant-only stack gets no exemption by naming one. `hostIPC` shares System V IPC only, no
 * network path, and is not judged here.
 */
import { PLATFORM_NODE_AGENTS } from "../../tenant/names";
import { violationAt } from "../k8s";
import type { PolicyConfig } from "../config";
import type { Finding } from "../resource";
import type { ResourceRule } from "../types";
import { parseWorkload, type Workload } from "../workload";

function isNodeAgent(workload: Workload, config: PolicyConfig): boolean {
  return (
    config.platform?.install === true &&
    PLATFORM_NODE_AGENTS.some(
      (agent) => agent.type === workload.resource.type && agent.namespace === workload.namespace && agent.name === workload.name,
    )
  );
}

export const workloadHostAccessRule: ResourceRule = {
  name: "workload-host-access",
  description:
    "No workload but the platform's node agents (in the stack that installs the platform) runs with hostNetwork, hostPID, a privileged container or a hostPath volume; no VM passes host devices or GPUs through.",
  level: "mandatory",
  config: ["platform"],
  checkResource(resource, config): Finding[] {
    const workload = parseWorkload(resource);
    if (!workload) return [];
    const messages: string[] = [];
    const report = (path: string, value: unknown, why: string) => messages.push(violationAt(workload.who, path, value, why));
    for (const path of workload.vm?.hostDevicePaths ?? [])
      report(
        path,
        workload.vm?.hostDevices[workload.vm.hostDevicePaths.indexOf(path)],
        "a host device passed through to the guest can be a node NIC: the VM would reach the node network around its underlay policy",
      );
    if (!isNodeAgent(workload, config)) {
      const agents = `${PLATFORM_NODE_AGENTS.map((a) => `${a.namespace}/${a.name}`).join(", ")}, in the stack that installs the platform`;
      if (workload.hostNetwork)
        report(
          `${workload.base}spec.hostNetwork`,
          true,
          `the pod would run on the node's network with no Calico NIC and no policy of its own; only the platform's node agents (${agents}) may`,
        );
      if (workload.hostPid)
        report(
          `${workload.base}spec.hostPID`,
          true,
          `the node's processes, and through them (nsenter) the node's network namespace; only the platform's node agents (${agents}) may`,
        );
      for (const { path, hostPath } of workload.hostPaths)
        report(
          path,
          hostPath,
          `the node's files: a pod that writes the CNI configuration or plugins (/etc/cni/net.d, /opt/cni/bin) rewires every pod's network on that node; only the platform's node agents (${agents}) may`,
        );
      for (const path of workload.privileged)
        report(
          path,
          true,
          `a privileged container has every capability and the node's devices: it can leave the pod's network; only the platform's node agents (${agents}) may`,
        );
    }
    return messages.map((message) => ({ resource, message }));
  },
};
