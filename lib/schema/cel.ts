/**
 * CRD validation rules (`x-kubernetes-validations`), evaluated with @bufbuild/cel the way the API
 * server evaluates them on create. Upstream, read at kubernetes/apiextensions-apiserver v0.36.3:
 *
 * - pkg/apiserver/schema/cel/validation.go: rules run on every node of the structural schema
 *   (properties, additionalProperties, items, and allOf branches on the same value); a null value
 *   is not validated; a rule using `oldSelf` is skipped on create unless `optionalOldSelf`; a false
 *   rule reports `messageExpression`'s result, else `message`, else "failed rule: <rule>", at the
 *   node's path plus the rule's `fieldPath`; an evaluation error reports "<error> evaluating rule".
 * - pkg/apiserver/schema/cel/model/schemas.go WithTypeAndObjectMeta: at the resource root (and at
 *   an x-kubernetes-embedded-resource) `self` is the whole object, its metadata reduced to `name`
 *   and `generateName`.
 * - pkg/registry/customresource/strategy.go hasBlockingErr: rules are not run when schema
 *   validation already found a type, enum, required, length or count error (registry.ts).
 *
 * Rules this evaluator cannot run as the API server would are listed as not evaluated, never
 * passed: transition rules (`oldSelf`), and calls to functions the library lacks, which are the
 * Kubernetes CEL libraries (`quantity()`, `ip()`, `cidr()`, `url()`, `isSorted()`, `format.*`, ...).
 * Integers are CEL ints (bigint) unless the schema says `number`, as Kubernetes types them.
 */
import { type CelResult, CelScalar, celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { escapePointerToken } from "./errors";
import { type SchemaError, isPlainObject } from "./types";

interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

type Program = (self: unknown) => CelResult;
type Compiled = { program: Program } | { notEvaluated: string };

// Kubernetes' base environment has the strings extension (apiserver pkg/cel/environment/base.go).
const ENV = celEnv({ funcs: strings, variables: { self: CelScalar.DYN } });
/** Operators the planner evaluates itself rather than through the function table. */
const PLANNER_OPERATORS = new Set(["_&&_", "_||_", "_?_:_", "@not_strictly_false"]);
const compiledRules = new Map<string, Compiled>();

/** Function names called, and identifiers read, anywhere in a parsed expression. */
function namesIn(node: unknown, into = { calls: new Set<string>(), idents: new Set<string>() }) {
  if (Array.isArray(node)) for (const child of node) namesIn(child, into);
  else if (node !== null && typeof node === "object") {
    const message = node as { $typeName?: string; function?: string; name?: string };
    if (message.$typeName === "cel.expr.Expr.Call" && message.function) into.calls.add(message.function);
    if (message.$typeName === "cel.expr.Expr.Ident" && message.name) into.idents.add(message.name);
    for (const child of Object.values(node)) if (typeof child === "object") namesIn(child, into);
  }
  return into;
}

function compile(text: string, optionalOldSelf = false): Compiled {
  const key = `${optionalOldSelf}\u0000${text}`;
  let compiled = compiledRules.get(key);
  if (compiled) return compiled;
  try {
    const parsed = parse(text);
    const { calls, idents } = namesIn(parsed.expr);
    const missing = [...calls].filter((name) => !PLANNER_OPERATORS.has(name) && !ENV.funcs.find(name)).sort();
    if (idents.has("oldSelf")) {
      compiled = {
        notEvaluated: optionalOldSelf
          ? "transition rule (optionalOldSelf): oldSelf is not supported here"
          : "transition rule (oldSelf): checked on update only",
      };
    } else if (missing.length > 0) {
      compiled = { notEvaluated: `uses ${missing.map((name) => `${name}()`).join(", ")}, which the CEL library lacks` };
    } else {
      const run = plan(ENV, parsed);
      compiled = { program: (self) => run({ self: self as never }) };
    }
  } catch (error) {
    // The API server refuses a CRD whose rule does not compile; say so rather than pass it.
    compiled = { notEvaluated: `does not parse: ${(error as Error).message}` };
  }
  compiledRules.set(key, compiled);
  return compiled;
}

function rulesOf(schema: Record<string, unknown>): Rule[] {
  const rules = schema["x-kubernetes-validations"];
  return Array.isArray(rules) ? rules.filter((r): r is Rule => isPlainObject(r) && typeof r.rule === "string") : [];
}

/** The name a report gives a rule: its message if it has one, and always its text. */
function ruleLabel(rule: Rule): string {
  const text = rule.rule.trim().replace(/\s+/g, " ");
  return rule.message?.trim() ? `${rule.message.trim()} (${text})` : text;
}

/** Every rule in the schema that will not be evaluated, as `<rule>: <why>`. */
export function notEvaluatedRules(schema: unknown, into: Set<string> = new Set()): Set<string> {
  if (!isPlainObject(schema)) return into;
  for (const rule of rulesOf(schema)) {
    const compiled = compile(rule.rule, rule.optionalOldSelf === true);
    if ("notEvaluated" in compiled) into.add(`rule ${ruleLabel(rule)}: ${compiled.notEvaluated}`);
  }
  for (const child of Object.values(isPlainObject(schema.properties) ? schema.properties : {})) notEvaluatedRules(child, into);
  for (const child of [schema.items, schema.additionalProperties]) notEvaluatedRules(child, into);
  if (Array.isArray(schema.allOf)) for (const branch of schema.allOf) notEvaluatedRules(branch, into);
  return into;
}

const holdsRules = new WeakMap<object, boolean>();

/** Whether a CEL rule is declared at or below this schema node (memoized: walks skip the rest). */
export function hasRules(schema: unknown): boolean {
  if (!isPlainObject(schema)) return false;
  let found = holdsRules.get(schema);
  if (found === undefined) {
    const children = [
      ...Object.values(isPlainObject(schema.properties) ? schema.properties : {}),
      schema.items,
      schema.additionalProperties,
    ];
    found = rulesOf(schema).length > 0 || children.some(hasRules) || (Array.isArray(schema.allOf) && schema.allOf.some(hasRules));
    holdsRules.set(schema, found);
  }
  return found;
}

/**
 * The value as CEL sees it: integers as ints unless the schema says `number`; at a resource root,
 * metadata reduced to name and generateName.
 */
function celValue(value: unknown, schema: unknown, resourceRoot: boolean): unknown {
  const node = isPlainObject(schema) ? schema : {};
  if (typeof value === "number") return Number.isInteger(value) && node.type !== "number" ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => celValue(item, node.items, node["x-kubernetes-embedded-resource"] === true));
  if (!isPlainObject(value)) return value;
  const properties = isPlainObject(node.properties) ? node.properties : {};
  const result: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const child = Object.hasOwn(properties, name) ? properties[name] : node.additionalProperties;
    result[name] = celValue(field, child, isPlainObject(child) && child["x-kubernetes-embedded-resource"] === true);
  }
  if (resourceRoot && isPlainObject(value.metadata)) {
    const { name, generateName } = value.metadata;
    result.metadata = Object.fromEntries(Object.entries({ name, generateName }).filter(([, v]) => typeof v === "string"));
  }
  return result;
}

/** A rule's `fieldPath` (`.spec.x`, `['a.b']`, `[0]`) as JSON pointer tokens. */
function fieldPathPointer(fieldPath: string | undefined): string {
  if (!fieldPath) return "";
  const tokens = [...fieldPath.matchAll(/\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  return tokens.map((token) => `/${escapePointerToken(token)}`).join("");
}

function messageOf(rule: Rule, self: unknown): string {
  if (rule.messageExpression) {
    const compiled = compile(rule.messageExpression);
    const result = "program" in compiled ? compiled.program(self) : undefined;
    if (typeof result === "string" && result.trim() !== "" && !result.includes("\n")) return result.trim();
  }
  return rule.message?.trim() || `failed rule: ${rule.rule.trim()}`;
}

function checkNode(
  manifest: string,
  pointer: string,
  schema: Record<string, unknown>,
  value: unknown,
  resourceRoot: boolean,
): SchemaError[] {
  const errors: SchemaError[] = [];
  let self: unknown;
  for (const rule of rulesOf(schema)) {
    const compiled = compile(rule.rule, rule.optionalOldSelf === true);
    if (!("program" in compiled)) continue; // listed by notEvaluatedRules
    self ??= celValue(value, schema, resourceRoot);
    const result = compiled.program(self);
    if (result === true) continue;
    const expected = `rule: ${rule.rule.trim().replace(/\s+/g, " ")}`;
    if (isCelError(result) || typeof result !== "boolean") {
      const why = isCelError(result) ? result.message : `returned ${String(result)}, not a bool`;
      errors.push({ manifest, path: pointer, message: `${why} evaluating rule`, expected, keyword: "cel" });
    } else {
      errors.push({ manifest, path: pointer + fieldPathPointer(rule.fieldPath), message: messageOf(rule, self), expected, keyword: "cel" });
    }
  }
  return errors;
}

/** Every failing CEL rule in `value`, against the CRD's raw (structural) schema. */
export function celErrors(manifest: string, schema: unknown, value: unknown, pointer = "", resourceRoot = true): SchemaError[] {
  if (!isPlainObject(schema) || value === null || value === undefined || !hasRules(schema)) return [];
  const errors = checkNode(manifest, pointer, schema, value, resourceRoot);
  if (Array.isArray(schema.allOf))
    for (const branch of schema.allOf) errors.push(...celErrors(manifest, branch, value, pointer, resourceRoot));
  const embedded = (child: unknown) => isPlainObject(child) && child["x-kubernetes-embedded-resource"] === true;
  if (Array.isArray(value)) {
    value.forEach((item, index) => errors.push(...celErrors(manifest, schema.items, item, `${pointer}/${index}`, embedded(schema.items))));
  } else if (isPlainObject(value)) {
    const properties = isPlainObject(schema.properties) ? schema.properties : {};
    for (const [name, field] of Object.entries(value)) {
      const child = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
      errors.push(...celErrors(manifest, child, field, `${pointer}/${escapePointerToken(name)}`, embedded(child)));
    }
  }
  return errors;
}
