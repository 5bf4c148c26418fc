import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { floorShape, registerFloor, type FloorNode } from "../../bench/floor";
import { evaluateTargets, sizeResult, stageExponents, textTable } from "../../bench/report";
import { fitPowerLaw, median } from "../../bench/stats";
import { flatConfig, parseSize, parseSizes, syntheticConfig, SYNTHETIC_NETWORK, type BenchSize } from "../../bench/synthetic-config";
import type { PassResult } from "../../bench/types";
import { rawConfigFromFlat } from "../../lib/config/load";
import { validateStackConfig } from "../../lib/config/validate";
import { containsIp, parseCidr } from "../../lib/cidr";
import { captureProgram, type CapturedResource } from "../../lib/plan/capture";

describe("bench statistics", () => {
  it("takes the median of odd and even counts without relying on input order", () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it("refuses empty or non-finite samples instead of reporting NaN", () => {
    assert.throws(() => median([]), /no samples/);
    assert.throws(() => median([1, Number.NaN]), /finite/);
  });

  it("fits the exponent of power-law data: linear, quadratic and sub-linear stages", () => {
    const vms = [100, 500, 2000];
    for (const exponent of [1, 2, 0.5, 1.1]) {
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
    assert.throws(
      () =>
        fitPowerLaw([
          { x: 100, y: 5 },
          { x: 100, y: 6 },
        ]),
      /two or more distinct x/,
    );
    assert.throws(
      () =>
        fitPowerLaw([
          { x: 100, y: 0 },
          { x: 200, y: 1 },
        ]),
      /positive/,
    );
  });
});

describe("synthetic stack configs", () => {
  function validated(size: BenchSize) {
    const { raw, problems } = rawConfigFromFlat(flatConfig(syntheticConfig(size)));
    assert.deepEqual(problems, []);
    const result = validateStackConfig(raw, "bench");
    if (!result.ok)
      assert.fail(
        `synthetic ${size.tenants}x${size.vmsPerTenant} is invalid:\n${result.problems
          .slice(0, 10)
          .map((p) => `${p.path}: ${p.message}`)
          .join("\n")}`,
      );
    return result.config;
  }

  it("parses sizes as TENANTSxVMS and rejects anything else", () => {
    assert.deepEqual(parseSize("25x20"), { tenants: 25, vmsPerTenant: 20 });
    assert.deepEqual(parseSizes("10x10, 100x20"), [
      { tenants: 10, vmsPerTenant: 10 },
      { tenants: 100, vmsPerTenant: 20 },
    ]);
    assert.throws(() => parseSize("25*20"), /TENANTSxVMS/);
    assert.throws(() => parseSize("0x20"), /at least one tenant/);
  });

  for (const size of [
    { tenants: 7, vmsPerTenant: 13 },
    { tenants: 100, vmsPerTenant: 20 },
    { tenants: 3, vmsPerTenant: 40 },
  ]) {
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
    assert.ok(
      vms.some(({ tenant, vm }) => vm.services.length < tenant.services.length),
      "some VMs narrow their tenant's grants",
    );
    assert.ok(new Set(config.tenants.map((t) => t.services.join(","))).size > 1, "tenants get different grants");
    assert.ok(config.tenants.some((t) => t.securityGroup.ingressRules.length > 0));
    const macs = vms.flatMap(({ vm }) => [vm.macs?.underlay, vm.macs?.vpc]).filter(Boolean);
    assert.equal(new Set(macs).size, macs.length, "MACs are unique");
  });

  it("widens the underlay block when a tenant has more VMs than a /27 holds", () => {
    const config = validated({ tenants: 2, vmsPerTenant: 40 });
    assert.deepEqual(
      config.tenants.map((t) => t.underlayBlock),
      ["10.130.0.0/26", "10.130.0.64/26"],
    );
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
  return {
    urn: `urn:${name}`,
    type: custom ? "kubernetes:v1:Thing" : "test:index:Group",
    name,
    parent,
    dependsOn: [],
    custom,
    inputs: { name },
  };
}

/**
 * The tree as text, independent of registration order (which follows async input resolution):
 * C = custom, K = component, children sorted.
 */
function canonicalTree(shape: readonly FloorNode[]): string {
  const children = new Map<number | undefined, number[]>();
  shape.forEach((node, index) => children.set(node.parent, [...(children.get(node.parent) ?? []), index]));
  const render = (index: number): string =>
    `${shape[index].custom ? "C" : "K"}(${(children.get(index) ?? []).map(render).sort().join(",")})`;
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
  it("turns captured resources into parent links by index, sharing their inputs", () => {
    const resources = [
      captured("platform", false),
      captured("ns", true, "platform"),
      captured("acme", false),
      captured("acme", true, "acme"),
      captured("vm", true, "acme"),
    ];
    const shape = floorShape(resources);
    const group = "test:index:Group";
    const thing = "kubernetes:v1:Thing";
    assert.deepEqual(shape, [
      { type: group, custom: false, inputs: { name: "platform" } },
      { type: thing, custom: true, parent: 0, inputs: { name: "ns" } },
      { type: group, custom: false, inputs: { name: "acme" } },
      { type: thing, custom: true, parent: 2, inputs: { name: "acme" } },
      // A custom resource named like the component does not steal its children.
      { type: thing, custom: true, parent: 2, inputs: { name: "vm" } },
    ]);
    assert.equal(shape[1].inputs, resources[1].inputs, "shared, not copied");
  });

  it("refuses a resource whose parent was not registered before it", () => {
    assert.throws(() => floorShape([captured("orphan", true, "missing")]), /parent missing was not registered/);
  });

  it("registers the tree, the types and the inputs the real registration produced, without its code", async () => {
    const real = await captureProgram({ project: "tenantnet", stack: "bench", config: {}, program: sampleProgram });
    const shape = floorShape(real.resources);
    assert.equal(shape.length, 8);
    const floor = await registerFloor(shape);
    assert.equal(floor.resources.length, real.resources.length);
    assert.equal(canonicalTree(shape), "K(C(),K(C())),K(C(),K(C()))");
    assert.equal(canonicalTree(floorShape(floor.resources)), canonicalTree(shape));
    const types = (resources: CapturedResource[]) => resources.map((r) => r.type).sort();
    assert.deepEqual(types(floor.resources), types(real.resources));
    const inputs = (resources: CapturedResource[]) =>
      resources
        .filter((r) => r.custom)
        .map((r) => JSON.stringify(r.inputs))
        .sort();
    assert.deepEqual(inputs(floor.resources), inputs(real.resources));
    assert.ok(inputs(real.resources).some((text) => text.includes('"data":{"a":"b"}')));
    assert.ok(
      floor.resources.every((r) => r.name.startsWith("floor-")),
      "the floor's own names, not the program's",
    );
  });

  it("replays a wide flat tree too (many children under one component)", async () => {
    const shape: FloorNode[] = [
      { type: "test:index:Group", custom: false, inputs: {} },
      ...Array.from({ length: 50 }, (_, i) => ({
        type: "kubernetes:v1:ConfigMap",
        custom: true,
        parent: 0,
        inputs: { metadata: { name: `cm-${i}` } },
      })),
    ];
    const floor = await registerFloor(shape);
    assert.equal(canonicalTree(floorShape(floor.resources)), `K(${Array(50).fill("C()").join(",")})`);
  });
});

describe("bench report", () => {
  const SIZES: BenchSize[] = [
    { tenants: 10, vmsPerTenant: 10 },
    { tenants: 25, vmsPerTenant: 20 },
    { tenants: 100, vmsPerTenant: 20 },
  ];

  /** Passes whose registration is 2 * vms^exponent ms (+1% per run) and the floor register/overFloor. */
  function passes(vms: number, overFloor: number, exponent = 1, runs = 3, checks = 0.15): PassResult[] {
    return Array.from({ length: runs }, (_, run) => {
      const register = 2 * vms ** exponent * (1 + run * 0.01);
      return {
        ms: {
          validate: 0.05 * vms,
          register,
          policy: (checks * register) / 3,
          schema: (2 * checks * register) / 3,
          write: 0.2 * vms,
          floor: (2 * vms ** exponent) / overFloor,
        },
        resources: vms * 4,
        manifests: vms * 3,
        violations: { mandatory: 0, advisory: 0 },
        problems: [],
      };
    });
  }
  const MB = 1024 * 1024;
  const results = (overFloor: number, exponent = 1, checks = 0.15, sizes = SIZES) =>
    sizes.map((size) => {
      const vms = size.tenants * size.vmsPerTenant;
      return sizeResult(size, passes(vms, overFloor, exponent, 3, checks), (100 + vms / 10) * MB);
    });

  it("summarizes each size: medians, range, per-VM cost, registration over the floor, checks share, peak RSS", () => {
    const [small] = results(1.1);
    assert.equal(small.vms, 100);
    assert.equal(small.runs, 3);
    assert.deepEqual(small.stages.register!.samplesMs, [200, 202, 204]);
    assert.equal(small.stages.register!.medianMs, 202);
    assert.deepEqual([small.stages.register!.minMs, small.stages.register!.maxMs], [200, 204]);
    assert.ok(Math.abs(small.stages.register!.msPerVm - 2.02) < 1e-9);
    assert.ok(Math.abs(small.registerOverFloor - 1.1 * 1.01) < 1e-9, `register / floor ${small.registerOverFloor}`);
    assert.ok(Math.abs(small.checksShare! - 0.15) < 1e-9);
    assert.equal(small.peakRssMb, 110);
    assert.ok(Math.abs(small.peakRssPerVmKb - 1126.4) < 1e-9);
  });

  it("leaves the checks share out when the schema stage did not run", () => {
    const withoutSchema = passes(100, 1.1).map((pass) => ({ ...pass, ms: { ...pass.ms, schema: undefined } }));
    const size = sizeResult(SIZES[0], withoutSchema, MB);
    assert.equal(size.stages.schema, undefined);
    assert.equal(size.checksShare, undefined);
  });

  it("passes all three targets when registration is close to the floor, stages linear, checks small", () => {
    const sizes = results(1.1);
    const exponents = stageExponents(sizes);
    assert.ok(
      exponents.every((e) => Math.abs(e.exponent - 1) < 0.01),
      JSON.stringify(exponents),
    );
    const targets = evaluateTargets(sizes, exponents);
    assert.deepEqual(
      targets.map((t) => t.verdict),
      ["PASS", "PASS", "PASS"],
    );
    assert.match(targets[0].value, /^10x10: 1\.1\dx, 25x20: 1\.1\dx, 100x20: 1\.1\dx$/);
    assert.equal(targets[2].value, "15.0%");
  });

  it("misses the floor target above 1.15x at any size and the exponent target above 1.1", () => {
    const sizes = results(1.2, 1.15);
    const targets = evaluateTargets(sizes, stageExponents(sizes));
    assert.deepEqual(
      targets.map((t) => t.verdict),
      ["MISS", "MISS", "PASS"],
    );
    assert.match(targets[0].value, /100x20: 1\.2\dx/);
    assert.match(targets[1].value, /register 1\.15/);
    assert.doesNotMatch(targets[1].value, /floor/, "the floor's own exponent is not a target");
  });

  it("misses the checks target when policy and schema take a quarter of registration at 2,000 VMs", () => {
    const targets = evaluateTargets(results(1.1, 1, 0.3), []);
    assert.deepEqual(
      targets.map((t) => t.verdict),
      ["PASS", "N/A", "MISS"],
    );
    assert.equal(targets[2].value, "30.0%");
  });

  it("says N/A for what a run cannot tell: one size, no 2,000-VM size", () => {
    const sizes = results(1.1, 1, 0.15, [SIZES[0]]);
    const targets = evaluateTargets(sizes, stageExponents(sizes));
    assert.deepEqual(targets.map((t) => [t.verdict, t.value]).slice(1), [
      ["N/A", "needs two or more sizes"],
      ["N/A", "no size with 2000 VMs"],
    ]);
  });

  it("aligns table columns", () => {
    const table = textTable(
      ["size", "stage", "ms"],
      [
        ["10x10", "register", "5.0"],
        ["100x20", "policy", "120.5"],
      ],
    );
    assert.equal(
      table,
      ["size    stage        ms", "------  --------  -----", "10x10   register    5.0", "100x20  policy    120.5"].join("\n"),
    );
  });
});
