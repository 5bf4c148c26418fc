/**
 * `x-kubernetes-list-type` uniqueness of a custom resource: a `set` holds no item twice, a `map`
 * no two items with the same `x-kubernetes-list-map-keys`. Mirrors ValidateListSetsAndMaps in
 * kubernetes/apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go (v0.36.3): it
 * walks the CRD's structural schema (properties, additionalProperties, items; not allOf), and
 * reports each repeated value once, at its first repetition.
 */
import { describeValue, escapePointerToken } from "./errors";
import { type SchemaError, isPlainObject } from "./types";

/** JSON with sorted keys, so equal objects compare equal (Go marshals map keys sorted). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** Indices of the first repetition of each value that occurs more than once. */
function repeated(keys: string[]): number[] {
  const seen = new Map<string, number>();
  const result: number[] = [];
  keys.forEach((key, index) => {
    const times = seen.get(key) ?? 0;
    if (times === 1) result.push(index);
    seen.set(key, times + 1);
  });
  return result;
}

function checkList(manifest: string, pointer: string, schema: Record<string, unknown>, list: unknown[]): SchemaError[] {
  const at = (index: number, message: string, expected: string): SchemaError => ({
    manifest,
    path: `${pointer}/${index}`,
    message,
    expected,
    keyword: "list-type",
  });
  if (schema["x-kubernetes-list-type"] === "set") {
    return repeated(list.map(canonical)).map((i) =>
      at(i, `duplicate item ${describeValue(list[i])}`, "unique items (x-kubernetes-list-type: set)"),
    );
  }
  if (schema["x-kubernetes-list-type"] !== "map") return [];
  const keyFields = Array.isArray(schema["x-kubernetes-list-map-keys"]) ? schema["x-kubernetes-list-map-keys"].map(String) : [];
  const expected = `items unique by ${keyFields.join(", ")} (x-kubernetes-list-type: map)`;
  const notObject = list.findIndex((item) => item !== null && !isPlainObject(item));
  if (notObject >= 0) return [at(notObject, `must be an object in a list-type map, got ${describeValue(list[notObject])}`, expected)];
  // An absent key field (or a null item) counts as one more value: two items both lacking it clash.
  const keys = list.map((item) => {
    const fields = isPlainObject(item) ? item : {};
    return canonical(Object.fromEntries(keyFields.filter((key) => key in fields).map((key) => [key, fields[key]])));
  });
  return repeated(keys).map((i) => at(i, `duplicate entry for key ${keys[i]}`, expected));
}

const holdsListType = new WeakMap<object, boolean>();

/** Whether a set or map list type is declared at or below this schema node (memoized: walks skip the rest). */
function hasListType(schema: Record<string, unknown>): boolean {
  let found = holdsListType.get(schema);
  if (found === undefined) {
    const type = schema["x-kubernetes-list-type"];
    const children = [
      ...Object.values(isPlainObject(schema.properties) ? schema.properties : {}),
      schema.items,
      schema.additionalProperties,
    ];
    found = type === "set" || type === "map" || children.some((child) => isPlainObject(child) && hasListType(child));
    holdsListType.set(schema, found);
  }
  return found;
}

/** Every list-type violation in `value`, checked against the CRD's raw (structural) schema. */
export function listTypeErrors(manifest: string, schema: unknown, value: unknown, pointer = ""): SchemaError[] {
  if (!isPlainObject(schema) || !hasListType(schema)) return [];
  if (Array.isArray(value)) {
    const errors = checkList(manifest, pointer, schema, value);
    value.forEach((item, index) => errors.push(...listTypeErrors(manifest, schema.items, item, `${pointer}/${index}`)));
    return errors;
  }
  if (!isPlainObject(value)) return [];
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const errors: SchemaError[] = [];
  for (const [name, field] of Object.entries(value)) {
    const child = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
    errors.push(...listTypeErrors(manifest, child, field, `${pointer}/${escapePointerToken(name)}`));
  }
  return errors;
}
