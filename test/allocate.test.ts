import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { bigIntToIp, ipToBigInt } from "../lib/cidr";
import { AllocationError, allocate, type Pin, type PinKey } from "../lib/allocate";
import { applyPins } from "../lib/allocate-stack-file";
import { rawConfigFromFlat } from "../lib/config/load";
import { main } from "../scripts/allocate";
import { runCli } from "./fixtures/cli";
import { validateDraft, validateStackConfig, type DraftConfig } from "../lib/config/validate";
import type { RawConfig } from "./fixtures/tenant-config";
import { validRawConfig } from "./fixtures/stack-config";
import { REPO_ROOT } from "../lib/stack-file";

const DEV_STACK = path.join(REPO_ROOT, "Pulumi.dev.yaml");

function draft(mutate: (raw: RawConfig) => void): DraftConfig {
  const raw = validRawConfig();
  mutate(raw);
  const result = validateDraft(raw, { stack: "dev", requirePins: false });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

function vm(guest = "ubuntu", pins: { underlayIp?: string; vpcIp?: string } = {}) {
  return { guest, image: "quay.io/containerdisks/ubuntu:22.04", ...pins };
}

function lines(pins: Pin[]): string[] {
  return pins.map((p) => (p.key === "eips" ? `${p.tenant}.eips[${p.index}]=${p.ip}` : `${p.tenant}.${p.vm}.${p.key}=${p.ip}`));
}

/** A stack file text whose addresses are all removed. */
function unpinned(text: string): string {
  return text.replace(/^[ \t]*(underlayIp|vpcIp): .*\r?\n/gm, "");
}

describe("allocate", () => {
  it("gives unpinned VMs the lowest free addresses, skipping network and gateway", () => {
    const pins = allocate(draft((r) => (r.tenants.acme.vms = { a: vm(), b: vm("centos7") })));
    assert.deepEqual(lines(pins), [
      "acme.a.underlayIp=10.199.3.1",
      "acme.b.underlayIp=10.199.3.2",
      "acme.a.vpcIp=10.0.1.2",
      "acme.b.vpcIp=10.0.1.3",
    ]);
  });

  it("keeps existing pins and fills the gaps around them", () => {
    const pins = allocate(
      draft((r) => {
        r.tenants.acme.vms = {
          a: vm("ubuntu", { underlayIp: "10.199.3.2", vpcIp: "10.0.1.3" }),
          b: vm(),
          c: vm("ubuntu", { underlayIp: "10.199.3.1" }),
          d: vm(),
        };
      }),
    );
    assert.deepEqual(lines(pins), [
      "acme.b.underlayIp=10.199.3.3",
      "acme.d.underlayIp=10.199.3.4",
      "acme.b.vpcIp=10.0.1.2",
      "acme.c.vpcIp=10.0.1.4",
      "acme.d.vpcIp=10.0.1.5",
    ]);
    assert.ok(!pins.some((p) => p.key !== "eips" && p.vm === "a"), "a pinned VM gets no new address");
  });

  it("skips a configured gateway instead of the first host", () => {
    const pins = allocate(
      draft((r) => {
        r.tenants.acme.vpc = { cidr: "10.0.1.0/29", gateway: "10.0.1.2" };
        r.tenants.acme.vms = { a: vm(), b: vm() };
      }),
    );
    assert.deepEqual(
      pins.filter((p) => p.key === "vpcIp").map((p) => p.ip),
      ["10.0.1.1", "10.0.1.3"],
    );
  });

  it("allocates each tenant inside its own block, and VPC addresses per VPC", () => {
    const pins = allocate(
      draft((r) => {
        r.tenants.acme.vms = { a: vm() };
        r.tenants.globex = { vpc: { cidr: "10.0.1.0/24" }, underlayBlock: "10.199.3.32/27", vms: { a: vm() } };
      }),
    );
    assert.deepEqual(lines(pins), [
      "acme.a.underlayIp=10.199.3.1",
      "acme.a.vpcIp=10.0.1.2",
      "globex.a.underlayIp=10.199.3.33",
      "globex.a.vpcIp=10.0.1.2",
    ]);
  });

  it("uses every address of a /31 block, which has no network or broadcast", () => {
    const pins = allocate(
      draft((r) => {
        r.tenants.acme.underlayBlock = "10.199.3.8/31";
        r.tenants.acme.vms = { a: vm(), b: vm() };
      }),
    );
    assert.deepEqual(
      pins.filter((p) => p.key === "underlayIp").map((p) => p.ip),
      ["10.199.3.8", "10.199.3.9"],
    );
  });

  it("reports a full block with the tenant, key, block size and the VMs left out, and pins nothing", () => {
    const config = draft((r) => {
      r.tenants.acme.underlayBlock = "10.199.3.0/30";
      r.tenants.acme.vms = { a: vm("ubuntu", { underlayIp: "10.199.3.1" }), b: vm(), c: vm() };
    });
    let error: unknown;
    try {
      allocate(config);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof AllocationError, "expected an AllocationError");
    assert.deepEqual(error.problems, [
      {
        path: "tenants.acme.vms.b.underlayIp",
        message:
          "underlayBlock 10.199.3.0/30 of tenant acme is full: 4 addresses, 1 free (network address, broadcast address, pinned addresses excluded) " +
          "for 2 VMs without underlayIp (b, c); enlarge underlayBlock or remove VMs",
      },
    ]);
  });

  it("reports every full range at once, the VPC with its gateway", () => {
    const config = draft((r) => {
      r.tenants.acme.underlayBlock = "10.199.3.0/30";
      r.tenants.acme.vpc = { cidr: "10.0.1.0/30" };
      r.tenants.acme.vms = { a: vm(), b: vm(), c: vm() };
    });
    assert.throws(
      () => allocate(config),
      (error: unknown) => {
        assert.ok(error instanceof AllocationError);
        assert.deepEqual(
          error.problems.map((p) => p.path),
          ["tenants.acme.vms.a.underlayIp", "tenants.acme.vms.a.vpcIp"],
        );
        assert.match(
          error.problems[1].message,
          /vpc\.cidr 10\.0\.1\.0\/30 of tenant acme is full: 4 addresses, 1 free \(network address, broadcast address, gateway 10\.0\.1\.1, pinned addresses excluded\)/,
        );
        return true;
      },
    );
  });

  it("fills thousands of VMs around scattered pins with the lowest free addresses, fast", () => {
    const count = 5000;
    const blockStart = ipToBigInt("10.199.0.0");
    const config = draft((r) => {
      r.platform.network.vmReservation = "10.199.0.0/18";
      r.tenants.acme.underlayBlock = "10.199.0.0/18";
      r.tenants.acme.vpc = { cidr: "10.0.0.0/16" };
      r.tenants.acme.vms = {};
      for (let i = 0; i < count; i++) {
        // Every third VM keeps a pin somewhere among the lowest `count` addresses.
        const pinned = i % 3 === 0 ? { underlayIp: bigIntToIp(blockStart + BigInt(count - i)) } : {};
        r.tenants.acme.vms[`vm${i}`] = vm("ubuntu", pinned);
      }
    });
    const started = process.hrtime.bigint();
    const pins = allocate(config);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(elapsedMs < 1000, `allocation took ${elapsedMs} ms`);
    const underlay = new Set([
      ...config.tenants[0].vms.flatMap((v) => (v.underlayIp ? [v.underlayIp] : [])),
      ...pins.filter((p) => p.key === "underlayIp").map((p) => p.ip),
    ]);
    assert.equal(underlay.size, count, "every VM has a distinct underlay IP");
    for (let i = 1; i <= count; i++) assert.ok(underlay.has(bigIntToIp(blockStart + BigInt(i))), `10.199.0.0 + ${i} left free`);
    assert.equal(pins.filter((p) => p.key === "vpcIp").at(-1)?.ip, bigIntToIp(ipToBigInt("10.0.0.1") + BigInt(count)));
  });
});

describe("applyPins", () => {
  const pin = (vmName: string, key: PinKey, ip: string): Pin => ({ tenant: "acme", vm: vmName, key, ip });

  it("keeps every other byte: comments, their alignment, blank lines, order, flow style", () => {
    const source = unpinned(fs.readFileSync(DEV_STACK, "utf8"));
    const pins = [pin("web", "underlayIp", "10.199.3.1"), pin("web", "vpcIp", "10.0.1.2"), pin("db", "vpcIp", "10.0.1.3")];
    const output = applyPins(source, pins);
    assert.equal(unpinned(output), source);
    assert.equal(output.split("\n").length, source.split("\n").length + 3);
  });

  it("puts underlayIp and vpcIp right after guest, at the map's indentation", () => {
    const source =
      "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web:\n          image: x   # the image\n          guest: ubuntu   # v2\n          cpu: 2\n";
    const output = applyPins(source, [pin("web", "vpcIp", "10.0.1.2"), pin("web", "underlayIp", "10.199.3.1")]);
    assert.equal(
      output,
      "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web:\n          image: x   # the image\n          guest: ubuntu   # v2\n          underlayIp: 10.199.3.1\n          vpcIp: 10.0.1.2\n          cpu: 2\n",
    );
  });

  it("puts vpcIp after an existing underlayIp", () => {
    const source =
      "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web:\n          guest: ubuntu\n          cpu: 2\n          underlayIp: 10.199.3.1\n";
    assert.equal(
      applyPins(source, [pin("web", "vpcIp", "10.0.1.2")]),
      "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web:\n          guest: ubuntu\n          cpu: 2\n          underlayIp: 10.199.3.1\n          vpcIp: 10.0.1.2\n",
    );
  });

  it("extends a flow-style VM map in place", () => {
    const source = "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        db: {guest: centos7, image: y}  # small\n";
    const output = applyPins(source, [pin("db", "underlayIp", "10.199.3.2"), pin("db", "vpcIp", "10.0.1.3")]);
    assert.equal(
      output,
      "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        db: {guest: centos7, underlayIp: 10.199.3.2, vpcIp: 10.0.1.3, image: y}  # small\n",
    );
  });

  it("keeps CRLF line endings", () => {
    const source =
      "config:\r\n  tenantnet:tenants:\r\n    acme:\r\n      vms:\r\n        web:\r\n          guest: ubuntu\r\n          cpu: 2\r\n";
    const output = applyPins(source, [pin("web", "underlayIp", "10.199.3.1")]);
    assert.equal(output, source.replace("guest: ubuntu\r\n", "guest: ubuntu\r\n          underlayIp: 10.199.3.1\r\n"));
  });

  it("ends a block scalar guest before the inserted key", () => {
    const source =
      "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web:\n          guest: >-\n            ubuntu\n          cpu: 2\n";
    const parsed = parse(applyPins(source, [pin("web", "underlayIp", "10.199.3.1")]));
    assert.deepEqual(parsed.config["tenantnet:tenants"].acme.vms.web, { guest: "ubuntu", underlayIp: "10.199.3.1", cpu: 2 });
  });

  it("never overwrites a pin", () => {
    const source = "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web: {guest: ubuntu, underlayIp: 10.199.3.9}\n";
    assert.throws(
      () => applyPins(source, [pin("web", "underlayIp", "10.199.3.1")]),
      /tenants\.acme\.vms\.web\.underlayIp is already set in the stack file; pins never move/,
    );
  });

  it("names the key path it cannot find", () => {
    const source = "config:\n  tenantnet:tenants:\n    acme:\n      vms:\n        web: {guest: ubuntu}\n";
    assert.throws(() => applyPins(source, [pin("db", "underlayIp", "10.199.3.1")]), /tenants\.acme\.vms\.db is not a YAML map/);
  });
});

describe("npm run allocate", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "allocate-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(...args: string[]) {
    const result = await runCli(main, ...args);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function stackCopy(text: string): string {
    const file = path.join(dir, "Pulumi.copy.yaml");
    fs.writeFileSync(file, text);
    return file;
  }

  it("pins the dev stack back to exactly its committed text, then has nothing to pin", async () => {
    const committed = fs.readFileSync(DEV_STACK, "utf8");
    const file = stackCopy(unpinned(committed));
    const first = await run("--config", file);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.stdout.trim().split("\n"), [
      "tenants.acme.vms.web.underlayIp = 10.199.3.1",
      "tenants.acme.vms.db.underlayIp = 10.199.3.2",
      "tenants.acme.vms.web.vpcIp = 10.0.1.2",
      "tenants.acme.vms.db.vpcIp = 10.0.1.3",
      "tenants.globex.vms.app.underlayIp = 10.199.3.33",
      "tenants.globex.vms.worker.underlayIp = 10.199.3.34",
      "tenants.globex.vms.app.vpcIp = 10.0.1.2",
      "tenants.globex.vms.worker.vpcIp = 10.0.1.3",
    ]);
    assert.equal(fs.readFileSync(file, "utf8"), committed);
    assert.deepEqual(fs.readdirSync(dir), ["Pulumi.copy.yaml"], "no temporary file is left behind");
    const { raw } = rawConfigFromFlat(parse(fs.readFileSync(file, "utf8")).config);
    assert.ok(validateStackConfig(raw, "copy").ok, "the pinned file passes full validation");

    const second = await run("--config", file);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "");
    assert.match(second.stderr, /nothing to pin/);
  });

  it("--dry-run prints the pins and leaves the file unchanged", async () => {
    const text = unpinned(fs.readFileSync(DEV_STACK, "utf8"));
    const file = stackCopy(text);
    const result = await run("--config", file, "--dry-run");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split("\n").length, 8);
    assert.match(result.stderr, /dry run: .*Pulumi\.copy\.yaml left unchanged/);
    assert.equal(fs.readFileSync(file, "utf8"), text);
  });

  it("--stack reads Pulumi.<stack>.yaml from the repository root", async () => {
    const committed = await run("--stack", "dev", "--dry-run");
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stderr, /Pulumi\.dev\.yaml: nothing to pin/);
    const missing = await run("--stack", "no-such-stack-here");
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      new RegExp(`cannot read stack file: .*${path.join(REPO_ROOT, "Pulumi.no-such-stack-here.yaml").replace(/[.]/g, "\\.")}`),
    );
  });

  it("exits 2 listing every problem of an invalid config, and writes nothing", async () => {
    const text = unpinned(fs.readFileSync(DEV_STACK, "utf8"))
      .replace("underlayBlock: 10.199.3.32/27", "underlayBlock: 10.199.4.0/27")
      .replace("services: [mirror]", "services: [dns]");
    const file = stackCopy(text);
    const result = await run("--config", file);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid stack config \(2 problems\)/);
    assert.match(result.stderr, /tenants\.globex\.underlayBlock: 10\.199\.4\.0\/27 is outside platform\.network\.vmReservation/);
    assert.match(result.stderr, /tenants\.globex\.vms\.worker\.services\[0\]: "dns" is not granted to tenant globex/);
    assert.equal(result.stdout, "");
    assert.equal(fs.readFileSync(file, "utf8"), text);
  });

  it("exits 1 when a block is full, and writes nothing", async () => {
    const text = unpinned(fs.readFileSync(DEV_STACK, "utf8")).replace("underlayBlock: 10.199.3.0/27", "underlayBlock: 10.199.3.0/32");
    const file = stackCopy(text);
    const result = await run("--config", file);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /cannot pin every address:\n {2}tenants\.acme\.vms\.web\.underlayIp: underlayBlock 10\.199\.3\.0\/32 of tenant acme is full: 1 address, 1 free \(pinned addresses excluded\) for 2 VMs without underlayIp \(web, db\)/,
    );
    assert.doesNotMatch(result.stderr, /globex/, "only the full block is reported");
    assert.equal(result.stdout, "");
    assert.equal(fs.readFileSync(file, "utf8"), text);
  });

  it("documents its flags with --help", async () => {
    const result = await run("--help");
    assert.equal(result.code, 0);
    for (const flag of ["--stack", "--config", "--dry-run", "--help", "exit codes"]) assert.ok(result.stdout.includes(flag), flag);
  });

  it("exits 2 with the usage on an unknown flag or a missing stack", async () => {
    for (const args of [["--stack", "dev", "--force"], []]) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /usage: npm run allocate/);
    }
  });
});
