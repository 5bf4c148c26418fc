/** `npm run policy -- --plan FILE [--policy-config FILE] [--explain NAMESPACE/WORKLOAD]`: the policy rules over a plan.json, or why an endpoint reaches what it reaches. */
import * as fs from "fs";
import { PROCESS_IO, parseFlags, runMain, usageError, type Io } from "../lib/cli";
import { POLICY_EXIT as EXIT } from "../lib/exit-codes";
import {
  endpointKeys,
  evaluatePolicies,
  explainText,
  formatViolations,
  readPolicyConfig,
  type PolicyConfig,
  type PolicyResource,
} from "../lib/policy";

const USAGE = `usage: npm run policy -- --plan FILE [--policy-config FILE] [--explain NAMESPACE/WORKLOAD]

Evaluates the tenantnet-guard rules (the same ones \`pulumi preview --policy-pack policy\` runs)
over the resources of a plan.json written by \`npm run plan\` (hand-edited ones too) and prints
every violation, mandatory first: [<level>] <policy> <resource>: <message>

With --explain, prints instead the underlay reachability of one endpoint (a key of plan.json's
"reachability", e.g. tenant-acme/web): each flow its NIC may send (egress) and accept (ingress),
with the policy and rule that allows it, e.g.
  TCP 80,443 to 10.50.31.21/32  <- NetworkPolicy tenant-acme/underlay-web spec.egress[0]

options:
  --plan FILE            plan.json: {"stack", "resources": [{type, name, parent, inputs}], "policyConfig", ...}
  --policy-config FILE   policy config to use instead of the plan's "policyConfig": a plain config
                         ({network, services, tenants}) or a --policy-pack-config file
                         (\`npm run policy:config\`)
  --explain KEY          <namespace>/<workload>: explain that endpoint's flows (exit 0) instead
  -h, --help             this text

exit codes: 0 no mandatory violation (advisories are printed), 1 a mandatory violation,
            2 unreadable input, usage, or an --explain key the plan does not have`;

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function planResources(plan: unknown): PolicyResource[] {
  const resources = (plan as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) throw new Error(`"resources" is not a list`);
  return resources.map((r, i) => {
    const { type, name, inputs } = (r ?? {}) as Partial<PolicyResource>;
    if (typeof type !== "string" || typeof name !== "string" || typeof inputs !== "object" || inputs === null) {
      throw new Error(`resources[${i}] needs a string "type", a string "name" and an object "inputs"`);
    }
    return { type, name, inputs };
  });
}

export function main(argv: string[], io: Io = PROCESS_IO): number {
  const values = parseFlags(
    { plan: { type: "string" }, "policy-config": { type: "string" }, explain: { type: "string" } },
    USAGE,
    argv,
    io,
  );
  if (typeof values === "number") return values;
  if (!values.plan) return usageError("--plan is required", USAGE, io);
  let resources: PolicyResource[];
  let config: PolicyConfig;
  try {
    const plan = readJson(values.plan);
    resources = planResources(plan);
    const source = values["policy-config"] ? readJson(values["policy-config"]) : ((plan as { policyConfig?: unknown }).policyConfig ?? {});
    config = readPolicyConfig(source);
  } catch (error) {
    io.err(`cannot read ${values.plan}${values["policy-config"] ? ` / ${values["policy-config"]}` : ""}: ${(error as Error).message}`);
    return EXIT.unreadable;
  }
  if (values.explain !== undefined) {
    const text = explainText(resources, config, values.explain);
    if (text === undefined) {
      io.err(
        `${values.explain} is not an underlay endpoint of ${values.plan} (have: ${endpointKeys(resources, config).join(", ") || "none"})`,
      );
      return EXIT.unreadable;
    }
    io.out(text);
    return EXIT.clean;
  }
  const violations = evaluatePolicies(resources, config);
  io.out(formatViolations(violations));
  return violations.some((v) => v.level === "mandatory") ? EXIT.mandatory : EXIT.clean;
}

if (require.main === module) runMain(main);
