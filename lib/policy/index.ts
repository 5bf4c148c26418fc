/**
 * The pure policy API (no @pulumi/policy here): the offline plan runner and the CLI call
 * `evaluatePolicies`; the CrossGuard pack in policy/ wraps the same rules.
 */
export { evaluatePolicies, evaluateStack } from "./evaluate";
export { policyConfigFromStackConfig, CONFIG_SECTION_SCHEMAS } from "./config";
export type { PolicyConfig, PolicyNetworkConfig, PolicyServiceConfig, PolicyTenantConfig, ConfigSection } from "./config";
export { policyPackConfig, readPolicyConfig, type PolicyPackConfig } from "./pack-config";
export { formatViolations } from "./report";
export { liveMigration, type LiveMigrationVerdict } from "./live-migration";
export { RULES } from "./rules";
export { StackView } from "./stack";
export { explainText, endpointKeys, flowText, reachabilityTable, type Flow, type ReachabilityTable } from "./reachability";
export { isResourceRule } from "./types";
export type { Finding, Level, PolicyResource, ResourceRule, Rule, StackRule, Violation } from "./types";
