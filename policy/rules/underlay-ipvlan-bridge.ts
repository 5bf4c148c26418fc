/** CrossGuard policy "underlay-ipvlan-bridge": the pure rule in lib/policy/rules/underlay-ipvlan-bridge.ts. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { underlayIpvlanBridgeRule } from "../../lib/policy/rules/underlay-ipvlan-bridge";
import { stackPolicy } from "../adapter";

export const underlayIpvlanBridge: StackValidationPolicy = stackPolicy(underlayIpvlanBridgeRule);
