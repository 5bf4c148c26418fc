import { strict as assert } from "assert";
import { allocate } from "../../lib/allocate";
import { applyPins } from "../../lib/allocate-stack-file";
import { validateDraft, validateStackConfig } from "../../lib/config/validate";
import { validRawConfig } from "../fixtures/stack-config";

type Raw = ReturnType<typeof validRawConfig>;

/** The fixture with an external network, two granted EIPs, a NAT gateway, a public IP and a port forward. */
function natRaw(): Raw {
  const raw = validRawConfig();
  raw.platform.externalNetwork = {
    uplink: { type: "macvlan", nic: "eth1" },
    cidr: "203.0.113.0/24",
    gateway: "203.0.113.1",
    excludeIps: ["203.0.113.1..203.0.113.20"],
    eipRange: "203.0.113.32..203.0.113.63",
  };
  const acme = raw.tenants.acme;
  acme.eips = ["203.0.113.32", "203.0.113.33"];
  acme.natGateway = { enabled: true };
  acme.securityGroup = { ingressRules: [{ protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteAddress: "0.0.0.0/0" }] };
  acme.vms.testvm.portForwards = [{ externalPort: 2201, internalPort: 22, protocol: "tcp" }];
  acme.vms.pub = { guest: "debian", underlayIp: "10.199.3.5", vpcIp: "10.0.1.11", image: "x", publicIp: "203.0.113.33" };
  return raw;
}

function problems(mutate: (raw: Raw) => void, facts?: unknown): Map<string, string[]> {
  const raw = natRaw();
  mutate(raw);
  const result = validateStackConfig(raw, "dev", facts);
  assert.equal(result.ok, false, "expected the config to be rejected");
  const byPath = new Map<string, string[]>();
  for (const p of result.problems) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p.message]);
  return byPath;
}

function assertProblem(mutate: (raw: Raw) => void, path: string, pattern: RegExp): void {
  const found = problems(mutate);
  assert.ok(
    (found.get(path) ?? []).some((m) => pattern.test(m)),
    `no problem matching ${pattern} at ${path}; got: ${JSON.stringify([...found])}`,
  );
}

describe("stack config validation: external network, NAT gateway, inbound and DNS", () => {
  it("accepts the NAT config and resolves lanIp to the last usable address, snatIp to the first EIP", () => {
    const result = validateStackConfig(natRaw(), "dev");
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.config.tenants[0].natGateway, { lanIp: "10.0.1.254", snatIp: "203.0.113.32" });
    assert.deepEqual(result.config.registrations.acme.eips, ["203.0.113.32", "203.0.113.33"]);
    assert.deepEqual(result.config.platform.externalNetwork?.gatewayNodes, { "tenantnet.io/nat-gateway": "true" });
  });

  it("refuses an external CIDR overlapping a platform network, a catalog service or a tenant VPC", () => {
    assertProblem(
      (r) => (r.platform.externalNetwork.cidr = "10.50.0.0/24"),
      "platform.externalNetwork.cidr",
      /overlaps platform\.network\.nodeCidrs\[0\] 10\.50\.0\.0\/16/,
    );
    assertProblem(
      (r) => (r.platform.externalNetwork.cidr = "10.50.0.0/24"),
      "platform.externalNetwork.cidr",
      /overlaps services\.dns\.cidrs\[0\] 10\.50\.0\.10\/32/,
    );
    assertProblem(
      (r) => (r.tenants.acme.vpc.cidr = "203.0.113.0/24"),
      "platform.externalNetwork.cidr",
      /overlaps tenants\.acme\.vpc\.cidr 203\.0\.113\.0\/24/,
    );
  });

  it("refuses an eipRange outside the CIDR or inside excludeIps", () => {
    assertProblem(
      (r) => (r.platform.externalNetwork.eipRange = "198.51.100.1..198.51.100.9"),
      "platform.externalNetwork.eipRange",
      /is outside externalNetwork\.cidr 203\.0\.113\.0\/24/,
    );
    assertProblem(
      (r) => (r.platform.externalNetwork.eipRange = "203.0.113.10..203.0.113.40"),
      "platform.externalNetwork.eipRange",
      /overlaps excludeIps\[0\] 203\.0\.113\.1\.\.203\.0\.113\.20/,
    );
    assertProblem(
      (r) => (r.platform.externalNetwork.excludeIps = ["203.0.113.9..203.0.113.1"]),
      "platform.externalNetwork.excludeIps[0]",
      /start is after its end/,
    );
  });

  it("refuses EIPs outside eipRange, taken twice, or without an external network", () => {
    assertProblem((r) => (r.tenants.acme.eips = ["203.0.113.100"]), "tenants.acme.eips[0]", /outside platform\.externalNetwork\.eipRange/);
    assertProblem(
      (r) => (r.tenants.globex = { underlayBlock: "10.199.3.32/27", eips: ["203.0.113.33"] }),
      "tenants.globex.eips[0]",
      /EIP 203\.0\.113\.33 is already used by tenants\.acme\.eips\[1\]/,
    );
    assertProblem((r) => delete r.platform.externalNetwork, "tenants.acme.eips", /the platform declares no externalNetwork/);
    assertProblem(
      (r) => delete r.platform.externalNetwork,
      "tenants.acme.natGateway.enabled",
      /attaches to platform\.externalNetwork, and the platform declares none/,
    );
  });

  it("refuses an unpinned EIP at plan time, naming allocate", () => {
    assertProblem((r) => (r.tenants.acme.eips = [null]), "tenants.acme.eips[0]", /not pinned; run `npm run allocate -- --stack dev`/);
  });

  it("refuses a lanIp outside the VPC or on its gateway, a VM on the lanIp, a foreign snatIp, a tenant without EIPs", () => {
    assertProblem(
      (r) => (r.tenants.acme.natGateway.lanIp = "10.0.2.254"),
      "tenants.acme.natGateway.lanIp",
      /outside vpc\.cidr 10\.0\.1\.0\/24/,
    );
    assertProblem((r) => (r.tenants.acme.natGateway.lanIp = "10.0.1.1"), "tenants.acme.natGateway.lanIp", /network, broadcast or gateway/);
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.vpcIp = "10.0.1.254"),
      "tenants.acme.vms.testvm.vpcIp",
      /is the NAT gateway lanIp 10\.0\.1\.254 of vpc\.cidr/,
    );
    assertProblem(
      (r) => (r.tenants.acme.natGateway.snatIp = "203.0.113.40"),
      "tenants.acme.natGateway.snatIp",
      /not one of tenant acme's eips/,
    );
    assertProblem((r) => (r.tenants.acme.eips = []), "tenants.acme.natGateway.snatIp", /has no public address granted/);
  });

  it("refuses a namespace too long for Kube-OVN's NAT gateway name", () => {
    assertProblem((r) => (r.tenants.acme.namespace = "a".repeat(42)), "tenants.acme.namespace", /Kube-OVN v1\.16\.2 allows 41/);
  });

  it("refuses a public IP that is not granted, is the SNAT address, or is used twice", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.pub.publicIp = "203.0.113.50"),
      "tenants.acme.vms.pub.publicIp",
      /not one of tenant acme's eips/,
    );
    assertProblem(
      (r) => (r.tenants.acme.vms.pub.publicIp = "203.0.113.32"),
      "tenants.acme.vms.pub.publicIp",
      /is the tenant's SNAT address/,
    );
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.publicIp = "203.0.113.33"),
      "tenants.acme.vms.pub.publicIp",
      /already the public IP of tenants\.acme\.vms\.testvm\.publicIp/,
    );
  });

  it("refuses inbound traffic without a NAT gateway", () => {
    assertProblem(
      (r) => (r.tenants.acme.natGateway.enabled = false),
      "tenants.acme.vms.pub.publicIp",
      /set tenants\.acme\.natGateway\.enabled: true/,
    );
    assertProblem(
      (r) => (r.tenants.acme.natGateway.enabled = false),
      "tenants.acme.vms.testvm.portForwards[0]",
      /set tenants\.acme\.natGateway\.enabled: true/,
    );
  });

  it("refuses an external port forwarded twice and a forward the security group does not let in", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.pub.portForwards = [{ externalPort: 2201, internalPort: 22, protocol: "tcp" }]),
      "tenants.acme.vms.pub.portForwards[0].externalPort",
      /2201\/tcp of the SNAT address is already forwarded by tenants\.acme\.vms\.testvm\.portForwards\[0\]\.externalPort/,
    );
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.portForwards[0].internalPort = 80),
      "tenants.acme.vms.testvm.portForwards[0]",
      /tenants\.acme\.securityGroup\.ingressRules do not allow in; add \{protocol: tcp, portRangeMin: 80, portRangeMax: 80, remoteAddress: 0\.0\.0\.0\/0\}/,
    );
  });

  it("says which path a nameserver lacks: a catalog grant on 53 over the underlay, or the NAT gateway", () => {
    assertProblem(
      (r) => (r.tenants.acme.dns = { nameservers: ["10.50.0.10"] }),
      "tenants.acme.dns.nameservers[0]",
      /reached over the underlay NIC .* VMs testvm, pub are not granted dns/,
    );
    const granted = validateStackConfig(
      (() => {
        const r = natRaw();
        r.tenants.acme.services = ["oss", "dns"];
        r.tenants.acme.dns = { nameservers: ["10.50.0.10"] };
        return r;
      })(),
      "dev",
    );
    assert.ok(granted.ok, JSON.stringify(!granted.ok && granted.problems));
    assertProblem(
      (r) => (r.tenants.acme.dns = { nameservers: ["10.50.0.99"] }),
      "tenants.acme.dns.nameservers[0]",
      /no catalog service covers it on 53\/UDP/,
    );
    assertProblem(
      (r) => {
        r.tenants.acme.natGateway.enabled = false;
        delete r.tenants.acme.vms.pub;
        r.tenants.acme.vms.testvm.portForwards = [];
        r.platform.network.dns = { nameservers: ["1.1.1.1"] };
      },
      "platform.network.dns.nameservers[0]",
      /reached through tenant acme's VPC default route, which leads nowhere without a NAT gateway/,
    );
  });

  it("lets a tenant-only stack set neither eips nor the external network", () => {
    const facts = {
      schemaVersion: 1,
      stack: "dev",
      network: validRawConfig().platform.network,
      underlay: { backend: "calico" },
      services: {},
      tenants: {
        acme: {
          namespace: "tenant-acme",
          underlayBlock: "10.199.3.0/27",
          services: [],
          kubeOvnAttachment: "tenant",
          underlayIngress: [],
          eips: ["203.0.113.32"],
        },
      },
    };
    const found = problems((r) => {
      (r as Raw & { platformStack: string }).platformStack = "org/tenantnet/dev";
      r.platform = { install: false, externalNetwork: {} };
      r.services = undefined as never;
    }, facts);
    assert.match(found.get("tenants.acme.eips")?.[0] ?? "", /owned by the platform stack org\/tenantnet\/dev/);
    assert.match(found.get("platform.externalNetwork")?.[0] ?? "", /owned by the platform stack/);
  });
});

describe("allocate: eips", () => {
  it("pins each ~ with the lowest address of eipRange no tenant holds, in place", () => {
    const raw = natRaw();
    raw.tenants.acme.eips = ["203.0.113.33", null];
    delete raw.tenants.acme.vms.pub;
    raw.tenants.globex = { underlayBlock: "10.199.3.32/27", eips: [null, "203.0.113.32"] };
    const draft = validateDraft(raw, { stack: "dev", requirePins: false });
    assert.ok(draft.ok, JSON.stringify(!draft.ok && draft.problems));
    const pins = allocate(draft.config).filter((p) => p.key === "eips");
    assert.deepEqual(pins, [
      { tenant: "acme", index: 1, key: "eips", ip: "203.0.113.34" },
      { tenant: "globex", index: 0, key: "eips", ip: "203.0.113.35" },
    ]);
    const source =
      "config:\n  tenantnet:tenants:\n    acme:\n      eips: [203.0.113.33, ~]   # granted\n    globex:\n      eips:\n        - ~\n        - 203.0.113.32\n";
    assert.equal(
      applyPins(source, pins),
      "config:\n  tenantnet:tenants:\n    acme:\n      eips: [203.0.113.33, 203.0.113.34]   # granted\n    globex:\n      eips:\n        - 203.0.113.35\n        - 203.0.113.32\n",
    );
  });

  it("skips the NAT gateway's lanIp when pinning VPC addresses", () => {
    const raw = natRaw();
    raw.tenants.acme.vpc.cidr = "10.0.1.0/30";
    raw.tenants.acme.vms = { a: { guest: "debian", underlayIp: "10.199.3.5", image: "x" } };
    raw.tenants.acme.natGateway = { enabled: true, lanIp: "10.0.1.2" };
    const draft = validateDraft(raw, { stack: "dev", requirePins: false });
    assert.ok(draft.ok, JSON.stringify(!draft.ok && draft.problems));
    assert.throws(() => allocate(draft.config), /NAT gateway lanIp 10\.0\.1\.2/);
  });
});
