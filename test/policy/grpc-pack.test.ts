/**
 * The real pack over gRPC, as the Pulumi engine drives it: `policy/` is started the way the CLI's
 * nodejs language host starts a policy pack (pulumi/pulumi@v3.248.0
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin: `node @pulumi/pulumi/cmd/run-policy-pack
 * <engine address> <pack dir>`, compiled by the SDK's ts-node with policy/tsconfig.json), prints
 * its port, and this test plays the engine with the SDK's own generated analyzer client (analyzer_grpc_pb): GetAnalyzerInfo,
 * Configure with the generated pack config, Analyze per resource (resource policies, before the
 * engine applies it) and AnalyzeStack (stack policies). One child process for the whole file.
 */
import * as assert from "assert";
import { spawn, type ChildProcess } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { CapturedResource } from "../../lib/plan/capture";
import { evaluatePolicies, isResourceRule, policyPackConfig, RULES, type PolicyConfig } from "../../lib/policy";
import { REPO_ROOT } from "../../lib/stack-file";
import { at, devStack, named } from "../fixtures/policy";

// The generated client checks messages with instanceof: take grpc-js and protobuf from where they load theirs.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"));
const grpc = sdkRequire("@grpc/grpc-js") as typeof GrpcJs;
const { Struct } = sdkRequire("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;
const { Empty } = sdkRequire("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb;

/** The pack ignores the engine address (run-policy-pack drops it); the host passes one, so do we. */
const ENGINE_ADDRESS = "127.0.0.1:1";
const { MANDATORY, ADVISORY } = analyzer.EnforcementLevel;

interface Diagnostic {
  policy: string;
  level: analyzer.EnforcementLevel;
  message: string;
  urn: string;
}

/**
 * The diagnostics of a response. A violation's message comes after the policy's description and a
 * newline (pulumi-policy@v1.21.0 server.ts makeReportViolationFun); CrossGuard's own "can't run
 * policy" notes have no such prefix.
 */
function diagnosticsOf(response: analyzer.AnalyzeResponse): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => {
    const prefix = `${d.getDescription()}\n`;
    const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
    return { policy: d.getPolicyname(), level: d.getEnforcementlevel(), message, urn: d.getUrn() };
  });
}

/** Resources go over the wire as google.protobuf.Struct, i.e. JSON: undefined members are dropped. */
function struct(value: object): StructPb.Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function options(): analyzer.AnalyzerResourceOptions {
  // The server reads options of every resource (an older CLI that sends none is refused).
  return new analyzer.AnalyzerResourceOptions();
}

/** Starts the pack as the CLI's nodejs host does: `node run-policy-pack <engine address> <pack dir>`, in the pack's directory. */
function startPack(): ChildProcess {
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  return spawn(process.execPath, [runPolicyPack, ENGINE_ADDRESS, "."], {
    cwd: path.join(REPO_ROOT, "policy"),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The port the pack prints on its first line; rejects with its stderr if it exits first. */
function portOf(pack: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    pack.stderr!.on("data", (chunk) => (stderr += chunk));
    pack.stdout!.on("data", (chunk) => {
      stdout += chunk;
      if (!stdout.includes("\n")) return;
      const line = stdout.split("\n")[0].trim();
      const port = Number(line);
      if (Number.isInteger(port) && port > 0) resolve(port);
      else reject(new Error(`the pack printed ${JSON.stringify(line)}, not a port; stderr:\n${stderr}`));
    });
    pack.on("exit", (code) => reject(new Error(`the pack exited with ${code} before printing its port; stderr:\n${stderr}`)));
    pack.on("error", reject);
  });
}

function call<Req, Res>(
  method: (req: Req, callback: (error: GrpcJs.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => method(req, (error, res) => (error ? reject(error) : resolve(res))));
}

describe("policy pack over gRPC (policy/ started as the Pulumi CLI starts it)", function () {
  // The first start compiles policy/ and ../lib with the SDK's TypeScript runner (seconds, cold).
  this.timeout(120_000);

  let child: ChildProcess | undefined;
  let client: AnalyzerClient;
  let info: analyzer.AnalyzerInfo;
  let resources: CapturedResource[];
  let config: PolicyConfig;

  before(async () => {
    ({ resources, config } = await devStack());
    child = startPack();
    client = new AnalyzerClient(`127.0.0.1:${await portOf(child)}`, grpc.credentials.createInsecure());
    info = await call<EmptyPb.Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    // What the CLI sends from `--policy-pack-config` (npm run policy:config): each policy's own entry.
    const packConfig = policyPackConfig(config);
    const configure = new analyzer.ConfigureAnalyzerRequest();
    for (const policy of info.getPoliciesList()) {
      const entry = new analyzer.PolicyConfig();
      entry.setEnforcementlevel(policy.getEnforcementlevel());
      entry.setProperties(struct(packConfig[policy.getName()] ?? {}));
      configure.getPolicyconfigMap().set(policy.getName(), entry);
    }
    await call<analyzer.ConfigureAnalyzerRequest, EmptyPb.Empty>(client.configure.bind(client), configure);
  });

  after(async () => {
    client?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill();
      await exited;
    }
  });

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  function analyze(resource: CapturedResource): Promise<Diagnostic[]> {
    const req = new analyzer.AnalyzeRequest();
    req.setType(resource.type);
    req.setName(resource.name);
    req.setUrn(resource.urn);
    req.setProperties(struct(resource.inputs));
    req.setOptions(options());
    return call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(client.analyze.bind(client), req).then(diagnosticsOf);
  }

  function analyzeStack(all: CapturedResource[]): Promise<Diagnostic[]> {
    const req = new analyzer.AnalyzeStackRequest();
    for (const resource of all) {
      const r = new analyzer.AnalyzerResource();
      r.setType(resource.type);
      r.setName(resource.name);
      r.setUrn(resource.urn);
      r.setProperties(struct(resource.inputs));
      r.setOptions(options());
      req.addResources(r);
    }
    return call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(client.analyzeStack.bind(client), req).then(diagnosticsOf);
  }

  it("serves every rule of RULES, in order, at its level, as a resource or stack policy", () => {
    const { POLICY_TYPE_RESOURCE, POLICY_TYPE_STACK } = analyzer.PolicyType;
    assert.strictEqual(info.getName(), "tenantnet-guard");
    assert.deepStrictEqual(
      info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel(), p.getPolicyType()]),
      RULES.map((r) => [
        r.name,
        r.level === "mandatory" ? MANDATORY : ADVISORY,
        isResourceRule(r) ? POLICY_TYPE_RESOURCE : POLICY_TYPE_STACK,
      ]),
    );
  });

  it("refuses a Calico NAD with a default route, or an unknown config, when the engine registers it", async () => {
    const nad = named(resources, "platform-nad-calico");
    assert.deepStrictEqual(await analyze(nad), []);
    const conf = JSON.parse(at(nad, "spec").config);
    conf.plugins[1].routes.push({ dst: "0.0.0.0/0" });
    at(nad, "spec").config = JSON.stringify(conf);
    // Two resource policies judge it: the routes, and the NAD at the platform's ref not being what the platform renders.
    const offline = evaluatePolicies(resources, config).filter((v) => v.resource === nad.name);
    assert.deepStrictEqual(
      offline.map((v) => v.policy),
      ["nad-config", "calico-nad-routes"],
      JSON.stringify(offline),
    );
    assert.deepStrictEqual(
      await analyze(nad),
      offline.map((v) => ({ policy: v.policy, level: MANDATORY, message: v.message, urn: "" })),
    );
    // A CNI config the engine does not know yet is refused before apply too, not skipped (nad-config
    // also refuses the "(unknown during preview)" marker it reads instead: no config it can read is the platform's).
    at(nad, "spec").config = unknownValue;
    const reports = await analyze(nad);
    assert.ok(reports.every((d) => d.level === MANDATORY));
    assert.deepStrictEqual(
      reports
        .filter((d) => d.message.includes(`: ${d.policy} reads this value`))
        .map((d) => [d.policy, d.message.split(`: ${d.policy} reads this value`)[0]]),
      ["nad-config", "calico-nad-routes"].map((policy) => [
        policy,
        'NetworkAttachmentDefinition default/calico: spec.config = "(unknown during preview)"',
      ]),
    );
  });

  it("finds nothing in the dev plan", async () => {
    assert.deepStrictEqual(await analyzeStack(resources), []);
  });

  it("refuses an allow whose egress nets are unknown during preview with a mandatory violation, not a skipped policy", async () => {
    const policy = named(resources, "acme/web/underlay-policy");
    // The engine sends an output not known yet as this sentinel (@pulumi/pulumi runtime/rpc.js unknownValue).
    at(policy, "spec").egress = [{ action: "Allow", protocol: "TCP", destination: { nets: [unknownValue], ports: [443] } }];
    const diagnostics = await analyzeStack(resources);
    assert.deepStrictEqual(
      diagnostics.filter((d) => d.message.includes("can't run policy")),
      [],
    );
    const unknown = diagnostics.filter((d) => d.policy === "underlay-egress-catalog" && d.message.includes("reads this value"));
    assert.deepStrictEqual(
      unknown.map((d) => [d.level, d.urn]),
      [[MANDATORY, policy.urn]],
      JSON.stringify(diagnostics),
    );
    assert.ok(
      unknown[0].message.startsWith(
        'NetworkPolicy tenant-acme/underlay-web: spec.egress[0].destination.nets[0] = "(unknown during preview)"',
      ),
      unknown[0].message,
    );
    assert.ok(
      diagnostics.every((d) => d.urn === policy.urn),
      JSON.stringify(diagnostics),
    );
  });
});
