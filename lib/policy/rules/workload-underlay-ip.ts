/**
 * A workload other than a VM may pin underlay addresses (`cni.projectcalico.org/ipAddrs`) only
 * inside its own tenant's underlayBlock, never in another tenant's; outside tenant namespaces,
 * in no tenant's block: an address there is a tenant VM's identity in every policy that names
 * it. (VMs are judged by vm-underlay-ip; pins shared with a VM, stopped or not, by vm-unique-addresses.)
 */
import { isIP } from "net";
import { contains, isIpv4 } from "../../cidr";
import { CALICO_IP_ADDRS_ANNOTATION } from "../../tenant/names";
import { violationAt } from "../k8s";
import { netOf } from "../net-cache";
import type { Finding } from "../resource";
import type { ResourceRule } from "../types";
import { calicoIpAddrs } from "../vm";
import { parseWorkload, workloadAnnotationPath } from "../workload";

export const workloadUnderlayIpRule: ResourceRule = {
  name: "workload-underlay-ip",
  description:
    "A non-VM workload's cni.projectcalico.org/ipAddrs lie inside its own tenant's underlayBlock (never another tenant's); outside tenant namespaces, in no tenant's block.",
  level: "mandatory",
  config: ["tenants"],
  checkResource(resource, config): Finding[] {
    const workload = parseWorkload(resource);
    const value = workload?.annotations[CALICO_IP_ADDRS_ANNOTATION];
    if (!workload || workload.vm || value === undefined) return [];
    const messages: string[] = [];
    const report = (why: string) =>
      messages.push(violationAt(workload.who, workloadAnnotationPath(workload, CALICO_IP_ADDRS_ANNOTATION), value, why));
    const parsed = calicoIpAddrs(workload.annotations);
    if ("problem" in parsed) {
      report(`${parsed.problem}; Calico reads a JSON list of addresses`);
      return messages.map((message) => ({ resource, message }));
    }
    const tenants = Object.entries(config.tenants ?? {});
    const own = tenants.find(([, t]) => t.namespace === workload.namespace);
    for (const ip of parsed.ips) {
      const host = isIpv4(ip) ? netOf(ip) : undefined;
      const holders = host
        ? tenants.filter(([, t]) => {
            const block = netOf(t.underlayBlock);
            return block !== undefined && contains(block, host);
          })
        : [];
      if (own) {
        const block = netOf(own[1].underlayBlock);
        if (!host || !block || !contains(block, host))
          report(
            `${ip} is outside tenant ${own[0]}'s underlayBlock ${own[1].underlayBlock}${holders.length > 0 ? ` (it is tenant ${holders[0][0]}'s)` : ""}`,
          );
      } else if (holders.length > 0) {
        report(
          `${ip} is inside tenant ${holders[0][0]}'s underlayBlock ${holders[0][1].underlayBlock}: outside tenant namespaces no workload may take a tenant's address`,
        );
      } else if (isIP(ip) === 0) {
        report(`${ip} is not an IP address`);
      }
    }
    return messages.map((message) => ({ resource, message }));
  },
};
