/** CrossGuard policy "vm-bridge-live-migration": the pure rule in lib/policy/rules/vm-bridge-live-migration.ts. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { vmBridgeLiveMigrationRule } from "../../lib/policy/rules/vm-bridge-live-migration";
import { resourcePolicy } from "../adapter";

export const vmBridgeLiveMigration: ResourceValidationPolicy = resourcePolicy(vmBridgeLiveMigrationRule);
