/** Config problems: each names a key path, what is wrong and what is allowed. */
import type { z } from "zod";

export interface Problem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  /** Marks it as a Pulumi RunError so `pulumi up` prints the problems without a stack trace. */
  readonly __pulumiRunError = true;

  constructor(readonly problems: Problem[]) {
    super(`invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${formatProblems(problems)}`);
    this.name = "ConfigError";
  }
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
}

export function joinPath(base: string, segments: PropertyKey[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === "number") return `${path}[${segment}]`;
    return path ? `${path}.${String(segment)}` : String(segment);
  }, base);
}

type AnyDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
};

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { def: AnyDef }).def;
}

/** The object schema a zod issue path points into, for listing its allowed keys. */
function schemaAt(root: z.ZodType, segments: PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  const unwrap = () => {
    while (schema && ["optional", "default", "nullable", "pipe"].includes(defOf(schema).type)) {
      schema = defOf(schema).innerType;
    }
  };
  unwrap();
  for (const segment of segments) {
    if (!schema) return undefined;
    const def = defOf(schema);
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return undefined;
    unwrap();
  }
  return schema;
}

function describeType(schema: z.ZodType | undefined): string | undefined {
  if (!schema) return undefined;
  let current = schema;
  while (["optional", "default"].includes(defOf(current).type)) current = defOf(current).innerType!;
  const def = defOf(current) as AnyDef & { entries?: Record<string, string> };
  if (def.type === "enum" && def.entries)
    return `one of ${Object.values(def.entries)
      .map((v) => JSON.stringify(v))
      .join(", ")}`;
  if (def.type === "object") return `a map with keys ${Object.keys(def.shape ?? {}).join(", ")}`;
  if (def.type === "record") return "a map keyed by name";
  if (def.type === "array") return "a list";
  return def.type;
}

/** zod issues rewritten as problems that say what is allowed and, for typos, what was meant. */
export function problemsFromZod(base: string, schema: z.ZodType, error: z.ZodError, input: unknown): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = Object.keys(defOf(schemaAt(schema, issue.path) ?? schema).shape ?? {});
      for (const key of issue.keys) {
        const meant = allowed.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
        problems.push({
          path: joinPath(base, [...issue.path, key]),
          message: meant ? `unknown key; did you mean "${meant}"?` : `unknown key; allowed keys here: ${allowed.join(", ")}`,
        });
      }
      continue;
    }
    const path = joinPath(base, issue.path);
    const given = issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], input);
    const expected = describeType(schemaAt(schema, issue.path));
    if (issue.code === "invalid_type" && given === undefined) {
      problems.push({ path, message: `required key is missing (expected ${expected ?? issue.expected})` });
    } else if (issue.code === "invalid_type" || issue.code === "invalid_value") {
      problems.push({ path, message: `${JSON.stringify(given)} is not allowed (expected ${expected ?? "another value"})` });
    } else if (issue.code === "too_small" && Array.isArray(given)) {
      problems.push({ path, message: `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? "y" : "ies"}` });
    } else if (issue.code === "custom") {
      problems.push({ path, message: issue.message });
    } else {
      problems.push({ path, message: `${JSON.stringify(given)}: ${issue.message}` });
    }
  }
  return problems;
}
