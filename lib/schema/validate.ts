/**
 * Batch validation: every manifest against its kind's schema, and an account of which kinds
 * were checked, which had no schema and which CEL rules were not evaluated (never passed silently).
 */
import { isKubernetesObject, notAnObjectError } from "./errors";
import type { SchemaRegistry } from "./registry";
import { type SchemaError, type SchemaReport, isPlainObject, kindKey } from "./types";

/** Items of a `v1 List` (or any `*List` without a schema of its own), else the manifest itself. */
function expandLists(registry: SchemaRegistry, manifest: unknown): unknown[] {
  if (
    isPlainObject(manifest) &&
    typeof manifest.kind === "string" &&
    manifest.kind.endsWith("List") &&
    Array.isArray(manifest.items) &&
    !(typeof manifest.apiVersion === "string" && registry.has(manifest.apiVersion, manifest.kind))
  ) {
    return manifest.items.flatMap((item) => expandLists(registry, item));
  }
  return [manifest];
}

export function validateManifests(registry: SchemaRegistry, manifests: Iterable<unknown>): SchemaReport {
  const errors: SchemaError[] = [];
  const checked = new Set<string>();
  const unchecked = new Set<string>();
  let count = 0;
  for (const manifest of [...manifests].flatMap((m) => expandLists(registry, m))) {
    count++;
    if (!isKubernetesObject(manifest)) {
      errors.push(notAnObjectError(manifest));
      continue;
    }
    const key = kindKey(manifest.apiVersion, manifest.kind);
    if (!registry.has(manifest.apiVersion, manifest.kind)) {
      unchecked.add(key);
      continue;
    }
    checked.add(key);
    errors.push(...registry.validate(manifest));
    // Listed beside the kinds without a schema, so the plan summary and plan.json show them.
    for (const rule of registry.notEvaluated(manifest.apiVersion, manifest.kind)) unchecked.add(`${key} ${rule}`);
  }
  return { errors, checked: [...checked].sort(), unchecked: [...unchecked].sort(), count };
}
