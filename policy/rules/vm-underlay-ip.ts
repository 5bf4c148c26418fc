/** CrossGuard policy "vm-underlay-ip": the pure rule in lib/policy/rules/vm-underlay-ip.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { vmUnderlayIpRule } from "../../lib/policy/rules/vm-underlay-ip";
import { stackPolicy } from "../adapter";

export const vmUnderlayIp: StackValidationPolicy = stackPolicy(vmUnderlayIpRule);
