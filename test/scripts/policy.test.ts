/** `npm run policy -- --plan FILE`: the CLI over a hand-edited plan.json, called in-process. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planResources } from "../../lib/plan/plan-file";
import { policyPackConfig } from "../../lib/policy";
import { main } from "../../scripts/policy";
import { runCli } from "../fixtures/cli";
import { customResource, devStack } from "../fixtures/policy";

const policyCli = (...args: string[]) => runCli(main, ...args);

describe("npm run policy", function () {
  this.timeout(120000);
  let dir: string;
  let plan: { stack: string; resources: ReturnType<typeof planResources>; violations: unknown[]; policyConfig?: unknown };

  function write(name: string, content: unknown): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-policy-cli-"));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    const { resources, config } = await devStack();
    plan = { stack: "dev", resources: planResources(resources), violations: [], policyConfig: config };
  });

  it("exits 0 on the dev plan, which has no violation, and on an advisory", async () => {
    let run = await policyCli("--plan", write("plan.json", plan));
    assert.strictEqual(run.status, 0, run.stderr);
    assert.strictEqual(run.stdout.trim(), "policy violations: 0 mandatory, 0 advisory");
    (plan.resources.find((r) => r.name === "acme/web/vm")!.inputs as any).spec.template.spec.evictionStrategy = "None";
    run = await policyCli("--plan", write("plan.json", plan));
    assert.strictEqual(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.strictEqual(lines.at(-1), "policy violations: 0 mandatory, 1 advisory");
    assert.ok(
      lines[0].startsWith(
        "[advisory] vm-live-migration acme/web/vm: VirtualMachine tenant-acme/web: not live-migratable: blocks: evictionStrategy None",
      ),
      run.stdout,
    );
  });

  it("exits 1 on a plan with a hand-injected allow-all NetworkPolicy, naming it, mandatory first", async () => {
    const { type, name, inputs } = customResource("allow-all", {
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: "allow-all", namespace: "tenant-acme" },
      spec: { selector: "all()", egress: [{ action: "Allow" }] },
    });
    plan.resources.push({
      type,
      name,
      parent: null,
      inputs,
      urn: `urn:pulumi:dev::tenantnet::${type}::${name}`,
      parentUrn: null,
      dependsOn: [],
    });
    const run = await policyCli("--plan", write("plan.json", plan));
    assert.strictEqual(run.status, 1, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.ok(
      lines[0].startsWith(
        '[mandatory] underlay-egress-catalog allow-all: NetworkPolicy tenant-acme/allow-all: spec.egress[0] = {"action":"Allow"}: allows any protocol to 0.0.0.0/0',
      ),
      lines[0],
    );
    assert.ok(
      lines.some((line) => line.startsWith("[mandatory] underlay-node-ports allow-all: ")),
      run.stdout,
    );
    assert.match(lines.at(-1)!, /^policy violations: [1-9]\d* mandatory, 0 advisory$/);
  });

  it("--explain names the policy and rule behind each flow of an endpoint, and exits 2 on an unknown one", async () => {
    const file = write("plan.json", plan);
    const run = await policyCli("--plan", file, "--explain", "tenant-globex/worker");
    assert.strictEqual(run.status, 0, run.stderr);
    assert.deepStrictEqual(run.stdout.trim().split("\n"), [
      "tenant-globex/worker",
      "  egress:",
      "    TCP 80,443 to 10.50.40.0/28  <- NetworkPolicy tenant-globex/underlay-worker spec.egress[0]",
      "  ingress:",
      "    (nothing)",
    ]);
    const missing = await policyCli("--plan", file, "--explain", "tenant-globex/nope");
    assert.strictEqual(missing.status, 2);
    assert.match(
      missing.stderr,
      /tenant-globex\/nope is not an underlay endpoint of .*have: tenant-acme\/db, tenant-acme\/web, tenant-globex\/app, tenant-globex\/worker/,
    );
  });

  it("takes --policy-config over the plan's, in either config format", async () => {
    const config = plan.policyConfig;
    delete plan.policyConfig;
    const file = write("plan.json", plan);
    // Without facts the rules fail closed.
    assert.strictEqual((await policyCli("--plan", file)).status, 1);
    assert.strictEqual((await policyCli("--plan", file, "--policy-config", write("plain.json", config))).status, 0);
    const pack = policyPackConfig(config as Parameters<typeof policyPackConfig>[0]);
    assert.strictEqual((await policyCli("--plan", file, "--policy-config", write("pack.json", pack))).status, 0);
  });

  it("exits 2 on unreadable input or usage", async () => {
    const cases: [string[], RegExp][] = [
      [["--plan", path.join(dir, "missing.json")], /cannot read .*missing\.json: ENOENT/],
      [["--plan", write("bad.json", "{not json")], /cannot read .*bad\.json: .*JSON/],
      [["--plan", write("nolist.json", { resources: {} })], /"resources" is not a list/],
      [
        ["--plan", write("noname.json", { resources: [{ type: "x", inputs: {} }] })],
        /resources\[0\] needs a string "type", a string "name"/,
      ],
      [
        ["--plan", write("p.json", plan), "--policy-config", write("badconfig.json", { network: { nodeCidrs: ["nope"] } })],
        /\/network\/nodeCidrs\/0 must match pattern/,
      ],
      [
        ["--plan", write("p.json", plan), "--policy-config", write("typo.json", { ...(plan.policyConfig as object), netwrok: {} })],
        /unknown keys "netwrok"/,
      ],
      [[], /--plan is required/],
      [["--plan"], /argument missing|requires an argument|--plan/],
      [["--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, stderr] of cases) {
      const run = await policyCli(...args);
      assert.strictEqual(run.status, 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, stderr);
    }
  });

  it("documents its flags under --help", async () => {
    const run = await policyCli("--help");
    assert.strictEqual(run.status, 0);
    for (const flag of [
      "--plan FILE",
      "--policy-config FILE",
      "--explain KEY",
      "exit codes: 0",
      "1 a mandatory violation",
      "2 unreadable input",
    ])
      assert.ok(run.stdout.includes(flag), flag);
  });
});
