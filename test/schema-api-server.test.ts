/**
 * The schema validator read the way the API server reads a CRD: RE2 patterns, CEL rules
 * (x-kubernetes-validations) and list-type uniqueness. Small CRDs are written to a temp dir so each
 * test shows the schema it relies on.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type SchemaError, formatSchemaError, loadSchemaDir } from "../lib/schema";

/** A directory holding one namespaced CRD `example.tenantnet.io/v1 Widget` with this root schema. */
function widgetSchemas(root: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-schema-api-"));
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.tenantnet.io" },
    spec: {
      group: "example.tenantnet.io",
      names: { kind: "Widget", plural: "widgets" },
      scope: "Namespaced",
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: root } }],
    },
  };
  fs.writeFileSync(path.join(dir, "widgets.json"), JSON.stringify(crd));
  return dir;
}

/** A root schema whose `spec` is `spec`, the usual CRD shape. */
function withSpec(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "object", properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec }, ...extra };
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
});
