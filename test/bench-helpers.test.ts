import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { floorShape, registerFloor, type FloorNode } from "../bench/floor";
import { summarizeProfile, type CpuProfile } from "../bench/profile";
import { evaluateTargets, marginalRssPerVmKb, sizeResult, stageExponents, textTable } from "../bench/report";
import { fitPowerLaw, linearFit, median, quantile, spread } from "../bench/stats";
import { flatConfig, parseSize, parseSizes, syntheticConfig, SYNTHETIC_NETWORK, type BenchSize } from "../bench/synthetic-config";
import type { PassResult, StageSample } from "../bench/types";
import { rawConfigFromFlat } from "../lib/config/load";
import { validateStackConfig } from "../lib/config/validate";
import { containsIp, parseCidr } from "../lib/cidr";
import { captureProgram, type CapturedResource } from "../lib/plan/capture";

describe("bench statistics", () => {
  it("takes the median of odd and even counts without relying on input order", () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it("interpolates quantiles between ranks and reports the spread", () => {
    const samples = [9, 2, 7, 1, 8, 3, 6, 4, 5];
    assert.equal(quantile(samples, 0.25), 3);
    assert.equal(quantile([10, 20], 0.25), 12.5);
    assert.deepEqual(spread(samples), { n: 9, median: 5, min: 1, max: 9, q1: 3, q3: 7, iqr: 4 });
  });

  it("refuses empty or non-finite samples instead of reporting NaN", () => {
    assert.throws(() => median([]), /no samples/);
    assert.throws(() => spread([1, Number.NaN]), /finite/);
    assert.throws(() => quantile([1], 1.5), /outside 0\.\.1/);
  });

  it("recovers slope, intercept and a perfect r2 from points on a line", () => {
    const fit = linearFit([1, 2, 3, 4].map((x) => ({ x, y: 3 + 2 * x })));
    assert.ok(Math.abs(fit.slope - 2) < 1e-12);
    assert.ok(Math.abs(fit.intercept - 3) < 1e-12);
    assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
  });

  it("fits the exponent of power-law data: linear, quadratic and sub-linear stages", () => {
    const vms = [100, 500, 2000];
    for (const exponent of [1, 2, 0.5, 1.15]) {
      const fit = fitPowerLaw(vms.map((x) => ({ x, y: 0.04 * x ** exponent })));
      assert.ok(Math.abs(fit.exponent - exponent) < 1e-9, `exponent ${exponent} came back as ${fit.exponent}`);
      assert.ok(Math.abs(fit.coefficient - 0.04) < 1e-9);
      assert.ok(Math.abs(fit.r2 - 1) < 1e-9);
    }
  });

  it("fits the trend through noisy timings and says the fit is imperfect", () => {
    // y = 2x^1.3 with +-5% multiplicative noise.
    const points = [100, 200, 500, 1000, 2000].map((x, i) => ({ x, y: 2 * x ** 1.3 * [1.05, 0.95, 1.03, 0.97, 1.0][i] }));
    const fit = fitPowerLaw(points);
    assert.ok(Math.abs(fit.exponent - 1.3) < 0.03, `got ${fit.exponent}`);
    assert.ok(fit.r2 < 1 && fit.r2 > 0.99);
  });

  it("cannot fit a scaling exponent from a single size or non-positive times", () => {
    assert.throws(() => fitPowerLaw([{ x: 100, y: 5 }, { x: 100, y: 6 }]), /two or more distinct x/);
    assert.throws(() => fitPowerLaw([{ x: 100, y: 0 }, { x: 200, y: 1 }]), /positive/);
  });
});

describe("synthetic stack configs", () => {
  function validated(size: BenchSize) {
    const { raw, problems } = rawConfigFromFlat(flatConfig(syntheticConfig(size)));
    assert.deepEqual(problems, []);
    const result = validateStackConfig(raw, "bench");
    if (!result.ok) assert.fail(`synthetic ${size.tenants}x${size.vmsPerTenant} is invalid:\n${result.problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`).join("\n")}`);
    return result.config;
  }

  it("parses sizes as TENANTSxVMS and rejects anything else", () => {
    assert.deepEqual(parseSize("25x20"), { tenants: 25, vmsPerTenant: 20 });
    assert.deepEqual(parseSizes("10x10, 100x20"), [{ tenants: 10, vmsPerTenant: 10 }, { tenants: 100, vmsPerTenant: 20 }]);
    assert.throws(() => parseSize("25*20"), /TENANTSxVMS/);
    assert.throws(() => parseSize("0x20"), /at least one tenant/);
  });

  for (const size of [{ tenants: 7, vmsPerTenant: 13 }, { tenants: 100, vmsPerTenant: 20 }, { tenants: 3, vmsPerTenant: 40 }]) {
    it(`${size.tenants}x${size.vmsPerTenant} passes validateStackConfig with that many tenants and VMs`, () => {
      const config = validated(size);
      assert.equal(config.tenants.length, size.tenants);
      for (const tenant of config.tenants) assert.equal(tenant.vms.length, size.vmsPerTenant, tenant.name);
      assert.equal(config.tenants.flatMap((t) => t.vms).length, size.tenants * size.vmsPerTenant);
    });
  }

  it("pins every VM to an underlay IP unique in the stack, inside its tenant's block and the reservation", () => {
    const config = validated({ tenants: 30, vmsPerTenant: 20 });
    const reservation = parseCidr(SYNTHETIC_NETWORK.vmReservation);
    const seen = new Set<string>();
    for (const tenant of config.tenants) {
      const block = parseCidr(tenant.underlayBlock);
      assert.ok(reservation.start <= block.start && block.end <= reservation.end, `${tenant.underlayBlock} outside the reservation`);
      for (const vm of tenant.vms) {
        assert.ok(containsIp(block, vm.underlayIp), `${vm.underlayIp} outside ${tenant.underlayBlock}`);
        assert.ok(!seen.has(vm.underlayIp), `underlay IP ${vm.underlayIp} used twice`);
        seen.add(vm.underlayIp);
      }
    }
    assert.equal(seen.size, 600);
  });

  it("gives VPC IPs unique within a tenant while tenants' VPCs overlap", () => {
    const config = validated({ tenants: 8, vmsPerTenant: 20 });
    for (const tenant of config.tenants) {
      const vpcIps = tenant.vms.map((vm) => vm.vpcIp);
      assert.equal(new Set(vpcIps).size, vpcIps.length, tenant.name);
      assert.ok(!vpcIps.includes(tenant.vpc.gateway), `${tenant.name} hands out its gateway`);
    }
    const cidrs = config.tenants.map((t) => t.vpc.cidr);
    assert.ok(new Set(cidrs).size < cidrs.length, "some tenants should share a VPC CIDR");
  });

  it("mixes guests, narrowed grants, MACs, bandwidth and security-group rules", () => {
    const config = validated({ tenants: 10, vmsPerTenant: 10 });
    const vms = config.tenants.flatMap((t) => t.vms.map((vm) => ({ tenant: t, vm })));
    assert.deepEqual(new Set(vms.map(({ vm }) => vm.guest)), new Set(["ubuntu", "debian", "fedora", "centos7"]));
    assert.ok(vms.some(({ vm }) => vm.macs?.underlay && vm.macs.vpc));
    assert.ok(vms.some(({ vm }) => vm.bandwidth?.ingressMbps));
    assert.ok(vms.some(({ tenant, vm }) => vm.services.length < tenant.services.length), "some VMs narrow their tenant's grants");
    assert.ok(new Set(config.tenants.map((t) => t.services.join(","))).size > 1, "tenants get different grants");
    assert.ok(config.tenants.some((t) => t.securityGroup.ingressRules.length > 0));
    const macs = vms.flatMap(({ vm }) => [vm.macs?.underlay, vm.macs?.vpc]).filter(Boolean);
    assert.equal(new Set(macs).size, macs.length, "MACs are unique");
  });

  it("widens the underlay block when a tenant has more VMs than a /27 holds", () => {
    const config = validated({ tenants: 2, vmsPerTenant: 40 });
    assert.deepEqual(config.tenants.map((t) => t.underlayBlock), ["10.130.0.0/26", "10.130.0.64/26"]);
  });

  it("refuses sizes whose blocks or VPC addresses cannot fit", () => {
    assert.doesNotThrow(() => syntheticConfig({ tenants: 2048, vmsPerTenant: 1 }));
    assert.throws(() => syntheticConfig({ tenants: 2049, vmsPerTenant: 1 }), /do not fit/);
    assert.throws(() => syntheticConfig({ tenants: 1, vmsPerTenant: 246 }), /do not fit a \/24 VPC/);
  });

  it("is deterministic, so runs and machines compare the same stack", () => {
    assert.deepEqual(syntheticConfig({ tenants: 5, vmsPerTenant: 6 }), syntheticConfig({ tenants: 5, vmsPerTenant: 6 }));
  });
});

function captured(name: string, custom: boolean, parent?: string): CapturedResource {
  return { urn: `urn:${name}`, type: custom ? "kubernetes:v1:Thing" : "test:index:Group", name, parent, dependsOn: [], custom, inputs: {} };
}

/**
 * The tree as text, independent of registration order (which follows async input resolution):
 * C = custom, K = component, children sorted.
 */
function canonicalTree(shape: readonly FloorNode[]): string {
  const children = new Map<number | undefined, number[]>();
  shape.forEach((node, index) => children.set(node.parent, [...(children.get(node.parent) ?? []), index]));
  const render = (index: number): string => `${shape[index].custom ? "C" : "K"}(${(children.get(index) ?? []).map(render).sort().join(",")})`;
  return (children.get(undefined) ?? []).map(render).sort().join(",");
}

class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Group", name, {}, opts);
  }
}

/** A small tree like the real program's: nested components, custom resources at several depths. */
function sampleProgram(): void {
  const top = new Group("platform");
  const part = new Group("platform-calico", { parent: top });
  new k8s.core.v1.ConfigMap("cm", { metadata: { name: "cm" }, data: { a: "b" } }, { parent: part });
  new k8s.core.v1.Namespace("ns", { metadata: { name: "ns" } }, { parent: top });
  const tenant = new Group("acme");
  new k8s.core.v1.Namespace("acme", { metadata: { name: "acme" } }, { parent: tenant });
  const vm = new Group("acme/vm", { parent: tenant });
  new k8s.core.v1.ConfigMap("acme/vm", { metadata: { name: "vm" } }, { parent: vm });
}

describe("bench floor", () => {
  it("turns captured resources into parent links by index", () => {
    const shape = floorShape([captured("platform", false), captured("ns", true, "platform"), captured("acme", false), captured("acme", true, "acme"), captured("vm", true, "acme")]);
    const group = "test:index:Group";
    const thing = "kubernetes:v1:Thing";
    assert.deepEqual(shape, [
      { type: group, custom: false },
      { type: thing, custom: true, parent: 0 },
      { type: group, custom: false },
      { type: thing, custom: true, parent: 2 },
      // A custom resource named like the component does not steal its children.
      { type: thing, custom: true, parent: 2 },
    ]);
  });

  it("keeps the captured inputs only when asked to", () => {
    const resource = { ...captured("ns", true), inputs: { metadata: { name: "ns" } } };
    assert.equal(floorShape([resource])[0].inputs, undefined);
    assert.equal(floorShape([resource], { withInputs: true })[0].inputs, resource.inputs);
  });

  it("refuses a resource whose parent was not registered before it", () => {
    assert.throws(() => floorShape([captured("orphan", true, "missing")]), /parent missing was not registered/);
  });

  it("registers bare resources in exactly the tree and types the real registration produced", async () => {
    const real = await captureProgram({ project: "tenantnet", stack: "bench", config: {}, program: sampleProgram });
    const shape = floorShape(real.resources);
    assert.equal(shape.length, 8);
    const floor = await registerFloor(shape);
    assert.equal(floor.resources.length, real.resources.length);
    assert.equal(canonicalTree(shape), "K(C(),K(C())),K(C(),K(C()))");
    assert.equal(canonicalTree(floorShape(floor.resources)), canonicalTree(shape));
    const types = (resources: CapturedResource[]) => resources.map((r) => r.type).sort();
    assert.deepEqual(types(floor.resources), types(real.resources));
    for (const bare of floor.resources.filter((r) => r.custom)) {
      assert.deepEqual(bare.inputs, { apiVersion: "bench.tenantnet.io/v1", kind: "Bare", metadata: { name: bare.name } });
    }
  });

  it("replays the real inputs when the shape carries them", async () => {
    const real = await captureProgram({ project: "tenantnet", stack: "bench", config: {}, program: sampleProgram });
    const floor = await registerFloor(floorShape(real.resources, { withInputs: true }));
    const inputs = (resources: CapturedResource[]) => resources.filter((r) => r.custom).map((r) => JSON.stringify(r.inputs)).sort();
    assert.deepEqual(inputs(floor.resources), inputs(real.resources));
    assert.ok(inputs(real.resources).some((text) => text.includes('"data":{"a":"b"}')));
  });

  it("replays a wide flat tree too (many children under one component)", async () => {
    const shape: FloorNode[] = [
      { type: "test:index:Group", custom: false },
      ...Array.from({ length: 50 }, () => ({ type: "kubernetes:v1:ConfigMap", custom: true, parent: 0 })),
    ];
    const floor = await registerFloor(shape);
    assert.equal(canonicalTree(floorShape(floor.resources)), `K(${Array(50).fill("C()").join(",")})`);
  });
});

describe("bench profile summary", () => {
  // root -> main -> [work (self 3 samples), helper -> work (1 sample)], each sample 1 ms.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: "main", url: "file:///repo/bench/index.ts", lineNumber: 9 }, children: [3, 4] },
      { id: 3, callFrame: { functionName: "work", url: "file:///repo/node_modules/@pulumi/pulumi/runtime/rpc.js", lineNumber: 99 } },
      { id: 4, callFrame: { functionName: "helper", url: "file:///repo/lib/x.ts", lineNumber: 0 }, children: [5] },
      { id: 5, callFrame: { functionName: "work", url: "file:///repo/node_modules/@pulumi/pulumi/runtime/rpc.js", lineNumber: 99 } },
    ],
    startTime: 0,
    endTime: 6000,
    samples: [2, 3, 3, 3, 5, 2],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
  };

  it("attributes self time and inclusive time per function, and self time per package", () => {
    const summary = summarizeProfile(profile, "/repo");
    assert.equal(summary.totalMs, 5);
    assert.deepEqual(summary.selfTime.map((s) => [s.where, s.ms]), [["work @pulumi/pulumi/runtime/rpc.js:100", 4], ["main bench/index.ts:10", 1]]);
    const total = Object.fromEntries(summary.totalTime.map((s) => [s.where, s.ms]));
    assert.equal(total["main bench/index.ts:10"], 5);
    assert.equal(total["helper lib/x.ts:1"], 1);
    assert.equal(total["work @pulumi/pulumi/runtime/rpc.js:100"], 4);
    assert.deepEqual(summary.byFile[0], { where: "@pulumi/pulumi (package)", ms: 4, share: 0.8 });
  });

  it("names TypeScript frames by their source line and leaves package frames as run", () => {
    const asked: string[] = [];
    const locate = (url: string, line: number) => {
      asked.push(url);
      return { url: url.replace(/x\.ts$/, "x.source.ts"), line: line + 41 };
    };
    const summary = summarizeProfile(profile, "/repo", 15, locate);
    const total = Object.fromEntries(summary.totalTime.map((s) => [s.where, s.ms]));
    assert.equal(total["helper lib/x.source.ts:41"], 1);
    assert.equal(total["work @pulumi/pulumi/runtime/rpc.js:100"], 4);
    assert.ok(!asked.some((url) => url.includes("/node_modules/")), "package frames are not looked up");
  });
});

describe("bench report", () => {
  const sample = (ms: number, peakMb = 50): StageSample => ({ ms, peakRssBytes: peakMb * 1024 * 1024, rssGrowthBytes: 1024 * 1024 });

  /** Passes whose stage times are `perVm` ms per VM raised to `exponent`, with the floor at register/overhead. */
  function passes(vms: number, overhead: number, exponent = 1, runs = 3): PassResult[] {
    return Array.from({ length: runs }, (_, run) => {
      const register = 2 * vms ** exponent * (1 + run * 0.01);
      return {
        samples: {
          validate: sample(0.05 * vms),
          register: sample(register, 100 + vms / 10),
          policy: sample(0.1 * register),
          schema: sample(0.05 * register),
          write: sample(0.2 * vms),
          floor: sample(2 * vms ** exponent / overhead),
        },
        resources: vms * 4,
        components: vms,
        manifests: vms * 3,
        violations: { mandatory: 0, advisory: 0 },
        problems: [],
      };
    });
  }

  const sizes = (overhead: number, exponent = 1) =>
    [{ tenants: 10, vmsPerTenant: 10 }, { tenants: 25, vmsPerTenant: 20 }, { tenants: 100, vmsPerTenant: 20 }].map((size) =>
      sizeResult(size, passes(size.tenants * size.vmsPerTenant, overhead, exponent)),
    );

  it("summarizes each size: medians, per-VM cost, overhead over the floor and peak RSS", () => {
    const [small] = sizes(1.2);
    assert.equal(small.vms, 100);
    assert.equal(small.runs, 3);
    assert.equal(small.stages.register!.ms.median, 2 * 100 * 1.01);
    assert.ok(Math.abs(small.stages.register!.msPerVm - 2.02) < 1e-9);
    assert.ok(Math.abs(small.overhead - 1.2 * 1.01) < 1e-9, `overhead ${small.overhead}`);
    // The register stage peaks highest: 100 MB + 100/10 MB.
    assert.equal(small.peakRssMb, 110);
    assert.ok(Math.abs(small.peakRssPerVmKb - 1126.4) < 1e-9);
  });

  it("passes the targets when registration is close to the floor and every stage is linear", () => {
    const results = sizes(1.1);
    const exponents = stageExponents(results);
    assert.ok(exponents.every((e) => Math.abs(e.exponent - 1) < 0.01), JSON.stringify(exponents));
    const verdicts = evaluateTargets(results, exponents, marginalRssPerVmKb(results)).map((t) => t.verdict);
    assert.deepEqual(verdicts, ["PASS", "PASS", "PASS", "REPORTED"]);
  });

  it("misses the overhead and exponent targets when registration is slow and super-linear", () => {
    const results = sizes(1.5, 1.3);
    const targets = evaluateTargets(results, stageExponents(results), marginalRssPerVmKb(results));
    assert.equal(targets[0].verdict, "MISS");
    assert.match(targets[0].value, /100x20: 1\.5\dx/);
    assert.equal(targets[1].verdict, "MISS");
    assert.match(targets[1].value, /register 1\.30/);
  });

  it("misses the checks target when policy and schema take more than a quarter of registration", () => {
    const results = sizes(1.1).map((size) => {
      const register = size.stages.register!.ms.median;
      return { ...size, stages: { ...size.stages, policy: { ...size.stages.policy!, ms: { ...size.stages.policy!.ms, median: 0.3 * register } } } };
    });
    const targets = evaluateTargets(results, stageExponents(results), undefined);
    assert.equal(targets[2].verdict, "MISS");
    assert.match(targets[2].value, /35\.0% at 2000 VMs/);
  });

  it("puts the marginal memory per VM at the slope of peak RSS against VMs", () => {
    // Peak RSS is 100 MB + vms/10 MB: 0.1 MB = 102.4 KB per extra VM.
    assert.ok(Math.abs(marginalRssPerVmKb(sizes(1.1))! - 102.4) < 1e-6);
  });

  it("aligns table columns", () => {
    const table = textTable(["size", "stage", "ms"], [["10x10", "register", "5.0"], ["100x20", "policy", "120.5"]]);
    assert.equal(table, ["size    stage        ms", "------  --------  -----", "10x10   register    5.0", "100x20  policy    120.5"].join("\n"));
  });
});
