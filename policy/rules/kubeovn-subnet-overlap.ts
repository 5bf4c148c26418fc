/** CrossGuard policy "kubeovn-subnet-overlap": the pure rule in lib/policy/rules/kubeovn-subnet-overlap.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { kubeOvnSubnetOverlapRule } from "../../lib/policy/rules/kubeovn-subnet-overlap";
import { stackPolicy } from "../adapter";

export const kubeOvnSubnetOverlap: StackValidationPolicy = stackPolicy(kubeOvnSubnetOverlapRule);
