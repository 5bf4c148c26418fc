import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { readStackFile } from "../../lib/config/load";
import { PLATFORM_FACTS_OUTPUT, type PlatformFacts } from "../../lib/config/platform-facts";
import { captureProgram } from "../../lib/plan/capture";
import { PlatformOutputsError, type StackOutputs } from "../../lib/plan/platform-outputs";
import { EXIT, referencedOutputs, runPlan, validateStage } from "../../lib/plan/run";
import { evaluatePolicies, policyConfigFromStackConfig } from "../../lib/policy";
import { REPO_ROOT } from "../../lib/stack-file";
import { tenantnet } from "../../program";
import { main as planMain } from "../../scripts/plan";
import { runCli } from "../fixtures/cli";
import { KINDS, PULUMI_TYPES } from "../../lib/k8s/kinds";

type Flat = Record<string, any>;

const PLATFORM_STACK = "organization/tenantnet/dev";

function stackFile(stack: string): Flat {
  return readStackFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
}

describe("platformFacts: the platform stack owns the facts, tenant stacks read them", function () {
  let dir: string;
  let devOutputs: Record<string, unknown>;
  let facts: PlatformFacts;
  const acmeOutputs = (): StackOutputs => ({ [PLATFORM_STACK]: structuredClone(devOutputs) });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-facts-"));
    const dev = await runPlan({ program: tenantnet, stack: "dev", config: stackFile("dev"), outDir: path.join(dir, "dev") });
    assert.equal(dev.exitCode, EXIT.clean, dev.report);
    devOutputs = dev.plan!.outputs;
    facts = devOutputs[PLATFORM_FACTS_OUTPUT] as PlatformFacts;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the dev plan's outputs.platformFacts carry schemaVersion, the network, the catalog and every tenant's registration", () => {
    const written = JSON.parse(fs.readFileSync(path.join(dir, "dev", "plan.json"), "utf8"));
    assert.deepEqual(written.outputs.platformFacts, facts, "plan.json holds the outputs as the program returned them");
    const config = stackFile("dev");
    assert.equal(facts.schemaVersion, 1);
    assert.equal(facts.stack, "dev");
    assert.deepEqual(facts.network, config["tenantnet:platform"].network);
    assert.deepEqual(facts.underlay, { backend: "calico" });
    assert.deepEqual(facts.services, config["tenantnet:services"]);
    assert.deepEqual(Object.keys(facts.tenants), ["acme", "globex"]);
    assert.deepEqual(facts.tenants.acme, {
      namespace: "tenant-acme",
      underlayBlock: "10.199.3.0/27",
      services: ["oss", "dns", "mirror"],
      kubeOvnAttachment: "tenant",
      underlayIngress: [{ cidrs: ["10.50.0.100/32"], ports: ["22/TCP"] }],
      eips: ["203.0.113.64", "203.0.113.65"],
    });
    assert.deepEqual(facts.externalNetwork, {
      name: "tn-external",
      gatewayNodes: { "tenantnet.io/nat-gateway": "true" },
      ...config["tenantnet:platform"].externalNetwork,
    });
    assert.deepEqual(facts.tenants.globex, {
      namespace: "tenant-globex",
      underlayBlock: "10.199.3.32/27",
      services: ["oss", "mirror"],
      kubeOvnAttachment: "tenant",
      underlayIngress: [],
      eips: [],
    });
  });

  it("round-trips exactly through the mock StackReference, as the engine answers it", async () => {
    const read: Record<string, unknown> = {};
    await captureProgram({
      project: "tenantnet",
      stack: "acme",
      config: {},
      stackOutputs: acmeOutputs(),
      program: async () => {
        const reference = new pulumi.StackReference("platform-facts", { name: PLATFORM_STACK });
        read.value = await reference.getOutputValue(PLATFORM_FACTS_OUTPUT);
        read.details = await reference.getOutputDetails(PLATFORM_FACTS_OUTPUT);
        read.name = await new Promise((resolve) => reference.name.apply(resolve));
        read.missing = await reference.getOutputValue("noSuchOutput");
        return {};
      },
    });
    assert.deepStrictEqual(read.value, facts);
    assert.deepStrictEqual(read.details, { value: facts }, "not a secret: secretOutputNames is empty");
    assert.equal(read.name, PLATFORM_STACK);
    assert.equal(read.missing, undefined);
  });

  it("a reference to a stack the offline run was not given fails the read, naming the stack", async () => {
    await assert.rejects(
      captureProgram({
        project: "tenantnet",
        stack: "acme",
        config: {},
        stackOutputs: {},
        program: () => new pulumi.StackReference("r", { name: "o/p/elsewhere" }).getOutputValue("x"),
      }),
      /stack reference o\/p\/elsewhere: no outputs of that stack were given/,
    );
  });

  it("the shipped tenant-only stack repeats no platform fact and plans clean against the dev facts, judged by the platform's facts only", async () => {
    const acme = stackFile("acme");
    assert.deepEqual(Object.keys(acme).sort(), ["tenantnet:platformStack", "tenantnet:tenants"]);
    assert.deepEqual(Object.keys(acme["tenantnet:tenants"].acme).sort(), ["dns", "natGateway", "securityGroup", "vms", "vpc"]);
    const outcome = await runPlan({
      program: tenantnet,
      stack: "acme",
      config: acme,
      outDir: path.join(dir, "acme"),
      stackOutputs: acmeOutputs(),
    });
    assert.equal(outcome.exitCode, EXIT.clean, outcome.report);
    const policyConfig = outcome.plan!.policyConfig as ReturnType<typeof policyConfigFromStackConfig>;
    assert.deepEqual(
      policyConfig.services,
      Object.fromEntries(Object.entries(facts.services).map(([name, { cidrs, ports }]) => [name, { cidrs, ports }])),
    );
    assert.deepEqual(policyConfig.tenants!.acme, {
      namespace: "tenant-acme",
      underlayBlock: "10.199.3.0/27",
      services: ["oss", "dns", "mirror"],
      vms: {},
      eips: ["203.0.113.64", "203.0.113.65"],
      // The ingress sources the underlay-ingress rule holds acme's VMs to come from the platform too.
      underlayIngress: [{ cidrs: ["10.50.0.100/32"], ports: ["22/TCP"] }],
    });
    assert.deepEqual(outcome.plan!.outputs.platformFacts, undefined, "only the platform stack exports facts");
  });

  describe("a tenant-only stack that tries to widen a fact exits 2 naming the key, and writes nothing", () => {
    const cases: [string, (acme: Flat) => void, string, RegExp][] = [
      [
        "adds a catalog entry",
        (c) => (c["tenantnet:services"] = { everything: { cidrs: ["10.50.0.0/16"], ports: ["443/TCP"] } }),
        "services",
        /owned by the platform stack organization\/tenantnet\/dev: a tenant stack reads the service catalog from its platformFacts/,
      ],
      [
        "widens its tenant's grant",
        (c) => (c["tenantnet:tenants"].acme.services = ["oss", "dns", "mirror", "everything"]),
        "tenants.acme.services",
        /owned by the platform stack .*tenant acme's services \(\["oss","dns","mirror"\]\)/,
      ],
      [
        "grants a VM a service its tenant lacks",
        (c) => (c["tenantnet:tenants"].acme.vms.web.services = ["oss", "everything"]),
        "tenants.acme.vms.web.services[1]",
        /"everything" is not granted to tenant acme/,
      ],
      [
        "sets its own underlay block",
        (c) => (c["tenantnet:tenants"].acme.underlayBlock = "10.199.3.0/24"),
        "tenants.acme.underlayBlock",
        /owned by the platform stack .*"10\.199\.3\.0\/27"/,
      ],
      [
        "claims another tenant's block",
        (c) => (c["tenantnet:tenants"].acme.underlayBlock = "10.199.3.32/27"),
        "tenants.acme.underlayBlock",
        /owned by the platform stack/,
      ],
      [
        "sets its own underlay ingress",
        (c) => (c["tenantnet:tenants"].acme.underlayIngress = [{ cidrs: ["0.0.0.0/0"], ports: ["22/TCP"] }]),
        "tenants.acme.underlayIngress",
        /owned by the platform stack/,
      ],
      [
        "moves its namespace",
        (c) => (c["tenantnet:tenants"].acme.namespace = "tenant-globex"),
        "tenants.acme.namespace",
        /owned by the platform stack/,
      ],
      [
        "restates the network",
        (c) => (c["tenantnet:platform"] = { install: false, network: { podCidr: "10.0.0.0/8" } }),
        "platform.network",
        /owned by the platform stack .*platform\.network/,
      ],
      ["installs the platform", (c) => (c["tenantnet:platform"] = { install: true }), "platform.install", /does not install the platform/],
      [
        "registers a tenant the platform does not",
        (c) => (c["tenantnet:tenants"].initech = { vpc: { cidr: "10.0.2.0/24" } }),
        "tenants.initech",
        /not registered by the platform stack organization\/tenantnet\/dev \(it registers: acme, globex\)/,
      ],
      [
        "pins an underlay address outside its block",
        (c) => (c["tenantnet:tenants"].acme.vms.web.underlayIp = "10.199.3.40"),
        "tenants.acme.vms.web.underlayIp",
        /10\.199\.3\.40 is outside underlayBlock 10\.199\.3\.0\/27/,
      ],
      ["omits its VPC", (c) => delete c["tenantnet:tenants"].acme.vpc, "tenants.acme.vpc", /a tenant stack declares its tenant's VPC/],
    ];
    for (const [what, mutate, key, message] of cases) {
      it(what, async () => {
        const acme = structuredClone(stackFile("acme"));
        mutate(acme);
        const outDir = path.join(dir, "widened");
        const outcome = await runPlan({ program: tenantnet, stack: "acme", config: acme, outDir, stackOutputs: acmeOutputs() });
        assert.equal(outcome.exitCode, EXIT.invalidConfig, outcome.report);
        const line = outcome.report.split("\n").find((l) => l.startsWith(`  ${key}: `));
        assert.ok(line, `no problem at ${key} in:\n${outcome.report}`);
        assert.match(line, message);
        assert.ok(!fs.existsSync(outDir), "nothing is written");
      });
    }
  });

  it("a stack with platform.install false must name its platform stack", () => {
    const flat: Flat = { ...stackFile("acme"), "tenantnet:platform": { install: false } };
    delete flat["tenantnet:platformStack"];
    assert.throws(() => validateStage("acme", flat), /platformStack: required key tenantnet:platformStack is missing/);
    assert.throws(
      () => validateStage("acme", { ...flat, "tenantnet:platformStack": "dev" }),
      /platformStack: "dev" is not a stack reference \(expected org\/project\/stack/,
    );
  });

  it("refuses facts of another schemaVersion, and facts that do not parse, with their paths", () => {
    const wrongVersion = { [PLATFORM_STACK]: { platformFacts: { ...facts, schemaVersion: 2 } } };
    assert.throws(
      () => validateStage("acme", stackFile("acme"), wrongVersion),
      /platformFacts\(organization\/tenantnet\/dev\)\.schemaVersion: 2 is not a platformFacts schemaVersion this tenantnet reads \(it reads 1\)/,
    );
    const broken = { [PLATFORM_STACK]: { platformFacts: { ...facts, network: { ...facts.network, podCidr: "10.199.0.0" } } } };
    assert.throws(
      () => validateStage("acme", stackFile("acme"), broken),
      /platformFacts\(organization\/tenantnet\/dev\)\.network\.podCidr: /,
    );
  });

  it("a platform stack may register a tenant whose resources its own stack declares", async () => {
    const platform = structuredClone(stackFile("dev"));
    platform["tenantnet:tenants"].initech = { underlayBlock: "10.199.3.64/27", services: ["oss"] };
    const planned = await runPlan({ program: tenantnet, stack: "dev", config: platform, outDir: path.join(dir, "dev-initech") });
    assert.equal(planned.exitCode, EXIT.clean, planned.report);
    assert.deepEqual(
      planned.plan!.resources.filter((r) => r.type === PULUMI_TYPES.tenant).map((r) => r.name),
      ["acme", "globex"],
      "only registered here",
    );
    const registered = planned.plan!.outputs.platformFacts as PlatformFacts;
    assert.equal(registered.tenants.initech.namespace, "tenant-initech");

    const initech = {
      "tenantnet:platformStack": PLATFORM_STACK,
      "tenantnet:tenants": {
        initech: {
          vpc: { cidr: "10.0.1.0/24" },
          vms: {
            a: {
              guest: "debian",
              image: "quay.io/containerdisks/debian:12",
              underlayIp: "10.199.3.65",
              vpcIp: "10.0.1.2",
              services: ["oss"],
            },
          },
        },
      },
    };
    const tenant = await runPlan({
      program: tenantnet,
      stack: "initech",
      config: initech,
      outDir: path.join(dir, "initech"),
      stackOutputs: { [PLATFORM_STACK]: planned.plan!.outputs },
    });
    assert.equal(tenant.exitCode, EXIT.clean, tenant.report);
    assert.ok(tenant.plan!.resources.some((r) => r.type === KINDS.virtualMachine.type));

    platform["tenantnet:tenants"].initech.vms = { a: { guest: "debian", image: "x" } };
    const declaredWithoutVpc = await runPlan({ program: tenantnet, stack: "dev", config: platform, outDir: path.join(dir, "dev-bad") });
    assert.equal(declaredWithoutVpc.exitCode, EXIT.invalidConfig);
    assert.match(
      declaredWithoutVpc.report,
      /tenants\.initech\.vpc: required to declare VMs, a security group, a NAT gateway or DNS for tenant initech in this stack/,
    );
  });

  it("a tenant stack judged without platform facts fails closed, saying how to provide them", async () => {
    const planned = await runPlan({
      program: tenantnet,
      stack: "acme",
      config: stackFile("acme"),
      outDir: path.join(dir, "acme-judged"),
      stackOutputs: acmeOutputs(),
    });
    const resources = planned.plan!.resources;
    const mandatory = evaluatePolicies(resources, {}).filter((v) => v.level === "mandatory");
    assert.ok(mandatory.length > 0, "no facts, no pass");
    assert.ok(
      mandatory.some((v) => v.message.includes("npm run policy:config -- --stack <tenant stack> --platform-plan")),
      mandatory.map((v) => v.message).join("\n"),
    );
  });

  describe("where the offline run takes a tenant stack's platform outputs from", () => {
    it("a plan.json must be the plan of the referenced stack, with outputs", async () => {
      const wrong = path.join(dir, "wrong.json");
      fs.writeFileSync(wrong, JSON.stringify({ stack: "staging", outputs: {} }));
      await assert.rejects(
        referencedOutputs(tenantnet, stackFile("acme"), { platformPlan: wrong }),
        (e: Error) =>
          e instanceof PlatformOutputsError &&
          /is the plan of stack "staging", but tenantnet:platformStack names organization\/tenantnet\/dev/.test(e.message),
      );
      const old = path.join(dir, "old.json");
      fs.writeFileSync(old, JSON.stringify({ stack: "dev", resources: [] }));
      await assert.rejects(
        referencedOutputs(tenantnet, stackFile("acme"), { platformPlan: old }),
        /has no "outputs"; plan the platform stack again/,
      );
    });

    it("with no flag and no platform stack file in the repository, says which flag is missing", async () => {
      const elsewhere = { ...stackFile("acme"), "tenantnet:platformStack": "org/tenantnet/prod" };
      await assert.rejects(
        referencedOutputs(tenantnet, elsewhere),
        /the repository has no Pulumi\.prod\.yaml to plan it from: pass --platform-plan PLAN, .* or --facts FILE/,
      );
    });

    it("a platform stack is given no facts", async () => {
      await assert.rejects(
        referencedOutputs(tenantnet, stackFile("dev"), { platformPlan: "x.json" }),
        /--platform-plan is for tenant-only stacks/,
      );
    });
  });

  it("npm run plan -- --stack acme plans the platform stack's file first; --platform-plan and --facts answer it too", async () => {
    const run = (...args: string[]) => runCli(planMain, ...args);
    const auto = await run("--stack", "acme", "--out", path.join(dir, "cli-acme"));
    assert.equal(auto.status, 0, auto.stderr + auto.stdout);
    assert.match(auto.stdout, /^stack acme: \d+ resources/);
    const fromPlan = await run(
      "--stack",
      "acme",
      "--platform-plan",
      path.join(dir, "dev", "plan.json"),
      "--out",
      path.join(dir, "cli-acme-2"),
    );
    assert.equal(fromPlan.status, 0, fromPlan.stderr);
    const factsFile = path.join(dir, "facts.json");
    fs.writeFileSync(factsFile, JSON.stringify(facts));
    const widened = structuredClone(stackFile("acme"));
    widened["tenantnet:services"] = { everything: { cidrs: ["10.50.0.0/16"], ports: ["443/TCP", "8443/TCP"] } };
    const file = path.join(dir, "Pulumi.acme.yaml");
    fs.writeFileSync(file, stringify({ config: widened }));
    const refused = await run("--config", file, "--facts", factsFile, "--out", path.join(dir, "cli-widened"));
    assert.equal(refused.status, 2, refused.stdout);
    assert.match(refused.stderr, /^ {2}services: owned by the platform stack organization\/tenantnet\/dev/m);
  });
});
