/** CrossGuard policy "vm-unique-addresses": the pure rule in lib/policy/rules/vm-unique-addresses.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { vmUniqueAddressesRule } from "../../lib/policy/rules/vm-unique-addresses";
import { stackPolicy } from "../adapter";

export const vmUniqueAddresses: StackValidationPolicy = stackPolicy(vmUniqueAddressesRule);
