/** CrossGuard policy "vm-underlay-policy": the pure rule in lib/policy/rules/vm-underlay-policy.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { vmUnderlayPolicyRule } from "../../lib/policy/rules/vm-underlay-policy";
import { stackPolicy } from "../adapter";

export const vmUnderlayPolicy: StackValidationPolicy = stackPolicy(vmUnderlayPolicyRule);
