import { strict as assert } from "assert";
import { validateDraft, validateStackConfig } from "../../lib/config/validate";
import type { RawConfig } from "../fixtures/tenant-config";
import { validRawConfig } from "../fixtures/stack-config";

function problemsOf(mutate: (raw: RawConfig) => void, stack = "dev"): Map<string, string[]> {
  const raw = validRawConfig();
  mutate(raw);
  const result = validateStackConfig(raw, stack);
  assert.equal(result.ok, false, "expected the config to be rejected");
  const byPath = new Map<string, string[]>();
  for (const p of result.problems) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p.message]);
  return byPath;
}

function assertProblem(mutate: (raw: RawConfig) => void, path: string, pattern: RegExp, stack = "dev"): void {
  const problems = problemsOf(mutate, stack);
  const messages = problems.get(path) ?? [];
  assert.ok(
    messages.some((m) => pattern.test(m)),
    `no problem matching ${pattern} at ${path}; got: ${JSON.stringify([...problems])}`,
  );
}

/** A second tenant next to acme, with one pinned VM. */
function addGlobex(raw: RawConfig, overrides: Record<string, unknown> = {}, vm: Record<string, unknown> = {}): void {
  raw.tenants.globex = {
    vpc: { cidr: "10.0.1.0/24" },
    underlayBlock: "10.199.3.32/27",
    services: ["oss"],
    vms: { app: { guest: "debian", underlayIp: "10.199.3.40", vpcIp: "10.0.1.10", image: "quay.io/containerdisks/debian:12", ...vm } },
    ...overrides,
  };
}

describe("stack config validation: tenants", () => {
  it("accepts two tenants with the same VPC CIDR and the same VPC IP (separate VPCs)", () => {
    const raw = validRawConfig();
    addGlobex(raw);
    const result = validateStackConfig(raw, "dev");
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(
      result.config.tenants.map((t) => t.vms[0].vpcIp),
      ["10.0.1.10", "10.0.1.10"],
    );
  });

  it("rejects an underlay block outside vmReservation", () => {
    assertProblem(
      (r) => (r.tenants.acme.underlayBlock = "10.199.4.0/27"),
      "tenants.acme.underlayBlock",
      /10\.199\.4\.0\/27 is outside platform\.network\.vmReservation 10\.199\.3\.0\/24/,
    );
  });

  it("rejects overlapping tenant underlay blocks", () => {
    assertProblem(
      (r) => addGlobex(r, { underlayBlock: "10.199.3.16/28" }, { underlayIp: "10.199.3.20" }),
      "tenants.globex.underlayBlock",
      /10\.199\.3\.16\/28 overlaps tenants\.acme\.underlayBlock 10\.199\.3\.0\/27/,
    );
  });

  it("rejects a pinned underlay IP outside the tenant's block", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.underlayIp = "10.199.4.9"),
      "tenants.acme.vms.testvm.underlayIp",
      /10\.199\.4\.9 is outside underlayBlock 10\.199\.3\.0\/27/,
    );
  });

  it("rejects the network or broadcast address of the underlay block", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.underlayIp = "10.199.3.0"),
      "tenants.acme.vms.testvm.underlayIp",
      /is the network address of underlayBlock 10\.199\.3\.0\/27; no VM may take it/,
    );
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.underlayIp = "10.199.3.31"),
      "tenants.acme.vms.testvm.underlayIp",
      /is the broadcast address of underlayBlock/,
    );
  });

  it("rejects a pinned VPC IP outside the subnet", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.vpcIp = "10.0.2.5"),
      "tenants.acme.vms.testvm.vpcIp",
      /10\.0\.2\.5 is outside vpc\.cidr 10\.0\.1\.0\/24/,
    );
  });

  it("rejects a VPC IP equal to the gateway, the default one or a configured one", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.vpcIp = "10.0.1.1"),
      "tenants.acme.vms.testvm.vpcIp",
      /10\.0\.1\.1 is the gateway 10\.0\.1\.1 of vpc\.cidr/,
    );
    assertProblem(
      (r) => {
        r.tenants.acme.vpc.gateway = "10.0.1.254";
        r.tenants.acme.vms.testvm.vpcIp = "10.0.1.254";
      },
      "tenants.acme.vms.testvm.vpcIp",
      /10\.0\.1\.254 is the gateway 10\.0\.1\.254 of vpc\.cidr/,
    );
  });

  it("rejects a duplicate underlay IP, across tenants too", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.second = { ...r.tenants.acme.vms.testvm, vpcIp: "10.0.1.11" }),
      "tenants.acme.vms.second.underlayIp",
      /underlay IP 10\.199\.3\.4 is already used by tenants\.acme\.vms\.testvm\.underlayIp/,
    );
    assertProblem(
      (r) => addGlobex(r, { underlayBlock: "10.199.3.0/27" }, { underlayIp: "10.199.3.4" }),
      "tenants.globex.vms.app.underlayIp",
      /already used by tenants\.acme\.vms\.testvm\.underlayIp/,
    );
  });

  it("rejects a duplicate VPC IP in one subnet", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.second = { ...r.tenants.acme.vms.testvm, underlayIp: "10.199.3.5" }),
      "tenants.acme.vms.second.vpcIp",
      /VPC IP 10\.0\.1\.10 is already used by tenants\.acme\.vms\.testvm\.vpcIp/,
    );
  });

  it("rejects a duplicate MAC", () => {
    assertProblem(
      (r) => {
        r.tenants.acme.vms.testvm.macs = { underlay: "02:54:00:00:00:01" };
        r.tenants.acme.vms.second = {
          ...r.tenants.acme.vms.testvm,
          underlayIp: "10.199.3.5",
          vpcIp: "10.0.1.11",
          macs: { vpc: "02:54:00:00:00:01" },
        };
      },
      "tenants.acme.vms.second.macs.vpc",
      /MAC 02:54:00:00:00:01 is already used by tenants\.acme\.vms\.testvm\.macs\.underlay/,
    );
  });

  for (const [key, cidr] of [
    ["podCidr", "10.199.0.0/24"],
    ["serviceCidr", "10.96.5.0/24"],
    ["joinCidr", "100.64.0.0/24"],
    ["nodeCidrs[0]", "10.50.1.0/24"],
  ] as const) {
    it(`rejects a VPC CIDR overlapping platform.network.${key}`, () => {
      assertProblem(
        (r) => {
          r.tenants.acme.vpc.cidr = cidr;
          delete r.tenants.acme.vms.testvm.vpcIp;
        },
        "tenants.acme.vpc.cidr",
        new RegExp(`${cidr.replace(/[./]/g, "\\$&")} overlaps platform\\.network\\.${key.replace(/[[\]]/g, "\\$&")}`),
      );
    });
  }

  it("rejects a VM granted a service its tenant lacks", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.services = ["oss", "dns"]),
      "tenants.acme.vms.testvm.services[1]",
      /"dns" is not granted to tenant acme \(tenants\.acme\.services: oss\)/,
    );
  });

  it("rejects a tenant grant missing from the catalog", () => {
    assertProblem(
      (r) => (r.tenants.acme.services = ["oss", "s3"]),
      "tenants.acme.services[1]",
      /unknown service "s3"; the catalog \(tenantnet:services\) has: oss, dns/,
    );
  });

  it("rejects a VM without pins, naming the key and the allocate command for the stack", () => {
    const mutate = (r: RawConfig) => {
      delete r.tenants.acme.vms.testvm.underlayIp;
      delete r.tenants.acme.vms.testvm.vpcIp;
    };
    assertProblem(mutate, "tenants.acme.vms.testvm.underlayIp", /not pinned; run `npm run allocate -- --stack staging`/, "staging");
    assertProblem(mutate, "tenants.acme.vms.testvm.vpcIp", /not pinned; run `npm run allocate -- --stack staging`/, "staging");
    const raw = validRawConfig();
    mutate(raw);
    assert.ok(validateDraft(raw, { stack: "staging", requirePins: false }).ok, "the allocate command accepts the same config");
  });

  it("lists every problem at once, each under its own key", () => {
    const problems = problemsOf((r) => {
      r.tenants.acme.underlayBlock = "10.199.4.0/27";
      r.tenants.acme.vms.testvm.vpcIp = "10.0.1.1";
      r.tenants.acme.vms.testvm.services = ["dns"];
    });
    assert.deepEqual([...problems.keys()].sort(), [
      "tenants.acme.underlayBlock",
      "tenants.acme.vms.testvm.services[0]",
      "tenants.acme.vms.testvm.underlayIp",
      "tenants.acme.vms.testvm.vpcIp",
    ]);
  });
});
