/** The rule tables in the READMEs list exactly the pack's rules, at their enforcement levels. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { isResourceRule, RULES } from "../lib/policy";
import { NODE_CONTROL_PORTS } from "../lib/policy/ports";
import { REPO_ROOT } from "../lib/stack-file";

/** The table rows (`| \`name\` | level | why |`) in a markdown section. */
function ruleRows(file: string, heading: string): RegExpMatchArray[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
  const section = text.slice(text.indexOf(`\n${heading}\n`));
  const body = section.slice(0, section.indexOf("\n## ", heading.length + 2));
  return [...body.matchAll(/^\| `([a-z0-9-]+)` \| (mandatory|advisory) \| ([^\n]*)$/gm)];
}

/** `rule -> level` of a section's rule table. */
function ruleTable(file: string, heading: string): Map<string, string> {
  return new Map(ruleRows(file, heading).map((m) => [m[1], m[2]]));
}

describe("documentation of the policy rules", () => {
  const rules = new Map(RULES.map((rule) => [rule.name, rule.level]));
  for (const [file, heading] of [
    ["README.md", "## Policy rules"],
    ["policy/README.md", "## Rules"],
  ]) {
    it(`${file} lists every rule at its level, and no other`, () => {
      assert.deepEqual(ruleTable(file, heading), rules);
    });

    it(`${file} says which rules are resource policies (they stop pulumi up before apply)`, () => {
      const marked = ruleRows(file, heading)
        .filter((m) => /^resource policy:/i.test(m[3]))
        .map((m) => m[1])
        .sort();
      assert.deepEqual(
        marked,
        RULES.filter(isResourceRule)
          .map((rule) => rule.name)
          .sort(),
      );
    });
  }

  it("the README's node-port rule names every node-control port the rule checks", () => {
    const row = fs
      .readFileSync(path.join(REPO_ROOT, "README.md"), "utf8")
      .split("\n")
      .find((line) => line.startsWith("| `underlay-node-ports` |"));
    for (const { range } of NODE_CONTROL_PORTS) {
      const text = range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
      assert.ok(row?.includes(text), `port ${text} missing from: ${row}`);
    }
  });
});
