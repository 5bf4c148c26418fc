/** The rule tables in the READMEs list exactly the pack's rules, at their enforcement levels. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../lib/policy";
import { NODE_CONTROL_PORTS } from "../lib/policy/ports";
import { REPO_ROOT } from "../lib/stack-file";

/** `rule -> level` of the table rows (`| \`name\` | level | ... |`) in a markdown section. */
function ruleTable(file: string, heading: string): Map<string, string> {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
  const section = text.slice(text.indexOf(`\n${heading}\n`));
  const body = section.slice(0, section.indexOf("\n## ", heading.length + 2));
  return new Map([...body.matchAll(/^\| `([a-z0-9-]+)` \| (mandatory|advisory) \|/gm)].map((m) => [m[1], m[2]]));
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
