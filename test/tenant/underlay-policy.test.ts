import { strict as assert } from "assert";
import type { CalicoRule, NetworkPolicyObject } from "../../lib/tenant/underlay-policy";
import { portsByProtocol } from "../../lib/config/formats";
import { defaultDenyPolicy, ipReservation, vmUnderlayPolicy } from "../../lib/tenant/underlay-policy";
import { acmeVm, type RawConfig } from "../fixtures/tenant-config";

/** acme with every catalog service granted, a mirror service added, and `mutate` applied. */
function grantAll(mutate: (raw: RawConfig) => void = () => {}) {
  return acmeVm({}, (raw) => {
    raw.services.mirror = { cidrs: ["10.50.40.0/28", "10.50.41.0/28"], ports: ["80/TCP", "443/TCP", "873/TCP"] };
    raw.tenants.acme.services = ["oss", "dns", "mirror"];
    mutate(raw);
  });
}

function allRules(policy: NetworkPolicyObject): CalicoRule[] {
  return [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])];
}

describe("Calico underlay policy", () => {
  describe("tenant default deny", () => {
    it("selects every VM of the tenant for both directions in the tenant namespace", () => {
      const { tenant } = grantAll();
      const policy = defaultDenyPolicy(tenant);
      assert.equal(policy.apiVersion, "projectcalico.org/v3");
      assert.equal(policy.kind, "NetworkPolicy");
      assert.deepEqual(policy.metadata, {
        name: "default-deny-underlay",
        namespace: "tenant-acme",
        labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" },
      });
      assert.equal(policy.spec.selector, "tenantnet.io/tenant == 'acme'");
      assert.deepEqual(policy.spec.types, ["Ingress", "Egress"]);
    });

    it("allows nothing in or out without underlayIngress", () => {
      const { tenant } = grantAll();
      const policy = defaultDenyPolicy(tenant);
      assert.equal(policy.spec.ingress, undefined);
      assert.equal(policy.spec.egress, undefined);
    });

    it("allows ingress only from the named sources, one rule per protocol with explicit ports", () => {
      const { tenant } = grantAll((raw) => {
        raw.tenants.acme.underlayIngress = [
          { cidrs: ["10.50.0.100/32"], ports: ["22/TCP"] },
          { cidrs: ["10.50.8.0/24", "10.50.9.0/24"], ports: ["9100/TCP", "161/UDP", "9090/TCP"] },
        ];
      });
      const policy = defaultDenyPolicy(tenant);
      assert.deepEqual(policy.spec.ingress, [
        { action: "Allow", protocol: "TCP", source: { nets: ["10.50.0.100/32"] }, destination: { ports: [22] } },
        { action: "Allow", protocol: "TCP", source: { nets: ["10.50.8.0/24", "10.50.9.0/24"] }, destination: { ports: [9100, 9090] } },
        { action: "Allow", protocol: "UDP", source: { nets: ["10.50.8.0/24", "10.50.9.0/24"] }, destination: { ports: [161] } },
      ]);
      assert.equal(policy.spec.egress, undefined, "the default deny never allows egress");
    });
  });

  describe("per-VM egress allowlist", () => {
    it("selects exactly the VM (and its tenant) for egress", () => {
      const { tenant, vm, services } = grantAll();
      const policy = vmUnderlayPolicy(tenant, vm, services);
      assert.deepEqual(policy.metadata, {
        name: "underlay-testvm",
        namespace: "tenant-acme",
        labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme", "tenantnet.io/vm": "testvm" },
      });
      assert.equal(policy.spec.selector, "tenantnet.io/tenant == 'acme' && tenantnet.io/vm == 'testvm'");
      assert.deepEqual(policy.spec.types, ["Egress"]);
      assert.equal(policy.spec.ingress, undefined);
    });

    it("allows one rule per (granted service, protocol) to the service's nets and ports", () => {
      const { tenant, vm, services } = grantAll();
      assert.deepEqual(vm.services, ["oss", "dns", "mirror"]);
      assert.deepEqual(vmUnderlayPolicy(tenant, vm, services).spec.egress, [
        { action: "Allow", protocol: "TCP", destination: { nets: ["10.50.31.21/32"], ports: [80, 443] } },
        { action: "Allow", protocol: "UDP", destination: { nets: ["10.50.0.10/32"], ports: [53] } },
        { action: "Allow", protocol: "TCP", destination: { nets: ["10.50.0.10/32"], ports: [53] } },
        { action: "Allow", protocol: "TCP", destination: { nets: ["10.50.40.0/28", "10.50.41.0/28"], ports: [80, 443, 873] } },
      ]);
    });

    it("reaches only the VM's own grants, not the tenant's others", () => {
      const { tenant, vm, services } = grantAll((raw) => (raw.tenants.acme.vms.testvm.services = ["dns"]));
      const egress = vmUnderlayPolicy(tenant, vm, services).spec.egress ?? [];
      assert.deepEqual(
        egress.map((rule) => rule.destination.nets),
        [["10.50.0.10/32"], ["10.50.0.10/32"]],
      );
    });

    it("reaches DNS only when DNS is granted", () => {
      const { tenant, vm, services } = grantAll((raw) => (raw.tenants.acme.vms.testvm.services = ["oss"]));
      const egress = vmUnderlayPolicy(tenant, vm, services).spec.egress ?? [];
      assert.ok(egress.every((rule) => !rule.destination.ports.includes(53)));
      assert.ok(egress.every((rule) => rule.protocol === "TCP"));
    });

    it("allows nothing for a VM granted nothing, and still selects it for egress", () => {
      const { tenant, vm, services } = grantAll((raw) => (raw.tenants.acme.vms.testvm.services = []));
      const policy = vmUnderlayPolicy(tenant, vm, services);
      assert.deepEqual(policy.spec.types, ["Egress"]);
      assert.equal(policy.spec.egress, undefined);
    });

    it("refuses a grant the catalog does not have", () => {
      const { tenant, vm } = grantAll();
      assert.throws(() => vmUnderlayPolicy(tenant, vm, {}), /tenants\.acme\.vms\.testvm: service "oss" is not in the catalog/);
    });
  });

  it("never renders a rule without ports, a catch-all net or notNets", () => {
    const { tenant, vm, services } = grantAll((raw) => {
      raw.tenants.acme.underlayIngress = [{ cidrs: ["10.50.0.100/32"], ports: ["22/TCP", "5353/UDP", "2905/SCTP"] }];
    });
    const rules = [...allRules(defaultDenyPolicy(tenant)), ...allRules(vmUnderlayPolicy(tenant, vm, services))];
    assert.equal(rules.length, 7);
    for (const rule of rules) {
      assert.equal(rule.action, "Allow");
      assert.ok(rule.destination.ports.length > 0, `rule without ports: ${JSON.stringify(rule)}`);
      const nets = [...(rule.source?.nets ?? []), ...(rule.destination.nets ?? [])];
      assert.ok(nets.length > 0 && !nets.includes("0.0.0.0/0"), `rule without explicit nets: ${JSON.stringify(rule)}`);
      assert.ok(!JSON.stringify(rule).includes("notNets"));
    }
  });

  it("groups ports by protocol in first-seen order and drops duplicates", () => {
    assert.deepEqual(portsByProtocol(["53/UDP", "53/TCP", "853/TCP", "53/UDP", "2905/SCTP"]), [
      { protocol: "UDP", ports: [53] },
      { protocol: "TCP", ports: [53, 853] },
      { protocol: "SCTP", ports: [2905] },
    ]);
  });

  it("reserves the tenant's underlay block from pod IPAM", () => {
    const { tenant } = grantAll();
    assert.deepEqual(ipReservation(tenant), {
      apiVersion: "projectcalico.org/v3",
      kind: "IPReservation",
      metadata: { name: "tenant-acme-underlay", labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" } },
      spec: { reservedCIDRs: ["10.199.3.0/27"] },
    });
  });
});
