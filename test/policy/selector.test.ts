import * as assert from "assert";
import { parseLabelSelector } from "../../lib/policy/label-selector";
import { parseSelector, type Labels } from "../../lib/policy/selector";

const vm: Labels = { "tenantnet.io/tenant": "acme", "tenantnet.io/vm": "web", "kubevirt.io": "virt-launcher" };

function matches(selector: string, labels: Labels = vm): boolean {
  const parsed = parseSelector(selector);
  if (!parsed.ok) throw new Error(`did not parse: ${parsed.error}`);
  return parsed.matches(labels);
}

describe("policy: Calico selector", () => {
  it("evaluates equality, inequality and has()", () => {
    assert.strictEqual(matches("tenantnet.io/tenant == 'acme'"), true);
    assert.strictEqual(matches('tenantnet.io/tenant == "globex"'), false);
    assert.strictEqual(matches("tenantnet.io/tenant != 'globex'"), true);
    // Calico: != matches endpoints that lack the label.
    assert.strictEqual(matches("team != 'x'"), true);
    assert.strictEqual(matches("has(tenantnet.io/vm)"), true);
    assert.strictEqual(matches("!has(tenantnet.io/vm)"), false);
    assert.strictEqual(matches("has(team)"), false);
  });

  it("evaluates set membership and string operators", () => {
    assert.strictEqual(matches("tenantnet.io/vm in {'db', 'web'}"), true);
    assert.strictEqual(matches("tenantnet.io/vm in {'db'}"), false);
    assert.strictEqual(matches("tenantnet.io/vm not in {'db'}"), true);
    assert.strictEqual(matches("team not in {'db'}"), true);
    assert.strictEqual(matches("team in {'db'}"), false);
    assert.strictEqual(matches("tenantnet.io/vm in {}"), false);
    assert.strictEqual(matches("kubevirt.io starts with 'virt'"), true);
    assert.strictEqual(matches("kubevirt.io ends with 'launcher'"), true);
    assert.strictEqual(matches("kubevirt.io contains 'x'"), false);
  });

  it("combines with &&, ||, ! and parentheses with the usual precedence", () => {
    assert.strictEqual(matches("tenantnet.io/tenant == 'acme' && tenantnet.io/vm == 'web'"), true);
    assert.strictEqual(matches("tenantnet.io/tenant == 'acme' && tenantnet.io/vm == 'db'"), false);
    assert.strictEqual(matches("tenantnet.io/vm == 'db' || tenantnet.io/vm == 'web'"), true);
    // && binds tighter than ||: false || (true && true).
    assert.strictEqual(matches("team == 'x' || has(tenantnet.io/vm) && tenantnet.io/tenant == 'acme'"), true);
    assert.strictEqual(matches("(team == 'x' || has(tenantnet.io/vm)) && tenantnet.io/tenant == 'globex'"), false);
    assert.strictEqual(matches("!(tenantnet.io/tenant == 'acme')"), false);
    assert.strictEqual(matches("!!has(tenantnet.io/vm)"), true);
  });

  it("treats all(), empty and missing selectors as everything, global() as no namespaced endpoint", () => {
    assert.strictEqual(matches("all()"), true);
    assert.strictEqual(matches(""), true);
    assert.strictEqual(matches("global()"), false);
    const missing = parseSelector(undefined);
    assert.ok(missing.ok && missing.matches({}));
  });

  it("rejects what it cannot parse, saying where", () => {
    for (const [text, fragment] of [
      ["tenantnet.io/tenant = 'acme'", "unexpected character"],
      ["tenantnet.io/tenant == acme", "expected a quoted value"],
      ["has(tenantnet.io/vm", 'expected ")"'],
      ["tenantnet.io/tenant == 'acme' &&", "expected a label key"],
      ["tenantnet.io/tenant == 'acme", "unterminated string"],
      ["tenantnet.io/tenant", "expected an operator"],
      ["matches(x)", "unknown function matches()"],
      ["a == 'b' c", 'unexpected "c"'],
    ]) {
      const parsed = parseSelector(text);
      assert.strictEqual(parsed.ok, false, text);
      assert.ok(!parsed.ok && parsed.error.includes(fragment), `${text}: ${!parsed.ok && parsed.error}`);
    }
  });
});

describe("policy: Kubernetes label selector", () => {
  it("evaluates matchLabels and every matchExpressions operator", () => {
    const select = (selector: unknown) => {
      const parsed = parseLabelSelector(selector);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.matches(vm);
    };
    assert.strictEqual(select({}), true);
    assert.strictEqual(select({ matchLabels: { "tenantnet.io/vm": "web" } }), true);
    assert.strictEqual(select({ matchLabels: { "tenantnet.io/vm": "db" } }), false);
    assert.strictEqual(select({ matchExpressions: [{ key: "tenantnet.io/vm", operator: "In", values: ["db", "web"] }] }), true);
    assert.strictEqual(select({ matchExpressions: [{ key: "tenantnet.io/vm", operator: "NotIn", values: ["web"] }] }), false);
    assert.strictEqual(select({ matchExpressions: [{ key: "team", operator: "Exists" }] }), false);
    assert.strictEqual(select({ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }), true);
  });

  it("rejects unknown operators and expressions without a key", () => {
    assert.strictEqual(parseLabelSelector({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }).ok, false);
    assert.strictEqual(parseLabelSelector({ matchExpressions: [{ operator: "Exists" }] }).ok, false);
  });
});
