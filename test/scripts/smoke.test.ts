/**
 * The command lines as processes, once each, the way `npm run <script>` starts them: the entry
 * point runs `main` and exits with its code. Everything else about them is tested in-process.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../lib/stack-file";

const COMMANDS = ["plan", "allocate", "policy", "policy-config"] as const;

/** `node --import tsx scripts/<command>.ts ...`, as package.json's scripts start them. */
function command(name: (typeof COMMANDS)[number], ...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", `${name}.ts`), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
}

describe("command lines as processes", function () {
  this.timeout(120000);
  let dir: string;
  let run: ReturnType<typeof command>;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-cli-"));
    run = command("plan", "--stack", "acme", "--out", path.join(dir, "acme"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("plan: the tenant-only acme stack plans its platform first and exits 0, writing plan.json", () => {
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^stack acme: \d+ resources/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "acme", "plan.json"), "utf8")).stack, "acme");
  });

  it("policy: exits 1 on that plan without its facts (fail closed)", () => {
    const plan = JSON.parse(fs.readFileSync(path.join(dir, "acme", "plan.json"), "utf8"));
    delete plan.policyConfig;
    const file = path.join(dir, "no-facts.json");
    fs.writeFileSync(file, JSON.stringify(plan));
    const judged = command("policy", "--plan", file);
    assert.equal(judged.status, 1, judged.stderr);
    assert.match(judged.stdout, /^\[mandatory\] /);
  });

  it("policy-config: exits 0 writing the pack config of dev", () => {
    const out = path.join(dir, "pack.json");
    const written = command("policy-config", "--stack", "dev", "--out", out);
    assert.equal(written.status, 0, written.stderr);
    assert.ok(Object.keys(JSON.parse(fs.readFileSync(out, "utf8"))).includes("underlay-egress-catalog"));
  });

  it("allocate: exits 2 with the usage on an unknown flag", () => {
    const refused = command("allocate", "--stack", "dev", "--force");
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /usage: npm run allocate/);
  });

  it("--help prints each command's usage without loading the Pulumi SDK", () => {
    const probe = `
      (async () => {
        const silent = { out: () => {}, err: () => {} };
        for (const name of ${JSON.stringify(COMMANDS)}) {
          const code = await require("./scripts/" + name + ".ts").main(["--help"], silent);
          if (code !== 0) throw new Error(name + " --help exited " + code);
        }
        console.log(Object.keys(require.cache).filter((file) => file.includes("@pulumi")).length);
      })();`;
    const help = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", probe], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    assert.equal(help.stdout.trim(), "0", "no @pulumi module is loaded for --help");
  });
});
