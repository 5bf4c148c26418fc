/** CrossGuard policy "tenant-nat": the pure rule in lib/policy/rules/tenant-nat.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { tenantNatRule } from "../../lib/policy/rules/tenant-nat";
import { stackPolicy } from "../adapter";

export const tenantNat: StackValidationPolicy = stackPolicy(tenantNatRule);
