/** CrossGuard policy "vm-live-migration": the pure rule in lib/policy/rules/vm-live-migration.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { vmLiveMigrationRule } from "../../lib/policy/rules/vm-live-migration";
import { stackPolicy } from "../adapter";

export const vmLiveMigration: StackValidationPolicy = stackPolicy(vmLiveMigrationRule);
