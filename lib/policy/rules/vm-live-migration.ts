/**
 * Advisory: per VM, what blocks or degrades its live migration with both addresses kept
 * (lib/policy/live-migration.ts). Silent for a VM that migrates cleanly.
 */
import { liveMigrationVerdicts } from "../live-migration";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

export const vmLiveMigrationRule: StackRule = {
  name: "vm-live-migration",
  description:
    "Advisory: what blocks or degrades a VM's live migration: eviction strategy, non-RWX disks, host devices, an overlay or NATed Calico pool, Calico VM address persistence, the Calico NAD's network name, Calico < 3.32, Kube-OVN < 1.16.1.",
  level: "advisory",
  config: ["network"],
  check(stack): Finding[] {
    return liveMigrationVerdicts(stack)
      .filter(({ verdict }) => verdict.reasons.length > 0)
      .map(({ vm, verdict }) => ({
        resource: vm.resource,
        message: `${vm.who}: ${verdict.migratable ? "live-migratable, degraded" : "not live-migratable"}: ${verdict.reasons.join("; ")}`,
      }));
  },
};
