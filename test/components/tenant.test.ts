import { strict as assert } from "assert";
import * as path from "path";
import { readStackFile } from "../../lib/config/load";
import { captureProgram, type CapturedResource, type CaptureResult } from "../../lib/plan/capture";
import { referencedOutputs } from "../../lib/plan/run";
import { loadSchemaDir, validateManifests, formatSchemaError, VENDORED_SCHEMAS_DIR } from "../../lib/schema";
import { kubeOvnAnnotation } from "../../lib/tenant/names";
import { tenantnet } from "../../program";
import { KINDS, PULUMI_TYPES } from "../../lib/k8s/kinds";
import { REPO_ROOT } from "../../lib/stack-file";

const VM = KINDS.virtualMachine.type;
const POLICY = KINDS.calicoNetworkPolicy.type;
const SUBNET = KINDS.subnet.type;
const NAD = KINDS.networkAttachmentDefinition.type;

type Flat = Record<string, any>;

function stackFile(stack: string): Flat {
  return readStackFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
}

async function plan(config: Flat, stack = "dev"): Promise<CaptureResult> {
  return captureProgram({
    project: "tenantnet",
    stack,
    config,
    program: tenantnet,
    stackOutputs: await referencedOutputs(tenantnet, config),
  });
}

const inputs = (r: CapturedResource): any => r.inputs;

function ofType(resources: CapturedResource[], type: string): CapturedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one Kubernetes object of `type` with this metadata name (and namespace). */
function object(resources: CapturedResource[], type: string, name: string, namespace?: string): any {
  const found = ofType(resources, type).filter((r) => inputs(r).metadata.name === name && inputs(r).metadata.namespace === namespace);
  assert.equal(found.length, 1, `expected one ${type} ${namespace ?? ""}/${name}, found ${found.length}`);
  return inputs(found[0]);
}

/** Every VM of every tenant in a flat stack config: [tenant, vm, vm config]. */
function configuredVms(config: Flat): [string, string, any][] {
  return Object.entries<any>(config["tenantnet:tenants"]).flatMap(([tenant, t]) =>
    Object.entries<any>(t.vms).map(([vm, v]): [string, string, any] => [tenant, vm, v]),
  );
}

/** The underlay and VPC addresses each rendered VM asks for, keyed `tenant/vm`. */
function renderedAddresses(resources: CapturedResource[]): Map<string, string[]> {
  return new Map(
    ofType(resources, VM).map((r) => {
      const vm = inputs(r);
      const annotations: Record<string, string> = vm.spec.template.metadata.annotations;
      const kubeOvn = Object.entries(annotations).filter(([key]) => /\.kubernetes\.io\/(ip_address|mac_address)$/.test(key));
      return [
        `${vm.metadata.labels["tenantnet.io/tenant"]}/${vm.metadata.name}`,
        [annotations["cni.projectcalico.org/ipAddrs"], ...kubeOvn.map(([k, v]) => `${k}=${v}`)],
      ];
    }),
  );
}

describe("Tenant components in the full program", () => {
  describe("dev stack", () => {
    const config = stackFile("dev");
    let result: CaptureResult;
    before(async () => {
      result = await plan(config);
    });

    it("declares one Tenant per tenant and one TenantVm per VM, each VM's objects under its TenantVm", () => {
      const { resources } = result;
      assert.deepEqual(
        ofType(resources, PULUMI_TYPES.tenant).map((r) => [r.name, r.parent ?? null]),
        [
          ["acme", null],
          ["globex", null],
        ],
      );
      const vms = configuredVms(config);
      assert.deepEqual(
        ofType(resources, "tenantnet:tenant:TenantVm")
          .map((r) => [r.name, r.parent])
          .sort(),
        vms.map(([tenant, vm]) => [`${tenant}/${vm}`, tenant]).sort(),
      );
      for (const [tenant, vm] of vms) {
        const children = resources
          .filter((r) => r.parent === `${tenant}/${vm}`)
          .map((r) => r.type)
          .sort();
        assert.deepEqual(children, [POLICY, VM].sort(), `${tenant}/${vm}`);
      }
    });

    it("names every tenant resource uniquely, whatever its type (plan tools key resources by name)", () => {
      const names = result.resources.filter((r) => /^(acme|globex)(\/|$)/.test(r.name)).map((r) => r.name);
      // acme's NAT: gateway, SNAT EIP and rule, web's EIP and FIP rule, db's DNAT rule.
      assert.equal(names.length, 2 + 2 * 7 + 4 * 3 + 6, "Tenant + 7 objects per tenant, TenantVm + 2 objects per VM, acme's 6 NAT objects");
      assert.equal(new Set(names).size, names.length);
    });

    it("renders a VirtualMachine and its underlay policy for every configured VM", () => {
      for (const [tenant, vm] of configuredVms(config)) {
        const namespace = `tenant-${tenant}`;
        const machine = object(result.resources, VM, vm, namespace);
        const policy = object(result.resources, POLICY, `underlay-${vm}`, namespace);
        assert.equal(policy.spec.selector, `tenantnet.io/tenant == '${tenant}' && tenantnet.io/vm == '${vm}'`);
        assert.deepEqual(machine.spec.template.metadata.labels, {
          "app.kubernetes.io/managed-by": "tenantnet",
          "tenantnet.io/tenant": tenant,
          "tenantnet.io/vm": vm,
        });
      }
    });

    it("pins the configured addresses, and the VM, subnet and NAD agree on the Kube-OVN provider", () => {
      assert.ok(object(result.resources, NAD, "calico", "default"), "the Calico NAD the VMs use is in the plan");
      for (const [tenant, vm, vmConfig] of configuredVms(config)) {
        const namespace = `tenant-${tenant}`;
        const annotations = object(result.resources, VM, vm, namespace).spec.template.metadata.annotations;
        const subnet = object(result.resources, SUBNET, namespace);
        const nad = object(result.resources, NAD, "kubeovn", namespace);
        const provider = subnet.spec.provider;
        assert.equal(JSON.parse(nad.spec.config).plugins[0].provider, provider);
        assert.deepEqual(JSON.parse(annotations["cni.projectcalico.org/ipAddrs"]), [vmConfig.underlayIp]);
        assert.equal(annotations[kubeOvnAnnotation(provider, "ip_address")], vmConfig.vpcIp);
        assert.equal(annotations[kubeOvnAnnotation(provider, "logical_switch")], subnet.metadata.name);
        assert.equal(annotations[kubeOvnAnnotation(provider, "mac_address")], vmConfig.macs?.vpc);
        const networks = object(result.resources, VM, vm, namespace).spec.template.spec.networks;
        assert.deepEqual(
          networks.map((n: any) => n.multus.networkName),
          ["default/calico", `${namespace}/kubeovn`],
        );
        const kubeOvnKeys = Object.keys(annotations).filter((key) => key !== "cni.projectcalico.org/ipAddrs");
        assert.ok(
          kubeOvnKeys.every((key) => key.startsWith(`${provider}.kubernetes.io/`)),
          JSON.stringify(kubeOvnKeys),
        );
      }
    });

    it("gives each tenant its namespace, VPC, subnet, security group, IP reservation and default deny", () => {
      for (const tenant of ["acme", "globex"]) {
        const namespace = `tenant-${tenant}`;
        const t = config["tenantnet:tenants"][tenant];
        assert.deepEqual(object(result.resources, KINDS.namespace.type, namespace).metadata.labels, {
          "app.kubernetes.io/managed-by": "tenantnet",
          "tenantnet.io/tenant": tenant,
        });
        const routes = tenant === "acme" ? { staticRoutes: [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.254", policy: "policyDst" }] } : {};
        assert.deepEqual(object(result.resources, KINDS.vpc.type, namespace).spec, { namespaces: [namespace], ...routes });
        assert.equal(object(result.resources, SUBNET, namespace).spec.cidrBlock, t.vpc.cidr);
        assert.ok(object(result.resources, KINDS.securityGroup.type, namespace));
        assert.deepEqual(object(result.resources, KINDS.ipReservation.type, `${namespace}-underlay`).spec, {
          reservedCIDRs: [t.underlayBlock],
        });
        const deny = object(result.resources, POLICY, "default-deny-underlay", namespace);
        assert.deepEqual(deny.spec.types, ["Ingress", "Egress"]);
        assert.equal(deny.spec.selector, `tenantnet.io/tenant == '${tenant}'`);
      }
      const bastion = object(result.resources, POLICY, "default-deny-underlay", "tenant-acme").spec.ingress;
      assert.deepEqual(bastion, [{ action: "Allow", protocol: "TCP", source: { nets: ["10.50.0.100/32"] }, destination: { ports: [22] } }]);
    });

    it("returns each tenant's namespace and VM addresses as stack outputs", () => {
      const outputs = result.outputs as { platformInstalled: boolean; tenants: Record<string, any> };
      assert.equal(outputs.platformInstalled, true);
      assert.deepEqual(outputs.tenants.acme, {
        namespace: "tenant-acme",
        vms: {
          web: {
            underlayIp: "10.199.3.1",
            vpcIp: "10.0.1.2",
            macs: { underlay: "02:54:00:03:00:01", vpc: "02:54:00:01:00:01" },
            services: ["oss", "dns"],
          },
          db: { underlayIp: "10.199.3.2", vpcIp: "10.0.1.3", macs: {}, services: ["oss", "dns", "mirror"] },
        },
      });
      assert.deepEqual(Object.keys(outputs.tenants.globex.vms), ["app", "worker"]);
    });

    it("renders only objects the upstream schemas accept", () => {
      const tenantObjects = result.resources
        .filter((r) => r.parent !== undefined && /^(acme|globex)(\/|$)/.test(r.parent))
        .map((r) => r.inputs)
        .filter((o) => typeof o.apiVersion === "string");
      const report = validateManifests(loadSchemaDir(VENDORED_SCHEMAS_DIR), tenantObjects);
      assert.deepEqual(report.errors.map(formatSchemaError), []);
      assert.deepEqual(report.unchecked, []);
      assert.equal(report.count, tenantObjects.length);
    });
  });

  it("plans the tenant-only acme stack alone, with the reservation its VMs live in", async () => {
    const { resources, outputs } = await plan(stackFile("acme"), "acme");
    assert.equal((outputs as { platformInstalled: boolean }).platformInstalled, false);
    assert.deepEqual(
      resources.filter((r) => r.type.startsWith("tenantnet:platform:")),
      [],
    );
    assert.deepEqual(
      ofType(resources, PULUMI_TYPES.tenant).map((r) => r.name),
      ["acme"],
    );
    assert.deepEqual(object(resources, KINDS.ipReservation.type, "tenant-acme-underlay").spec.reservedCIDRs, ["10.199.3.0/27"]);
    assert.deepEqual(
      ofType(resources, VM)
        .map((r) => inputs(r).metadata.name)
        .sort(),
      ["db", "web"],
    );
    assert.ok(
      resources.every((r) => r.type.startsWith("tenantnet:tenant:") || r.parent !== undefined),
      "nothing outside the tenant",
    );
  });

  it("keeps every other VM's addresses when a VM is removed", async () => {
    const config = stackFile("dev");
    const before = renderedAddresses((await plan(config)).resources);
    const smaller = structuredClone(config);
    delete smaller["tenantnet:tenants"].acme.vms.web;
    const after = renderedAddresses((await plan(smaller)).resources);
    assert.deepEqual([...after.keys()].sort(), ["acme/db", "globex/app", "globex/worker"]);
    for (const [vm, addresses] of after) assert.deepEqual(addresses, before.get(vm), vm);
  });

  it("attaches to the platform's Kube-OVN NAD with kubeOvnAttachment: platform", async () => {
    const config = structuredClone(stackFile("dev"));
    config["tenantnet:tenants"].acme.kubeOvnAttachment = "platform";
    const { resources } = await plan(config);
    assert.deepEqual(
      ofType(resources, NAD)
        .map((r) => `${inputs(r).metadata.namespace}/${inputs(r).metadata.name}`)
        .sort(),
      ["default/calico", "default/kubeovn", "kube-ovn/tn-external", "tenant-globex/kubeovn"],
      "acme renders no NAD of its own",
    );
    assert.equal(
      object(resources, KINDS.vpcNatGateway.type, "tenant-acme").metadata.annotations["k8s.v1.cni.cncf.io/networks"],
      "default/kubeovn",
    );
    const provider = JSON.parse(object(resources, NAD, "kubeovn", "default").spec.config).plugins[0].provider;
    assert.equal(object(resources, SUBNET, "tenant-acme").spec.provider, provider);
    const machine = object(resources, VM, "web", "tenant-acme");
    assert.equal(machine.spec.template.spec.networks[1].multus.networkName, "default/kubeovn");
    assert.equal(machine.spec.template.metadata.annotations[kubeOvnAnnotation(provider, "ip_address")], "10.0.1.2");
  });
});
