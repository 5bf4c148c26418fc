/** CrossGuard policy "calico-nad-routes": the pure rule in lib/policy/rules/calico-nad-routes.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { calicoNadRoutesRule } from "../../lib/policy/rules/calico-nad-routes";
import { stackPolicy } from "../adapter";

export const calicoNadRoutes: StackValidationPolicy = stackPolicy(calicoNadRoutesRule);
