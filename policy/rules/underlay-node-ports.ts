/** CrossGuard policy "underlay-node-ports": the pure rule in lib/policy/rules/underlay-node-ports.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { underlayNodePortsRule } from "../../lib/policy/rules/underlay-node-ports";
import { stackPolicy } from "../adapter";

export const underlayNodePorts: StackValidationPolicy = stackPolicy(underlayNodePortsRule);
