/** CrossGuard policy "underlay-egress-catalog": the pure rule in lib/policy/rules/underlay-egress-catalog.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { underlayEgressCatalogRule } from "../../lib/policy/rules/underlay-egress-catalog";
import { stackPolicy } from "../adapter";

export const underlayEgressCatalog: StackValidationPolicy = stackPolicy(underlayEgressCatalogRule);
