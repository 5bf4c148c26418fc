/** CrossGuard policy "vm-networks": the pure rule in lib/policy/rules/vm-networks.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { vmNetworksRule } from "../../lib/policy/rules/vm-networks";
import { stackPolicy } from "../adapter";

export const vmNetworks: StackValidationPolicy = stackPolicy(vmNetworksRule);
