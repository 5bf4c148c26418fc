/**
 * Validates rendered Kubernetes manifests against upstream CRD / OpenAPI v2 schemas
 * (the vendored schemas/, or any directory of CRDs exported from a cluster).
 */
export { describeValue, formatSchemaError, manifestLabel } from "./errors";
export { KUBERNETES_FORMATS, isBase64, isCidr, isDuration, isIpAddress, isMacAddress, isQuantity } from "./formats";
export { SchemaRegistry, loadSchemaDir } from "./registry";
export type { Manifest, SchemaError, SchemaReport } from "./types";
export { validateManifests } from "./validate";
export { VENDORED_SCHEMAS_DIR } from "./vendored";
