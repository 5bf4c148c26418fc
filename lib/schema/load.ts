/**
 * Finds which files hold which kinds' schemas, cheaply, and hands out the raw schemas later.
 *
 * Index time reads every file but parses YAML only as a skeleton (lines indented at most
 * SKELETON_MAX_INDENT, enough for group, kind and version names): a full parse of all CRDs in
 * the vendored schemas/ takes most of a second, the skeletons a few milliseconds. The full parse of a
 * file happens the first time one of its kinds is validated. JSON is parsed at once (fast).
 *
 * Sources, by rank (lower wins, ties go to the file name that sorts first):
 *   0  a CRD version with a schema, or an OpenAPI v2 definition carrying
 *      `x-kubernetes-group-version-kind`;
 *   1  an OpenAPI v2 definition that a swagger `paths` entry creates (POST/PUT body) under
 *      `/apis/<group>/<version>/` or `/api/v1/` (KubeVirt's swagger has no GVK extensions);
 *   2  a definition with the same name as a rank 0/1 definition of another file (derived
 *      definition files, which carry no group or version of their own).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { apiVersionOf, isPlainObject, kindKey } from "./types";

const SKELETON_MAX_INDENT = 10;

export interface CrdSource {
  type: "crd";
  file: string;
  group: string;
  version: string;
  kind: string;
  apiVersion: string;
  rank: number;
}

export interface DefinitionSource {
  type: "definition";
  file: string;
  definition: string;
  kind: string;
  apiVersion: string;
  rank: number;
}

export type SchemaSource = CrdSource | DefinitionSource;

export function describeSource(source: SchemaSource): string {
  const file = path.basename(source.file);
  return source.type === "crd" ? `${file} (CRD ${source.group} ${source.version})` : `${file} (#/definitions/${source.definition})`;
}

type Json = Record<string, unknown>;

/** CustomResourceDefinitions in a parsed document: the document itself, or the items of a List. */
export function crdsIn(document: unknown): Json[] {
  if (!isPlainObject(document)) return [];
  if (document.kind === "CustomResourceDefinition") return [document];
  if (typeof document.kind === "string" && document.kind.endsWith("List") && Array.isArray(document.items)) {
    return document.items.flatMap(crdsIn);
  }
  return [];
}

interface CrdVersionFacts {
  group: string;
  kind: string;
  versions: string[];
}

/**
 * Group, kind and the served versions that carry a schema; undefined when the CRD is incomplete.
 * In a skeleton the schema itself may be cut off: there the `schema:` key is evidence enough.
 */
function crdFacts(crd: Json, skeleton = false): CrdVersionFacts | undefined {
  const spec = crd.spec;
  if (!isPlainObject(spec) || typeof spec.group !== "string") return undefined;
  if (!isPlainObject(spec.names) || typeof spec.names.kind !== "string") return undefined;
  const holdsSchema = (parent: unknown): boolean => isPlainObject(parent) && "openAPIV3Schema" in parent;
  // apiextensions v1beta1 allowed one schema for all versions under spec.validation.
  const sharedSchema = skeleton ? "validation" in spec : holdsSchema(spec.validation);
  // A skeleton cut above the version list proves nothing: let the caller parse in full.
  if (skeleton && !Array.isArray(spec.versions) && typeof spec.version !== "string") return undefined;
  const versions: string[] = [];
  if (Array.isArray(spec.versions)) {
    for (const version of spec.versions) {
      if (!isPlainObject(version) || typeof version.name !== "string") return undefined;
      if (version.served === false) continue; // the API server rejects unserved versions
      const hasSchema = (skeleton ? "schema" in version : holdsSchema(version.schema)) || sharedSchema;
      if (hasSchema) versions.push(version.name);
    }
  } else if (typeof spec.version === "string" && sharedSchema) {
    versions.push(spec.version);
  }
  return { group: spec.group, kind: spec.names.kind, versions };
}

/** The openAPIV3Schema of one version of a fully parsed CRD. */
export function crdVersionSchema(crd: Json, version: string): unknown {
  const spec = crd.spec as Json;
  if (Array.isArray(spec.versions)) {
    const entry = spec.versions.find((v) => isPlainObject(v) && v.name === version);
    if (isPlainObject(entry) && isPlainObject(entry.schema) && entry.schema.openAPIV3Schema !== undefined) {
      return entry.schema.openAPIV3Schema;
    }
  }
  if (isPlainObject(spec.validation)) return spec.validation.openAPIV3Schema;
  return undefined;
}

/** Keeps only lines indented at most `maxIndent`: valid YAML with the deep parts cut off. */
export function yamlSkeleton(text: string, maxIndent: number): string {
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    let indent = 0;
    while (indent < line.length && line.charCodeAt(indent) === 32) indent++;
    if (indent <= maxIndent || indent === line.length) kept.push(line);
  }
  return kept.join("\n");
}

function parseYamlDocuments(text: string, file: string): unknown[] {
  const documents = YAML.parseAllDocuments(text);
  const values: unknown[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: invalid YAML: ${document.errors[0].message}`);
    }
    values.push(document.toJS({ maxAliasCount: -1 }));
  }
  return values;
}

/** Raw file contents, parsed on demand and kept. */
export class SchemaFileStore {
  private readonly crdCache = new Map<string, Json[]>();
  private readonly definitionCache = new Map<string, Json>();

  /** Fully parsed CRDs of a YAML or JSON file. */
  crds(file: string): Json[] {
    let crds = this.crdCache.get(file);
    if (!crds) {
      const text = fs.readFileSync(file, "utf8");
      const documents = /\.json$/i.test(file) ? [JSON.parse(text) as unknown] : parseYamlDocuments(text, file);
      crds = documents.flatMap(crdsIn);
      this.crdCache.set(file, crds);
    }
    return crds;
  }

  rememberCrds(file: string, crds: Json[]): void {
    this.crdCache.set(file, crds);
  }

  rememberDefinitions(file: string, definitions: Json): void {
    this.definitionCache.set(file, definitions);
  }

  /** OpenAPI v2 definitions of a JSON file (kept from index time). */
  definitions(file: string): Json {
    const definitions = this.definitionCache.get(file);
    if (!definitions) throw new Error(`${file}: no OpenAPI definitions were loaded from this file`);
    return definitions;
  }

  definitionFiles(): string[] {
    return [...this.definitionCache.keys()].sort();
  }

  /** The raw schema behind a CRD source; throws when the file changed since it was indexed. */
  crdSchema(source: CrdSource): unknown {
    for (const crd of this.crds(source.file)) {
      const facts = crdFacts(crd);
      if (facts?.group === source.group && facts.kind === source.kind && facts.versions.includes(source.version)) {
        return crdVersionSchema(crd, source.version);
      }
    }
    throw new Error(`${source.file}: no schema for ${source.group}/${source.version} ${source.kind} on full parse`);
  }
}

export interface SchemaIndex {
  /** The winning source per `"<apiVersion> <Kind>"`. */
  sources: Map<string, SchemaSource>;
  files: SchemaFileStore;
  /** What was skipped or shadowed, for debugging a schema directory. */
  diagnostics: string[];
}

class IndexBuilder {
  readonly candidates: SchemaSource[] = [];
  readonly diagnostics: string[] = [];
  readonly files = new SchemaFileStore();
  /** Definition name -> GVKs, from rank 0/1 sources, to place derived definition files. */
  private readonly definitionKinds = new Map<string, { apiVersion: string; kind: string }[]>();
  private readonly definitionsByFile = new Map<string, Json>();

  addCrds(file: string, crds: Json[]): void {
    const facts = crds.map((crd) => crdFacts(crd));
    const incomplete = facts.filter((f) => f === undefined).length;
    if (incomplete > 0) {
      this.diagnostics.push(
        `${path.basename(file)}: ${incomplete} CustomResourceDefinition(s) without spec.group, spec.names.kind or version names; skipped`,
      );
    }
    this.addCrdFacts(
      file,
      facts.filter((f): f is CrdVersionFacts => f !== undefined),
    );
  }

  addCrdFacts(file: string, crds: CrdVersionFacts[]): void {
    if (crds.length === 0) this.diagnostics.push(`${path.basename(file)}: no CustomResourceDefinition; skipped`);
    for (const facts of crds) {
      if (facts.versions.length === 0) {
        this.diagnostics.push(`${path.basename(file)}: ${facts.group} ${facts.kind} has no served version with a schema`);
      }
      for (const version of facts.versions) {
        this.candidates.push({
          type: "crd",
          file,
          group: facts.group,
          version,
          kind: facts.kind,
          apiVersion: apiVersionOf(facts.group, version),
          rank: 0,
        });
      }
    }
  }

  private addDefinition(file: string, definition: string, apiVersion: string, kind: string, rank: number): void {
    this.candidates.push({ type: "definition", file, definition, kind, apiVersion, rank });
    if (rank < 2) {
      const kinds = this.definitionKinds.get(definition) ?? [];
      kinds.push({ apiVersion, kind });
      this.definitionKinds.set(definition, kinds);
    }
  }

  addOpenApi(file: string, document: Json): void {
    const definitions = document.definitions as Json;
    this.files.rememberDefinitions(file, definitions);
    this.definitionsByFile.set(file, definitions);
    for (const [name, definition] of Object.entries(definitions)) {
      if (!isPlainObject(definition)) continue;
      const gvks = definition["x-kubernetes-group-version-kind"];
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks) {
        if (!isPlainObject(gvk) || typeof gvk.version !== "string" || typeof gvk.kind !== "string") continue;
        this.addDefinition(file, name, apiVersionOf(typeof gvk.group === "string" ? gvk.group : "", gvk.version), gvk.kind, 0);
      }
    }
    if (isPlainObject(document.paths)) this.addPathKinds(file, document.paths, definitions);
  }

  /** Kinds a swagger creates or replaces: the body of POST/PUT under an API group version. */
  private addPathKinds(file: string, paths: Json, definitions: Json): void {
    const seen = new Set<string>();
    for (const [route, item] of Object.entries(paths)) {
      const groupVersion = /^\/apis\/([^/]+)\/([^/]+)\//.exec(route) ?? /^\/api\/()(v1)\//.exec(route);
      if (!groupVersion || !isPlainObject(item)) continue;
      for (const method of ["post", "put"]) {
        const operation = item[method];
        if (!isPlainObject(operation) || !Array.isArray(operation.parameters)) continue;
        const body = operation.parameters.find((p) => isPlainObject(p) && p.in === "body");
        const ref = isPlainObject(body) && isPlainObject(body.schema) ? body.schema.$ref : undefined;
        if (typeof ref !== "string" || !ref.startsWith("#/definitions/")) continue;
        const name = ref.slice("#/definitions/".length);
        const definition = definitions[name];
        // Only objects that name their own kind are resources (not e.g. subresource options).
        if (!isPlainObject(definition) || !isPlainObject(definition.properties) || !("kind" in definition.properties)) continue;
        const operationGvk = operation["x-kubernetes-group-version-kind"];
        const apiVersion =
          isPlainObject(operationGvk) && typeof operationGvk.version === "string"
            ? apiVersionOf(typeof operationGvk.group === "string" ? operationGvk.group : "", operationGvk.version)
            : apiVersionOf(groupVersion[1], groupVersion[2]);
        const kind =
          isPlainObject(operationGvk) && typeof operationGvk.kind === "string" ? operationGvk.kind : name.slice(name.lastIndexOf(".") + 1);
        const key = `${kindKey(apiVersion, kind)} ${name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        this.addDefinition(file, name, apiVersion, kind, 1);
      }
    }
  }

  /** Derived definition files: same definition name as a placed definition elsewhere. */
  addByDefinitionName(): void {
    for (const [file, definitions] of this.definitionsByFile) {
      const placedHere = new Set(this.candidates.filter((c) => c.file === file).map((c) => kindKey(c.apiVersion, c.kind)));
      for (const [name, kinds] of this.definitionKinds) {
        if (!(name in definitions)) continue;
        for (const { apiVersion, kind } of kinds) {
          if (placedHere.has(kindKey(apiVersion, kind))) continue;
          placedHere.add(kindKey(apiVersion, kind));
          this.addDefinition(file, name, apiVersion, kind, 2);
        }
      }
    }
  }

  build(): SchemaIndex {
    this.addByDefinitionName();
    const ordered = [...this.candidates].sort((a, b) => a.rank - b.rank || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const sources = new Map<string, SchemaSource>();
    for (const candidate of ordered) {
      const key = kindKey(candidate.apiVersion, candidate.kind);
      const winner = sources.get(key);
      if (!winner) sources.set(key, candidate);
      else if (winner.file !== candidate.file) {
        this.diagnostics.push(`${key}: using ${describeSource(winner)}; ignoring ${describeSource(candidate)}`);
      }
    }
    return { sources, files: this.files, diagnostics: this.diagnostics };
  }
}

function indexYamlFile(builder: IndexBuilder, file: string): void {
  const text = fs.readFileSync(file, "utf8");
  try {
    const skeleton = parseYamlDocuments(yamlSkeleton(text, SKELETON_MAX_INDENT), file).flatMap(crdsIn);
    const facts = skeleton.map((crd) => crdFacts(crd, true));
    if (facts.every((f) => f !== undefined)) {
      builder.addCrdFacts(file, facts as CrdVersionFacts[]);
      return;
    }
  } catch {
    // Unusual layout (deep indentation, multi-line flow values): fall back to a full parse.
  }
  const crds = parseYamlDocuments(text, file).flatMap(crdsIn);
  builder.files.rememberCrds(file, crds);
  builder.addCrds(file, crds);
}

function indexJsonFile(builder: IndexBuilder, file: string): void {
  let document: unknown;
  try {
    document = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  const crds = crdsIn(document);
  if (crds.length > 0) {
    builder.files.rememberCrds(file, crds);
    builder.addCrds(file, crds);
  } else if (isPlainObject(document) && isPlainObject(document.definitions)) {
    builder.addOpenApi(file, document);
  } else {
    builder.diagnostics.push(`${path.basename(file)}: neither CustomResourceDefinitions nor OpenAPI definitions; skipped`);
  }
}

/** Schema files directly inside `dir` (not recursive), sorted by name. */
export function schemaFilesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** Indexes schema files (YAML/JSON CRDs, OpenAPI v2 JSON); directories are expanded one level. */
export function indexSchemaPaths(paths: string[]): SchemaIndex {
  const builder = new IndexBuilder();
  const files = paths.flatMap((p) => (fs.statSync(p).isDirectory() ? schemaFilesIn(p) : [p]));
  for (const file of [...new Set(files.map((f) => path.resolve(f)))].sort()) {
    if (/\.json$/i.test(file)) indexJsonFile(builder, file);
    else indexYamlFile(builder, file);
  }
  return builder.build();
}
