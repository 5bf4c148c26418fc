/**
 * The benchmark's vocabulary: stage names and what one timed pass yields. Kept apart from
 * stages.ts so the report and its tests do not load the program, the policies and the SDK.
 */

export const STAGES = ["validate", "register", "policy", "schema", "write"] as const;
export type StageName = (typeof STAGES)[number];
/** The plan's stages plus the two floors, which are timed like stages. */
export type MeasuredName = StageName | "floor" | "floorInputs";
export const MEASURED: readonly MeasuredName[] = [...STAGES, "floorInputs", "floor"];

export const STAGE_DESCRIPTIONS: Record<MeasuredName, string> = {
  validate: "config validation (validateStage: flat config -> StackConfig)",
  register: "the real program under mocks (registerStage: the tenantnet program via captureProgram)",
  policy: "policy evaluation (policyConfigFromStackConfig + evaluatePolicies)",
  schema: "schema validation (schemaStage: load the CRD directory, validate every manifest)",
  write: "manifest writing (manifestsOf + planResources + writeStage into a temp dir)",
  floorInputs: "the same tree with each resource's real inputs, no program code (bench/floor.ts via captureProgram)",
  floor: "bare resources of the same tree under mocks (bench/floor.ts via captureProgram)",
};

export interface StageSample {
  ms: number;
  /** Process RSS high-water mark while the stage ran. */
  peakRssBytes: number;
  /** That peak minus the RSS when the stage started: the memory the stage itself took on. */
  rssGrowthBytes: number;
}

export interface PassResult {
  samples: Partial<Record<MeasuredName, StageSample>>;
  /** Resources the real program registered (components included); the floor registers as many. */
  resources: number;
  components: number;
  manifests: number;
  violations: { mandatory: number; advisory: number };
  schemaErrors?: number;
  /** The first few problems, so that a synthetic config that trips a rule is noticed. */
  problems: string[];
}

