/**
 * Turns Kubernetes OpenAPI schemas (CRD openAPIV3Schema, OpenAPI v2 definitions) into plain
 * JSON Schema draft-07 that ajv compiles, keeping the API server's meaning:
 *
 * - closed objects: a CRD object without `x-kubernetes-preserve-unknown-fields` or
 *   `additionalProperties` is pruned by the API server (unknown fields silently dropped), so it
 *   becomes `additionalProperties: false` and the drop is reported instead; an OpenAPI v2
 *   definition with `properties` is closed the way `kubectl --validate=strict` closes it;
 * - `x-kubernetes-int-or-string` / `format: int-or-string` -> integer or string;
 *   resource.Quantity -> string (checked by the `quantity` format) or number;
 * - `nullable: true` -> `null` allowed; OpenAPI 3.0 boolean `exclusiveMinimum` -> draft-07 number;
 * - `x-kubernetes-*`, `description`, `default` and other annotations are dropped (defaults are
 *   never applied); CEL rules and list types are checked on the raw schema (cel.ts, list-type.ts).
 *
 * Only the keywords ajv needs are copied, so nothing unknown reaches ajv.
 */
import { escapePointerToken, unescapePointerToken } from "./errors";
import { isKnownFormat } from "./formats";
import { type JsonSchema, isPlainObject } from "./types";

export type SchemaDialect = "crd" | "openapi-v2";

/** Collects what normalization could not carry over, for the registry's debug lists. */
export interface NormalizeNotes {
  unknownFormats: Set<string>;
  /** Human-readable notes: refs that point nowhere, ... */
  messages: string[];
}

export function newNormalizeNotes(): NormalizeNotes {
  return { unknownFormats: new Set(), messages: [] };
}

interface NormalizeOptions {
  dialect: SchemaDialect;
  notes: NormalizeNotes;
  /** Schema to use for `metadata` of embedded resources, when an ObjectMeta definition is known. */
  objectMeta?: JsonSchema;
}

const DEFINITIONS_PREFIX = "#/definitions/";

/** Keywords copied unchanged when present. */
const PLAIN_KEYWORDS = [
  "const",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "multipleOf",
] as const;

export function definitionRef(name: string): string {
  return DEFINITIONS_PREFIX + escapePointerToken(name);
}

export function definitionNameOfRef(ref: string): string | undefined {
  if (!ref.startsWith(DEFINITIONS_PREFIX)) return undefined;
  return unescapePointerToken(ref.slice(DEFINITIONS_PREFIX.length));
}

function typesOf(node: Record<string, unknown>): string[] | undefined {
  if (typeof node.type === "string") return [node.type];
  if (Array.isArray(node.type)) return node.type.filter((t): t is string => typeof t === "string");
  return undefined;
}

/** The `anyOf: [{type: integer}, {type: string}]` controller-gen writes beside int-or-string. */
function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const types = anyOf.map((branch) => (isPlainObject(branch) ? branch.type : undefined)).sort();
  return types[0] === "integer" && types[1] === "string";
}

/**
 * Normalizes one schema node. `structural` is false inside allOf/anyOf/oneOf/not, where CRD
 * schemas only carry value validations: such branches are never closed.
 */
function normalizeNode(node: unknown, options: NormalizeOptions, structural: boolean, where: string): JsonSchema {
  if (typeof node === "boolean") return node ? {} : { not: {} };
  if (!isPlainObject(node)) return {};
  const { dialect, notes } = options;

  if (typeof node.$ref === "string") {
    // OpenAPI v2: siblings of $ref are description/default only.
    if (definitionNameOfRef(node.$ref) !== undefined) return { $ref: node.$ref };
    notes.messages.push(`${where}: $ref ${node.$ref} does not point into #/definitions; not checked`);
    return {};
  }

  const out: JsonSchema = {};
  const intOrString = node["x-kubernetes-int-or-string"] === true || node.format === "int-or-string";
  const preserveUnknown = node["x-kubernetes-preserve-unknown-fields"] === true;
  const nullable = node.nullable === true;

  let types = intOrString ? ["integer", "string"] : typesOf(node);
  if (types && nullable && !types.includes("null")) types = [...types, "null"];
  if (types && types.length > 0) out.type = types.length === 1 ? types[0] : types;

  if (Array.isArray(node.enum)) {
    out.enum = nullable && !node.enum.includes(null) ? [...node.enum, null] : node.enum;
  }
  for (const keyword of PLAIN_KEYWORDS) if (node[keyword] !== undefined) out[keyword] = node[keyword];
  if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;

  if (typeof node.minimum === "number") {
    if (node.exclusiveMinimum === true) out.exclusiveMinimum = node.minimum;
    else out.minimum = node.minimum;
  } else if (typeof node.exclusiveMinimum === "number") out.exclusiveMinimum = node.exclusiveMinimum;
  if (typeof node.maximum === "number") {
    if (node.exclusiveMaximum === true) out.exclusiveMaximum = node.maximum;
    else out.maximum = node.maximum;
  } else if (typeof node.exclusiveMaximum === "number") out.exclusiveMaximum = node.exclusiveMaximum;

  // RE2, evaluated by the registry's RE2 engine (re2.ts).
  if (typeof node.pattern === "string") out.pattern = node.pattern;

  let format = typeof node.format === "string" && !intOrString ? node.format : undefined;
  if (format !== undefined && !isKnownFormat(format)) {
    notes.unknownFormats.add(format);
    format = undefined;
  }

  if (isPlainObject(node.properties)) {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) {
      properties[name] = normalizeNode(child, options, structural, `${where}.${name}`);
    }
    out.properties = properties;
  }
  if (isPlainObject(node.patternProperties)) {
    const patternProperties: Record<string, JsonSchema> = {};
    for (const [pattern, child] of Object.entries(node.patternProperties)) {
      patternProperties[pattern] = normalizeNode(child, options, structural, `${where}[${pattern}]`);
    }
    out.patternProperties = patternProperties;
  }
  if (typeof node.additionalProperties === "boolean") out.additionalProperties = node.additionalProperties;
  else if (isPlainObject(node.additionalProperties)) {
    out.additionalProperties = normalizeNode(node.additionalProperties, options, structural, `${where}.*`);
  }
  if (Array.isArray(node.items)) {
    out.items = node.items.map((item, index) => normalizeNode(item, options, structural, `${where}[${index}]`));
  } else if (node.items !== undefined) {
    const items = normalizeNode(node.items, options, structural, `${where}[]`);
    // controller-gen puts `Format=cidr` of a []string on the array, where no validator looks
    // (formats only apply to strings); Calico means every item. Push it down.
    if (format !== undefined && types?.includes("array") && items.type === "string" && items.format === undefined) {
      items.format = format;
      format = undefined;
    }
    out.items = items;
  }
  if (format !== undefined) out.format = format;

  for (const combinator of ["allOf", "anyOf", "oneOf"] as const) {
    const branches = node[combinator];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    if (combinator === "anyOf" && intOrString && isIntOrStringAnyOf(branches)) continue;
    out[combinator] = branches.map((branch, index) => normalizeNode(branch, options, false, `${where}/${combinator}/${index}`));
  }
  if (node.not !== undefined) out.not = normalizeNode(node.not, options, false, `${where}/not`);

  const embeddedResource = node["x-kubernetes-embedded-resource"] === true;
  if (embeddedResource) {
    // apiVersion, kind and metadata of an embedded object are implicitly part of its schema.
    const properties = (out.properties ??= {}) as Record<string, JsonSchema>;
    properties.apiVersion ??= { type: "string" };
    properties.kind ??= { type: "string" };
    properties.metadata = options.objectMeta ?? { type: "object" };
  }

  if (structural && !preserveUnknown && out.additionalProperties === undefined) {
    const isObject = types ? types.includes("object") : out.properties !== undefined;
    const closes =
      dialect === "crd"
        ? isObject // structural pruning drops every undeclared field, even of an empty object
        : isObject && out.properties !== undefined; // v2: `type: object` alone is free-form
    if (closes) out.additionalProperties = false;
  }
  return out;
}

/**
 * Normalizes a CRD version's openAPIV3Schema. `objectMeta` (a schema, usually a `$ref` to the
 * Kubernetes ObjectMeta definition) replaces the CRDs' usual `metadata: {type: object}` so that
 * metadata typos are caught; without it metadata stays free-form.
 */
export function normalizeCrdSchema(schema: unknown, notes: NormalizeNotes, objectMeta: JsonSchema | undefined): JsonSchema {
  const root = normalizeNode(schema, { dialect: "crd", notes, objectMeta }, true, "");
  const properties = (root.properties ??= {}) as Record<string, JsonSchema>;
  // The API server always accepts apiVersion and kind at the top level.
  properties.apiVersion ??= { type: "string" };
  properties.kind ??= { type: "string" };
  const original = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties.metadata : undefined;
  if (!objectMeta) {
    properties.metadata = { type: "object" };
  } else if (isPlainObject(original) && (original.properties !== undefined || original.anyOf || original.allOf)) {
    // Keep the CRD's own metadata constraints (e.g. name maxLength) on top of ObjectMeta.
    const extra = normalizeNode(original, { dialect: "crd", notes }, false, ".metadata");
    properties.metadata = { allOf: [objectMeta, extra] };
  } else {
    properties.metadata = objectMeta;
  }
  return root;
}

/** Names of OpenAPI v2 definitions that hold resource.Quantity (numbers are valid quantities). */
function isQuantityDefinition(name: string): boolean {
  return name.endsWith(".pkg.api.resource.Quantity");
}

/** Normalizes one OpenAPI v2 definition. */
export function normalizeDefinition(name: string, definition: unknown, notes: NormalizeNotes): JsonSchema {
  if (isQuantityDefinition(name)) return { type: ["string", "number"], format: "quantity" };
  return normalizeNode(definition, { dialect: "openapi-v2", notes }, true, name);
}

/** Every `$ref` in a normalized schema (normalized schemas hold schema keywords only). */
export function collectRefs(schema: JsonSchema, into: Set<string> = new Set()): Set<string> {
  if (typeof schema.$ref === "string") into.add(schema.$ref);
  for (const keyword of ["properties", "patternProperties"] as const) {
    const children = schema[keyword];
    if (isPlainObject(children)) for (const child of Object.values(children)) collectRefs(child as JsonSchema, into);
  }
  for (const keyword of ["additionalProperties", "not"] as const) {
    if (isPlainObject(schema[keyword])) collectRefs(schema[keyword] as JsonSchema, into);
  }
  if (Array.isArray(schema.items)) for (const item of schema.items) collectRefs(item as JsonSchema, into);
  else if (isPlainObject(schema.items)) collectRefs(schema.items as JsonSchema, into);
  for (const keyword of ["allOf", "anyOf", "oneOf"] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) for (const branch of branches) collectRefs(branch as JsonSchema, into);
  }
  return into;
}
