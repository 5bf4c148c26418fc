/**
 * ajv errors -> SchemaError: a JSON pointer to the offending value, what is wrong, and what the
 * schema allows there, in words a person fixing a manifest can act on.
 */
import type { ErrorObject } from "ajv";
import { type SchemaError, isPlainObject } from "./types";

const MAX_LISTED_NAMES = 12;
const MAX_VALUE_CHARS = 60;

/** `<Kind> <namespace>/<name>`, or `<Kind> <name>` for cluster-scoped objects. */
export function manifestLabel(manifest: unknown): string {
  if (!isPlainObject(manifest)) return "<not an object>";
  const kind = typeof manifest.kind === "string" ? manifest.kind : "<no kind>";
  const metadata = isPlainObject(manifest.metadata) ? manifest.metadata : {};
  const name =
    typeof metadata.name === "string"
      ? metadata.name
      : typeof metadata.generateName === "string"
        ? `${metadata.generateName}*`
        : "<unnamed>";
  return typeof metadata.namespace === "string" && metadata.namespace !== "" ? `${kind} ${metadata.namespace}/${name}` : `${kind} ${name}`;
}

/** One line: `<manifest> <path>: <message> (<expected>)`. */
export function formatSchemaError(error: SchemaError): string {
  const where = error.path === "" ? "/" : error.path;
  return error.expected === ""
    ? `${error.manifest} ${where}: ${error.message}`
    : `${error.manifest} ${where}: ${error.message} (${error.expected})`;
}

/** A JSON Pointer reference token (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Whether a manifest names its kind: a map with string apiVersion and kind. */
export function isKubernetesObject(manifest: unknown): manifest is Record<string, unknown> & { apiVersion: string; kind: string } {
  return isPlainObject(manifest) && typeof manifest.apiVersion === "string" && typeof manifest.kind === "string";
}

/** The one error for a manifest that is not a Kubernetes object. */
export function notAnObjectError(manifest: unknown): SchemaError {
  return {
    manifest: manifestLabel(manifest),
    path: "",
    message: "not a Kubernetes object: apiVersion and kind must be strings",
    expected: "apiVersion and kind",
    keyword: "kind",
  };
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "string") {
    const text = JSON.stringify(value);
    return `string ${text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 2)}..."` : text}`;
  }
  return `${typeof value} ${String(value)}`;
}

/** Edit distance counting a swap of neighbours as one edit ("defualt" is one from "default"). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

/** Allowed names close to a misspelled one: same letters ignoring case, or a few edits away. */
export function closestNames(name: string, allowed: string[]): string[] {
  const lower = name.toLowerCase();
  const sameLetters = allowed.filter((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters.length > 0) return sameLetters;
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  const scored = allowed
    .map((candidate) => ({ candidate, distance: editDistance(lower, candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, 3).map(({ candidate }) => candidate);
}

/**
 * A readable list of names: all of them when short; otherwise the first few, the highlighted
 * ones (likely fixes) in place, and `...` for the gaps.
 */
export function listNames(names: string[], highlighted: string[] = []): string {
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length <= MAX_LISTED_NAMES) return sorted.join(", ");
  const keep = new Set<number>();
  const head = highlighted.length > 0 ? 3 : MAX_LISTED_NAMES - 2;
  for (let i = 0; i < head; i++) keep.add(i);
  for (const name of highlighted) {
    const index = sorted.indexOf(name);
    if (index >= 0) keep.add(index);
  }
  const parts: string[] = [];
  let previous = -1;
  for (const index of [...keep].sort((a, b) => a - b)) {
    if (index !== previous + 1) parts.push("...");
    parts.push(sorted[index]);
    previous = index;
  }
  if (previous !== sorted.length - 1) parts.push("...");
  return `${parts.join(", ")} [${sorted.length} fields]`;
}

/** How a format reads in a sentence ("must be a CIDR"). */
const FORMAT_NOUNS: Record<string, string> = {
  cidr: "a CIDR (address/prefix length)",
  ip: "an IP address",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
  mac: "a MAC address",
  quantity: "a Kubernetes quantity (e.g. 4Gi, 500m, 2)",
  "date-time": "an RFC 3339 date-time",
  datetime: "an RFC 3339 date-time",
  date: "a date (YYYY-MM-DD)",
  byte: "base64 data",
  uri: "an absolute URI",
  uuid: "a UUID",
  email: "an email address",
  hostname: "a DNS hostname",
  duration: "a duration (e.g. 1h30m)",
  int32: "a 32-bit integer",
  int64: "a 64-bit integer",
};

function describeTypes(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(",");
  return types.join(" or ");
}

function describeEnum(values: unknown[]): string {
  return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

/** What a combinator branch asks for, briefly: its type, or its required fields. */
function describeBranch(branch: unknown): string {
  if (!isPlainObject(branch)) return "any";
  if (branch.type !== undefined) return describeTypes(branch.type);
  if (Array.isArray(branch.required)) return `has ${branch.required.join(" and ")}`;
  if (typeof branch.$ref === "string") return branch.$ref.replace(/^#\/definitions\//, "");
  return "a constrained value";
}

function childPath(parent: string, name: string): string {
  return `${parent}/${escapePointerToken(name)}`;
}

/** Maps one ajv error to a SchemaError. */
function convert(manifest: string, error: ErrorObject): SchemaError {
  const params = error.params as Record<string, unknown>;
  const at = (path: string, keyword: string, message: string, expected: string): SchemaError => ({
    manifest,
    path,
    message,
    expected,
    keyword,
  });
  const got = describeValue(error.data);
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      const properties =
        isPlainObject(error.parentSchema) && isPlainObject(error.parentSchema.properties) ? Object.keys(error.parentSchema.properties) : [];
      const suggestions = closestNames(field, properties);
      const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(" or ")}?` : "";
      const expected = properties.length === 0 ? "allowed: no fields" : `allowed: ${listNames(properties, suggestions)}`;
      return at(childPath(error.instancePath, field), "unknown-field", `unknown field "${field}"${hint}`, expected);
    }
    case "required": {
      const field = String(params.missingProperty);
      const required =
        isPlainObject(error.parentSchema) && Array.isArray(error.parentSchema.required) ? error.parentSchema.required.map(String) : [field];
      return at(error.instancePath, "required", `missing required field "${field}"`, `required: ${listNames(required)}`);
    }
    case "type":
      return at(error.instancePath, "type", `must be ${describeTypes(params.type)}, got ${got}`, `type ${describeTypes(params.type)}`);
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return at(error.instancePath, "enum", `must be one of the allowed values, got ${got}`, `one of: ${describeEnum(allowed)}`);
    }
    case "const":
      return at(
        error.instancePath,
        "const",
        `must be ${JSON.stringify(params.allowedValue)}, got ${got}`,
        `exactly ${JSON.stringify(params.allowedValue)}`,
      );
    case "format": {
      const format = String(params.format);
      return at(error.instancePath, "format", `must be ${FORMAT_NOUNS[format] ?? `a valid ${format}`}, got ${got}`, `format ${format}`);
    }
    case "pattern":
      return at(error.instancePath, "pattern", `must match the pattern, got ${got}`, `pattern ${String(params.pattern)}`);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return at(
        error.instancePath,
        error.keyword,
        `${error.message ?? "out of range"}, got ${got}`,
        `${String(params.comparison)} ${String(params.limit)}`,
      );
    case "minLength":
    case "maxLength":
      return at(
        error.instancePath,
        error.keyword,
        `${error.message ?? "wrong length"}, got ${got}`,
        `${error.keyword === "minLength" ? "at least" : "at most"} ${String(params.limit)} characters`,
      );
    case "minItems":
    case "maxItems":
      return at(
        error.instancePath,
        error.keyword,
        error.message ?? "wrong number of items",
        `${error.keyword === "minItems" ? "at least" : "at most"} ${String(params.limit)} items`,
      );
    case "minProperties":
    case "maxProperties":
      return at(
        error.instancePath,
        error.keyword,
        error.message ?? "wrong number of fields",
        `${error.keyword === "minProperties" ? "at least" : "at most"} ${String(params.limit)} fields`,
      );
    case "uniqueItems":
      return at(error.instancePath, "uniqueItems", `items ${String(params.j)} and ${String(params.i)} are equal`, "unique items");
    case "anyOf":
    case "oneOf": {
      const branches = Array.isArray(error.schema) ? error.schema : [];
      const message =
        error.keyword === "oneOf" && params.passingSchemas
          ? "matches more than one allowed shape"
          : `matches none of the allowed shapes, got ${got}`;
      return at(
        error.instancePath,
        error.keyword,
        message,
        `${error.keyword === "oneOf" ? "exactly one" : "any"} of: ${branches.map(describeBranch).join(" | ")}`,
      );
    }
    case "not":
      return at(error.instancePath, "not", "matches a shape the schema forbids", `not: ${describeBranch(error.schema)}`);
    case "false schema":
      return at(error.instancePath, "false-schema", "no value is allowed here", "nothing");
    default:
      return at(error.instancePath, error.keyword, error.message ?? `fails ${error.keyword}`, JSON.stringify(params));
  }
}

/**
 * Converts ajv's errors for one manifest. The per-branch errors of a failed anyOf/oneOf are
 * folded into the combinator's own error: they say "not an integer" and "not a string" where
 * one line saying "integer or string" is what helps.
 */
export function toSchemaErrors(manifest: string, errors: ErrorObject[] | null | undefined): SchemaError[] {
  if (!errors || errors.length === 0) return [];
  const combinators = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  const insideFailedBranch = (error: ErrorObject): boolean =>
    combinators.some(
      (c) => c !== error && error.schemaPath.startsWith(`${c.schemaPath}/`) && error.instancePath.startsWith(c.instancePath),
    );
  const seen = new Set<string>();
  const result: SchemaError[] = [];
  for (const error of errors) {
    if (insideFailedBranch(error)) continue;
    const converted = convert(manifest, error);
    const key = `${converted.path}\u0000${converted.keyword}\u0000${converted.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(converted);
  }
  return result;
}
