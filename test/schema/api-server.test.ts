/**
 * The schema validator read the way the API server reads a CRD: RE2 patterns, CEL rules
 * (x-kubernetes-validations) and list-type uniqueness. Small CRDs are written to a temp dir so each
 * test shows the schema it relies on.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type SchemaError, formatSchemaError, loadSchemaDir, validateManifests } from "../../lib/schema";
import { crdDocument } from "../fixtures/crd";

/** A directory holding one namespaced CRD `example.tenantnet.io/v1 Widget` with this root schema. */
function widgetSchemas(root: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-schema-api-"));
  const crd = crdDocument({ group: "example.tenantnet.io", kind: "Widget", plural: "widgets", schema: root });
  fs.writeFileSync(path.join(dir, "widgets.json"), JSON.stringify(crd));
  return dir;
}

/** A root schema whose `spec` is `spec`, the usual CRD shape. */
function withSpec(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "object",
    properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec },
    ...extra,
  };
}

function widget(spec: unknown, name = "w"): Record<string, unknown> {
  return { apiVersion: "example.tenantnet.io/v1", kind: "Widget", metadata: { name, namespace: "ns" }, spec };
}

function describeErrors(errors: SchemaError[]): string {
  return errors.map(formatSchemaError).join("\n");
}

describe("schemas checked as the API server checks them", function () {
  describe("patterns are RE2", function () {
    const registry = loadSchemaDir(
      widgetSchemas(
        withSpec({
          type: "object",
          properties: {
            letters: { type: "string", pattern: "^[[:alpha:]]+$" },
            caseless: { type: "string", pattern: "(?i)^abc$" },
            ends: { type: "string", pattern: "^a\\z" },
            dns: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
          },
        }),
      ),
    );
    const errorsFor = (field: string, value: string): SchemaError[] => registry.validate(widget({ [field]: value }));

    it("reads a POSIX class as RE2 does", function () {
      assert.deepEqual(errorsFor("letters", "ABC"), []);
      assert.equal(errorsFor("letters", "AB1").length, 1);
    });

    it("reads (?i) and \\z as RE2 does", function () {
      assert.deepEqual(errorsFor("caseless", "ABC"), []);
      assert.deepEqual(errorsFor("ends", "a"), []);
      const [error] = errorsFor("ends", "az");
      assert.equal(error.keyword, "pattern");
      assert.equal(error.path, "/spec/ends");
    });

    it("keeps ordinary patterns as they were", function () {
      assert.deepEqual(errorsFor("dns", "tenant-acme"), []);
      const errors = errorsFor("dns", "-acme");
      assert.equal(errors.length, 1, describeErrors(errors));
      assert.equal(errors[0].message, 'must match the pattern, got string "-acme"');
      assert.equal(errors[0].expected, "pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    });
  });

  describe("CEL rules", function () {
    const rules = (list: Record<string, unknown>[]) => ({ "x-kubernetes-validations": list });
    const registry = loadSchemaDir(
      widgetSchemas(
        withSpec(
          {
            type: "object",
            properties: {
              replicas: { type: "integer" },
              ratio: { type: "number" },
              size: { type: "string" },
              ports: {
                type: "array",
                items: {
                  type: "object",
                  properties: { port: { type: "integer" } },
                  ...rules([{ rule: "self.port > 1024", messageExpression: "'port ' + string(self.port) + ' is privileged'" }]),
                },
              },
            },
            ...rules([
              { rule: "!has(self.replicas) || self.replicas + 1 <= 4", message: "at most 3 replicas", fieldPath: ".replicas" },
              { rule: "!has(self.ratio) || self.ratio < 1.0" },
              { rule: "!has(self.size) || quantity(self.size).isLessThan(quantity('1Gi'))" },
              { rule: "self.replicas == oldSelf.replicas", message: "replicas is immutable" },
            ]),
          },
          rules([{ rule: "self.metadata.name.startsWith('w-') && !has(self.metadata.namespace)", message: "name must start with w-" }]),
        ),
      ),
    );
    const errorsOf = (spec: unknown, name = "w-1") => registry.validate(widget(spec, name));

    it("passes an object every evaluated rule accepts", function () {
      assert.deepEqual(errorsOf({ replicas: 3, ratio: 0.5, ports: [{ port: 8080 }] }), []);
    });

    it("reads integers as CEL ints and numbers as doubles, as Kubernetes types them", function () {
      const [error, ...rest] = errorsOf({ replicas: 4 });
      assert.deepEqual(rest, []);
      assert.deepEqual([error.path, error.keyword, error.message], ["/spec/replicas", "cel", "at most 3 replicas"]);
      assert.equal(error.expected, "rule: !has(self.replicas) || self.replicas + 1 <= 4");
      assert.equal(errorsOf({ ratio: 1.5 })[0]?.message, "failed rule: !has(self.ratio) || self.ratio < 1.0");
    });

    it("reports a messageExpression's message at each failing item", function () {
      const errors = errorsOf({ ports: [{ port: 8080 }, { port: 80 }] });
      assert.deepEqual(
        errors.map((e) => [e.path, e.message]),
        [["/spec/ports/1", "port 80 is privileged"]],
      );
    });

    it("binds root self to the object with metadata name and generateName only", function () {
      const [error, ...rest] = errorsOf({}, "x-1");
      assert.deepEqual(rest, []);
      assert.deepEqual([error.path, error.message], ["", "name must start with w-"]);
    });

    it("reports an evaluation error as an error naming the rule", function () {
      const registryWithMissingKey = loadSchemaDir(
        widgetSchemas(
          withSpec({ type: "object", properties: { a: { type: "string" } }, "x-kubernetes-validations": [{ rule: "self.a == 'x'" }] }),
        ),
      );
      const [error] = registryWithMissingKey.validate(widget({}));
      assert.equal(error.path, "/spec");
      assert.match(error.message, /evaluating rule$/);
      assert.equal(error.expected, "rule: self.a == 'x'");
    });

    it("does not run rules after a type error, and says so, as the API server does", function () {
      const errors = errorsOf({ replicas: "four", ports: [{ port: 80 }] }, "x-1");
      assert.deepEqual(
        errors.map((e) => e.keyword),
        ["type", "cel-blocked"],
        describeErrors(errors),
      );
    });

    it("lists transition rules and Kubernetes-library calls as not evaluated, never as passed", function () {
      assert.deepEqual(registry.notEvaluated("example.tenantnet.io/v1", "Widget"), [
        "rule !has(self.size) || quantity(self.size).isLessThan(quantity('1Gi')): uses isLessThan(), quantity(), which the CEL library lacks",
        "rule replicas is immutable (self.replicas == oldSelf.replicas): transition rule (oldSelf): checked on update only",
      ]);
      assert.deepEqual(errorsOf({ size: "2Gi" }), [], "the quantity rule is not run");
      const report = validateManifests(registry, [widget({})]);
      assert.deepEqual(report.checked, ["example.tenantnet.io/v1 Widget"]);
      assert.equal(report.unchecked.length, 2);
      assert.match(report.unchecked[0], /^example\.tenantnet\.io\/v1 Widget rule .*quantity\(\)/);
    });
  });

  describe("list types", function () {
    const registry = loadSchemaDir(
      widgetSchemas(
        withSpec({
          type: "object",
          properties: {
            tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
            ports: {
              type: "array",
              "x-kubernetes-list-type": "map",
              "x-kubernetes-list-map-keys": ["port", "protocol"],
              items: { type: "object", properties: { port: { type: "integer" }, protocol: { type: "string" }, note: { type: "string" } } },
            },
            groups: {
              type: "object",
              additionalProperties: {
                type: "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                items: { type: "object", properties: { name: { type: "string" } } },
              },
            },
            free: { type: "array", items: { type: "string" } },
          },
        }),
      ),
    );
    const errorsOf = (spec: unknown) => registry.validate(widget(spec));

    it("accepts distinct items, and repeats in a list without a list type", function () {
      assert.deepEqual(
        errorsOf({
          tags: ["a", "b"],
          ports: [
            { port: 80, protocol: "TCP" },
            { port: 80, protocol: "UDP" },
          ],
          free: ["a", "a"],
        }),
        [],
      );
    });

    it("set: names each repeated item once, at its first repetition", function () {
      const errors = errorsOf({ tags: ["a", "b", "a", "a", "b"] });
      assert.deepEqual(
        errors.map((e) => [e.path, e.keyword, e.message]),
        [
          ["/spec/tags/2", "list-type", 'duplicate item string "a"'],
          ["/spec/tags/4", "list-type", 'duplicate item string "b"'],
        ],
      );
      assert.equal(errors[0].expected, "unique items (x-kubernetes-list-type: set)");
    });

    it("map: items unique by all their keys, other fields aside, also under a map of lists", function () {
      const errors = errorsOf({
        ports: [
          { port: 80, protocol: "TCP", note: "a" },
          { protocol: "TCP", port: 80, note: "b" },
        ],
        groups: { g: [{ name: "x" }, { name: "x" }] },
      });
      assert.deepEqual(
        errors.map((e) => [e.path, e.message]),
        [
          ["/spec/ports/1", 'duplicate entry for key {"port":80,"protocol":"TCP"}'],
          ["/spec/groups/g/1", 'duplicate entry for key {"name":"x"}'],
        ],
      );
      assert.equal(errors[0].expected, "items unique by port, protocol (x-kubernetes-list-type: map)");
    });
  });
});
