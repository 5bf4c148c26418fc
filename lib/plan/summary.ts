/** The short stdout summary of a plan: counts by kind, per tenant, underlay reachability per tenant, live migration, violations, schema coverage. */
import type { K8sObject } from "../k8s/object";
import { flowText, type Flow, type PolicyConfig } from "../policy";
import type { PlanFile } from "./plan-file";
import { KINDS, PULUMI_TYPES } from "../k8s/kinds";

const TENANT_COMPONENT = PULUMI_TYPES.tenant;
const VM_TYPE = KINDS.virtualMachine.type;
const POLICY_TYPE = KINDS.calicoNetworkPolicy.type;

function countBy<T>(items: T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** Tenant name of each resource (by URN), found by walking parents up to a Tenant component. */
function tenantOf(plan: PlanFile): (urn: string) => string | undefined {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const memo = new Map<string, string | undefined>();
  const find = (urn: string): string | undefined => {
    if (memo.has(urn)) return memo.get(urn);
    const resource = byUrn.get(urn);
    const tenant = !resource
      ? undefined
      : resource.type === TENANT_COMPONENT
        ? resource.name
        : resource.parentUrn
          ? find(resource.parentUrn)
          : undefined;
    memo.set(urn, tenant);
    return tenant;
  };
  return find;
}

/**
 * The reachability table per tenant, one line per endpoint and direction:
 *   acme (tenant-acme)
 *     web     egress   TCP 53 to 10.50.0.10/32; TCP 80,443 to 10.50.31.21/32
 *             ingress  TCP 22 from 10.50.0.100/32
 */
export function reachabilityLines(plan: Pick<PlanFile, "reachability" | "policyConfig">): string[] {
  const tenants = Object.entries((plan.policyConfig as PolicyConfig | undefined)?.tenants ?? {});
  const byNamespace = new Map<string, [string, { egress: Flow[]; ingress: Flow[] }][]>();
  for (const [key, reach] of Object.entries(plan.reachability)) {
    const [namespace, name] = key.split("/");
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), [name, reach]]);
  }
  const lines: string[] = [];
  for (const [namespace, endpoints] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
    const tenant = tenants.find(([, t]) => t.namespace === namespace)?.[0];
    lines.push(`  ${tenant ? `${tenant} (${namespace})` : namespace}`);
    const width = Math.max(...endpoints.map(([name]) => name.length));
    for (const [name, reach] of endpoints) {
      for (const direction of ["egress", "ingress"] as const) {
        const flows = reach[direction].map((f) => flowText(f, direction)).join("; ") || "nothing";
        lines.push(`    ${(direction === "egress" ? name : "").padEnd(width)}  ${direction.padEnd(7)}  ${flows}`);
      }
    }
  }
  return lines;
}

export function planSummary(plan: PlanFile, manifests: K8sObject[], outDir: string): string {
  const lines: string[] = [`stack ${plan.stack}: ${plan.resources.length} resources, ${manifests.length} manifests in ${outDir}`];
  lines.push("objects by kind:");
  for (const [kind, count] of countBy(manifests, (m) => `${m.apiVersion} ${m.kind}`)) lines.push(`  ${String(count).padStart(4)}  ${kind}`);
  const opaque = plan.resources.filter((r) => !("apiVersion" in r.inputs) && !r.type.startsWith("tenantnet:"));
  for (const [type, count] of countBy(opaque, (r) => r.type))
    lines.push(`  ${String(count).padStart(4)}  ${type} (no manifest: rendered by the cluster)`);

  const tenantNames = plan.resources.filter((r) => r.type === TENANT_COMPONENT).map((r) => r.name);
  if (tenantNames.length > 0) {
    const tenant = tenantOf(plan);
    lines.push("tenants:");
    for (const name of tenantNames) {
      const own = plan.resources.filter((r) => tenant(r.urn) === name);
      const vms = own.filter((r) => r.type === VM_TYPE).length;
      const policies = own.filter((r) => r.type === POLICY_TYPE).length;
      lines.push(`  ${name}: ${vms} VMs, ${policies} underlay policies, ${own.length} resources`);
    }
  }
  if (Object.keys(plan.reachability).length > 0) lines.push("underlay reachability:", ...reachabilityLines(plan));
  if (plan.schema) {
    lines.push(
      `schemas: checked ${plan.schema.checked.join(", ") || "nothing"}; unchecked: ${plan.schema.unchecked.join(", ") || "none"}; ${plan.schema.errors.length} errors`,
    );
    for (const error of plan.schema.errors) lines.push(`  schema: ${error}`);
  }
  const migratable = plan.liveMigration.filter((v) => v.migratable).length;
  lines.push(`live-migratable: ${migratable} of ${plan.liveMigration.length} VMs`);
  for (const verdict of plan.liveMigration) for (const reason of verdict.reasons) lines.push(`  ${verdict.vm}: ${reason}`);
  const mandatory = plan.violations.filter((v) => v.level === "mandatory").length;
  lines.push(`policy: ${mandatory} mandatory, ${plan.violations.length - mandatory} advisory violations`);
  for (const v of plan.violations) lines.push(`  [${v.level}] ${v.policy} ${v.resource}: ${v.message}`);
  return lines.join("\n");
}
