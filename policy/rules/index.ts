/**
 * The pack's policies: every pure rule of lib/policy/rules (RULES, in its order) through the
 * CrossGuard adapter. Kept apart from index.ts, which constructs the PolicyPack (a gRPC server),
 * so tests can import the policies.
 */
import type { Policies, Policy } from "@pulumi/policy";
import { RULES } from "../../lib/policy/rules";
import { crossGuardPolicy } from "../adapter";

export const policies: Policies = RULES.map(crossGuardPolicy);

/** One policy by its name; throws for a name the pack does not have. */
export function policyNamed<T extends Policy = Policy>(name: string): T {
  const found = policies.find((policy) => policy.name === name);
  if (!found) throw new Error(`tenantnet-guard has no policy ${name}`);
  return found as T;
}
