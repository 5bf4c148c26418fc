/**
 * SchemaRegistry: the loaded schema directory. Knows every kind up front (cheap index), builds
 * and compiles a kind's validator the first time a manifest of that kind is validated, and keeps
 * it. One ajv instance per registry.
 */
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { isKubernetesObject, manifestLabel, notAnObjectError, toSchemaErrors } from "./errors";
import { registerKubernetesFormats } from "./formats";
import { celErrors, hasRules, notEvaluatedRules } from "./cel";
import { listTypeErrors } from "./list-type";
import { re2Engine } from "./re2";
import { type SchemaIndex, type SchemaSource, describeSource, indexSchemaPaths } from "./load";
import {
  type NormalizeNotes,
  collectRefs,
  definitionNameOfRef,
  definitionRef,
  newNormalizeNotes,
  normalizeCrdSchema,
  normalizeDefinition,
} from "./openapi";
import { type JsonSchema, type SchemaError, isPlainObject, kindKey } from "./types";

const CORE_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const OBJECT_META_SUFFIX = ".apimachinery.pkg.apis.meta.v1.ObjectMeta";

/**
 * A kind's validator. CRD kinds keep their raw structural schema too, for what JSON Schema cannot
 * say: list-type uniqueness and CEL rules (`notEvaluated`: the rules that cannot be run here).
 */
type Compiled = { validate: ValidateFunction; structural?: unknown; hasRules: boolean; notEvaluated: string[] } | { failure: string };

/**
 * Schema errors after which the API server does not run CEL rules, whose types they would break
 * (apiextensions-apiserver pkg/registry/customresource/strategy.go hasBlockingErr, v0.36.3:
 * NotSupported, Required, TooLong, TooMany, TypeInvalid).
 */
const BLOCKS_CEL = new Set(["type", "enum", "required", "maxLength", "maxItems", "maxProperties"]);

export class SchemaRegistry {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, Compiled>();
  /** Normalized definitions per file, shared by every kind compiled from that file. */
  private readonly normalizedDefinitions = new Map<string, Map<string, JsonSchema>>();
  private readonly notes: NormalizeNotes = newNormalizeNotes();
  private readonly compileDiagnostics: string[] = [];
  private objectMetaSource: { file: string; definition: string } | null | undefined;

  constructor(private readonly index: SchemaIndex) {
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true, // errors carry parentSchema (allowed field names) and data (the bad value)
      allowUnionTypes: true,
      validateSchema: false, // normalized schemas are built by openapi.ts, not hand-written
      addUsedSchema: false,
      // Tigera's Installation compiles to ~5 MB of code: unoptimized codegen halves compile time
      // and validation stays well under a millisecond per manifest.
      code: { optimize: false, regExp: re2Engine },
    });
    registerKubernetesFormats(this.ajv);
  }

  /** Whether a schema is loaded for this apiVersion and kind. */
  has(apiVersion: string, kind: string): boolean {
    return this.index.sources.has(kindKey(apiVersion, kind));
  }

  /** Every `"<apiVersion> <Kind>"` with a schema, sorted. */
  kinds(): string[] {
    return [...this.index.sources.keys()].sort();
  }

  /** Where a kind's schema comes from (file and CRD or definition), for messages and debugging. */
  sourceOf(apiVersion: string, kind: string): string | undefined {
    const source = this.index.sources.get(kindKey(apiVersion, kind));
    return source ? describeSource(source) : undefined;
  }

  /** Kinds whose validator has been built so far (schemas compile on first use). */
  compiledKinds(): string[] {
    return [...this.compiled.keys()].sort();
  }

  /** Formats found in compiled schemas that the validator does not know; accepted unchecked. */
  get unknownFormats(): string[] {
    return [...this.notes.unknownFormats].sort();
  }

  /** Skipped files, shadowed sources, dangling refs, missing ObjectMeta. */
  get diagnostics(): string[] {
    return [...this.index.diagnostics, ...this.compileDiagnostics, ...this.notes.messages];
  }

  /** Validates one manifest; a manifest without a loaded schema yields one "unchecked" error. */
  validate(manifest: unknown): SchemaError[] {
    const label = manifestLabel(manifest);
    if (!isKubernetesObject(manifest)) return [notAnObjectError(manifest)];
    const key = kindKey(manifest.apiVersion, manifest.kind);
    const compiled = this.compiledFor(key);
    if (!compiled) {
      return [
        {
          manifest: label,
          path: "",
          message: `no schema loaded for ${key}; not checked`,
          expected: "a CRD or OpenAPI definition for this kind",
          keyword: "unchecked",
        },
      ];
    }
    if ("failure" in compiled) {
      return [
        {
          manifest: label,
          path: "",
          message: `schema for ${key} could not be compiled: ${compiled.failure}`,
          expected: "a compilable schema",
          keyword: "schema",
        },
      ];
    }
    const subject = hasNullField(manifest) ? withoutNullFields(manifest) : manifest;
    const errors = compiled.validate(subject) ? [] : toSchemaErrors(label, compiled.validate.errors);
    if (compiled.structural === undefined) return errors;
    // The API server's order: schema, then list-type uniqueness, then CEL unless blocked.
    const blocked = errors.some((error) => BLOCKS_CEL.has(error.keyword));
    errors.push(...listTypeErrors(label, compiled.structural, subject));
    if (!compiled.hasRules) return errors;
    if (!blocked) return [...errors, ...celErrors(label, compiled.structural, subject)];
    const message =
      "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";
    return [...errors, { manifest: label, path: "", message, expected: "x-kubernetes-validations", keyword: "cel-blocked" }];
  }

  /** CEL rules of a kind that are not evaluated, each as `rule <message (text)>: <why>`, sorted. */
  notEvaluated(apiVersion: string, kind: string): string[] {
    const compiled = this.compiledFor(kindKey(apiVersion, kind));
    return compiled && "notEvaluated" in compiled ? compiled.notEvaluated : [];
  }

  private compiledFor(key: string): Compiled | undefined {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const source = this.index.sources.get(key);
    if (!source) return undefined;
    let compiled: Compiled;
    try {
      const structural = source.type === "crd" ? this.index.files.crdSchema(source) : undefined;
      compiled = {
        validate: this.ajv.compile(this.buildSchema(source, structural)),
        structural,
        hasRules: hasRules(structural),
        notEvaluated: [...notEvaluatedRules(structural)].sort(),
      };
    } catch (error) {
      compiled = { failure: (error as Error).message };
    }
    this.compiled.set(key, compiled);
    return compiled;
  }

  private buildSchema(source: SchemaSource, crdSchema: unknown): JsonSchema {
    if (source.type === "definition") {
      return {
        $ref: definitionRef(source.definition),
        definitions: this.reachableDefinitions(source.file, source.definition),
      };
    }
    const objectMeta = this.objectMeta();
    const root = normalizeCrdSchema(crdSchema, this.notes, objectMeta ? { $ref: definitionRef(objectMeta.definition) } : undefined);
    if (!objectMeta) {
      this.compileDiagnostics.push(`${kindKey(source.apiVersion, source.kind)}: no ObjectMeta definition loaded; metadata not checked`);
      return root;
    }
    return { ...root, definitions: this.reachableDefinitions(objectMeta.file, objectMeta.definition) };
  }

  /** The ObjectMeta definition CR metadata is checked against: Kubernetes' own, else any copy. */
  private objectMeta(): { file: string; definition: string } | undefined {
    if (this.objectMetaSource !== undefined) return this.objectMetaSource ?? undefined;
    let found: { file: string; definition: string } | null = null;
    const files = this.index.files.definitionFiles();
    for (const file of files) {
      if (CORE_OBJECT_META in this.index.files.definitions(file)) {
        found = { file, definition: CORE_OBJECT_META };
        break;
      }
    }
    for (const file of files) {
      if (found) break;
      const definition = Object.keys(this.index.files.definitions(file)).find((name) => name.endsWith(OBJECT_META_SUFFIX));
      if (definition) found = { file, definition };
    }
    if (found)
      this.compileDiagnostics.push(`CR metadata is checked against ${path.basename(found.file)} #/definitions/${found.definition}`);
    this.objectMetaSource = found;
    return found ?? undefined;
  }

  /** The named definition and every definition it reaches, normalized (cached per file). */
  private reachableDefinitions(file: string, root: string): Record<string, JsonSchema> {
    const raw = this.index.files.definitions(file);
    let normalized = this.normalizedDefinitions.get(file);
    if (!normalized) {
      normalized = new Map();
      this.normalizedDefinitions.set(file, normalized);
    }
    const result: Record<string, JsonSchema> = {};
    const queue = [root];
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (name in result) continue;
      let schema = normalized.get(name);
      if (!schema) {
        if (raw[name] === undefined) {
          this.notes.messages.push(`${path.basename(file)}: $ref to missing definition ${name}; accepted unchecked`);
          schema = {};
        } else {
          schema = normalizeDefinition(name, raw[name], this.notes);
        }
        normalized.set(name, schema);
      }
      result[name] = schema;
      for (const ref of collectRefs(schema)) {
        const target = definitionNameOfRef(ref);
        if (target !== undefined && !(target in result)) queue.push(target);
      }
    }
    return result;
  }
}

function hasNullField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullField);
  if (!isPlainObject(value)) return false;
  return Object.values(value).some((field) => field === null || hasNullField(field));
}

/**
 * A copy without null-valued fields. The API server treats `field: null` as unset (built-in
 * types decode it to the zero value; CRDs prune non-nullable nulls before validating), and
 * renderers emit it (`creationTimestamp: null`), so it must not read as a type error.
 */
function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) if (field !== null) copy[name] = withoutNullFields(field);
  return copy;
}

/**
 * Loads a schema directory (or several directories / files): CRD YAML or JSON, including
 * `kind: List` exports, and OpenAPI v2 JSON with `definitions`. Schemas compile lazily.
 */
export function loadSchemaDir(dir: string | string[]): SchemaRegistry {
  return new SchemaRegistry(indexSchemaPaths(Array.isArray(dir) ? dir : [dir]));
}
