/**
 * The benchmark's vocabulary: stage names and what one timed pass yields. Kept apart from
 * stages.ts so the report and its tests do not load the program, the policies and the SDK.
 */

/** The plan's stages, in runPlan's order, each one of lib/plan/run's stage functions. */
export const STAGES = ["validate", "register", "policy", "schema", "write"] as const;
export type StageName = (typeof STAGES)[number];
/**
 * The plan's stages plus the floor: the resource tree the program registered, replayed with
 * the same inputs and no program code (bench/floor.ts), timed like a stage.
 */
export type MeasuredName = StageName | "floor";
export const MEASURED: readonly MeasuredName[] = [...STAGES, "floor"];

export const STAGE_LABELS: Record<MeasuredName, string> = {
  validate: "validate",
  register: "register",
  policy: "policy",
  schema: "schema",
  write: "write",
  floor: "floor+inputs",
};

export interface PassResult {
  /** Milliseconds per stage; schema is absent when no CRD directory was given. */
  ms: Partial<Record<MeasuredName, number>>;
  /** Resources the real program registered (components included); the floor registers as many. */
  resources: number;
  manifests: number;
  violations: { mandatory: number; advisory: number };
  schemaErrors?: number;
  /** The first few problems, so that a synthetic config that trips a rule is noticed. */
  problems: string[];
}
