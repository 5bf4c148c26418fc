/**
 * Shared types of the schema validator: what a finding looks like and how kinds are keyed.
 */

/** One schema violation in one manifest. */
export interface SchemaError {
  /** `<Kind> <namespace>/<name>` (cluster-scoped: `<Kind> <name>`). */
  manifest: string;
  /** JSON pointer into the manifest; for a missing field, the object that lacks it. */
  path: string;
  /** What is wrong, e.g. `unknown field "x"`, `must be integer, got string "two"`. */
  message: string;
  /** What the schema allows there: field names, type, enum values, format, limit. */
  expected: string;
  /** The check that failed (`unknown-field`, `type`, `required`, `enum`, `format`, `list-type`, `cel`, ...). */
  keyword: string;
}

/** Result of validating a batch of manifests. */
export interface SchemaReport {
  errors: SchemaError[];
  /** `"<apiVersion> <Kind>"` of every kind that was validated against a schema, sorted. */
  checked: string[];
  /**
   * `"<apiVersion> <Kind>"` of every kind for which no schema is loaded, and
   * `"<apiVersion> <Kind> rule <rule>: <why>"` for each CEL rule of a checked kind that was not
   * evaluated (transition rules, Kubernetes CEL library functions); sorted.
   */
  unchecked: string[];
  /** Number of manifests examined (items of a `kind: List` count one by one). */
  count: number;
}

/** A Kubernetes object as rendered: only apiVersion and kind are needed to pick a schema. */
export interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: unknown;
  [field: string]: unknown;
}

/** JSON Schema as plain data (after normalization, draft-07 for ajv). */
export type JsonSchema = { [keyword: string]: unknown };

/** The key a schema is indexed by: `"<apiVersion> <Kind>"`, the form reports print. */
export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** apiVersion for a group/version pair; the core group is written as `""`. */
export function apiVersionOf(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

export { isPlainObject } from "../plain-object";
