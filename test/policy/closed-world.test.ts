/**
 * The closed-world and platform-values rules over the real dev render: every type in the dev and
 * acme renders is classified, and each class of unseen change (unknown type, patch, foreign
 * bundle, node-exposing Service, CRD, foreign kind in a tenant namespace, weakening values) is
 * refused with the resource and key named, unless the pack config allows it.
 */
import { strict as assert } from "assert";
import type { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as path from "path";
import { policyNamed } from "../../policy/rules";
import { readStackFile } from "../../lib/config/load";
import { referencedOutputs, validateStage } from "../../lib/plan/run";
import { REPO_ROOT } from "../../lib/stack-file";
import { tenantnet } from "../../program";
import { captureProgram, type CapturedResource } from "../../lib/plan/capture";
import { policyConfigFromStackConfig, RULES, type PolicyConfig } from "../../lib/policy";
import { classifyType, RESOURCE_TYPES, TENANT_NAMESPACE_TYPES, patchedType } from "../../lib/policy/resource-types";
import { policyPackConfig, readPolicyConfig } from "../../lib/policy/pack-config";
import { DEFAULT_VERSIONS, MULTUS_NAD_CRD_MANIFEST, PLATFORM_RELEASES } from "../../lib/pins";
import { NAD_CRD_FILE } from "../../components/platform/multus";
import { pulumiType } from "../../lib/k8s/kinds";
import { assertNone, assertOne, at, customResource, devStack, mandatory, named, stackRender } from "../fixtures/policy";

const CLOSED = "closed-world";
const VALUES = "platform-values";

/** A typed object as @pulumi/kubernetes names it (`kubernetes:core/v1:Pod`), unlike a CustomResource of apiVersion v1. */
function typed(name: string, object: Parameters<typeof customResource>[1]): CapturedResource {
  return { ...customResource(name, object), type: pulumiType(object.apiVersion, object.kind) };
}

/** A resource of the render by type and name: a platform component and its release share their name. */
function one(resources: CapturedResource[], type: string, name: string): CapturedResource {
  const found = resources.find((r) => r.type === type && r.name === name);
  assert.ok(found, `no ${type} ${name}`);
  return found;
}
const RELEASE = "kubernetes:helm.sh/v3:Release";

function helmRelease(name: string, inputs: Record<string, unknown>): CapturedResource {
  const type = "kubernetes:helm.sh/v3:Release";
  return { urn: `urn:pulumi:dev::tenantnet::${type}::${name}`, type, name, dependsOn: [], custom: true, inputs };
}

describe("policy closed-world: classification", () => {
  it("classifies every type of the dev and acme renders, and no judging rule is missing", async () => {
    const ruleNames = new Set<string>(RULES.map((r) => r.name));
    for (const stack of ["dev", "acme"]) {
      const { resources } = await stackRender(stack);
      const unknown = [...new Set(resources.map((r) => r.type))].filter((type) => classifyType(type).class === "unknown");
      assert.deepEqual(unknown, [], `${stack}: unclassified types`);
    }
    for (const [type, of] of RESOURCE_TYPES) {
      if (of.class === "judged") for (const rule of of.rules) assert.ok(ruleNames.has(rule), `${type} judged by unknown rule ${rule}`);
      else assert.ok(of.reason.length > 0, `${type} has no reason`);
    }
  });

  it("renders in tenant namespaces only the kinds the closed world lets through there", async () => {
    const { resources, config } = await devStack();
    const namespaces = new Set(Object.values(config.tenants ?? {}).map((t) => t.namespace));
    const rendered = new Set(resources.filter((r) => namespaces.has(at(r, "metadata")?.namespace)).map((r) => r.type));
    assert.deepEqual([...rendered].sort(), [...TENANT_NAMESPACE_TYPES].sort());
  });

  it("reads patch types as @pulumi/kubernetes names them", () => {
    assert.equal(patchedType("kubernetes:networking.k8s.io/v1:NetworkPolicyPatch"), "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    assert.equal(patchedType("kubernetes:kubevirt.io/v1:VirtualMachinePatch"), "kubernetes:kubevirt.io/v1:VirtualMachine");
    assert.equal(patchedType("kubernetes:helm.sh/v3:Release"), undefined);
    assert.equal(patchedType("tenantnet:tenant:TenantPatch"), undefined);
  });

  it("keeps the platform's pins in one place the builders use", () => {
    assert.ok(NAD_CRD_FILE.endsWith(`/${MULTUS_NAD_CRD_MANIFEST}`));
    assert.equal(PLATFORM_RELEASES.kubeOvn.chart, "kube-ovn-v2");
    assert.equal(DEFAULT_VERSIONS.kubeOvn, "v1.16.2");
  });
});

describe("policy closed-world", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("passes the dev and acme renders", async () => {
    assertNone(mandatory(resources, config), CLOSED);
    assertNone(mandatory(resources, config), VALUES);
    const acme = await stackRender("acme");
    assertNone(mandatory(acme.resources, acme.config), CLOSED);
    assertNone(mandatory(acme.resources, acme.config), VALUES);
  });

  it("refuses an unknown type, and lets it through when the pack config allows the type", () => {
    const gateway = customResource("egress", {
      apiVersion: "kubeovn.io/v1",
      kind: "VpcEgressGatewayX",
      metadata: { name: "egress", namespace: "kube-system" },
    });
    resources.push(gateway);
    assertOne(
      mandatory(resources, config, CLOSED),
      CLOSED,
      "egress",
      "type",
      "kubernetes:kubeovn.io/v1:VpcEgressGatewayX",
      "does not know",
    );
    const allowed = { ...config, allow: { types: { "kubernetes:kubeovn.io/v1:VpcEgressGatewayX": "reviewed: egress for the ops VPC" } } };
    assertNone(mandatory(resources, allowed), CLOSED);
  });

  it("refuses a refused type with its reason", () => {
    resources.push(
      typed("mutator", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingWebhookConfiguration",
        metadata: { name: "mutator" },
      }),
    );
    assertOne(mandatory(resources, config, CLOSED), CLOSED, "mutator", "MutatingWebhookConfiguration", "rewrites objects after");
  });

  it("refuses patches of judged kinds: a NetworkPolicyPatch, a VM's CustomResourcePatch, a NamespacePatch, a NAD patch", () => {
    const patches = [
      customResource("allow-all", {
        apiVersion: "projectcalico.org/v3",
        kind: "NetworkPolicyPatch",
        metadata: { name: "default-deny", namespace: "tenant-acme" },
      }),
      customResource("relabel", {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachinePatch",
        metadata: { name: "web", namespace: "tenant-acme" },
      }),
      typed("ns", { apiVersion: "v1", kind: "NamespacePatch", metadata: { name: "tenant-acme" } }),
      customResource("nad", {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinitionPatch",
        metadata: { name: "calico", namespace: "default" },
      }),
    ];
    resources.push(...patches);
    // The tenant-namespace ones are also foreign kinds there; here only the patch findings count.
    const violations = mandatory(resources, config, CLOSED).filter((v) => v.message.includes(": type = "));
    assertOne(
      violations,
      CLOSED,
      "allow-all",
      "kubernetes:projectcalico.org/v3:NetworkPolicyPatch",
      "a kind the pack judges (vm-underlay-policy",
    );
    assertOne(violations, CLOSED, "relabel", "live kubernetes:kubevirt.io/v1:VirtualMachine", "declare the whole object");
    assertOne(violations, CLOSED, "ns", "live kubernetes:core/v1:Namespace");
    assertOne(violations, CLOSED, "nad", "live kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition");
  });

  it("refuses a foreign Helm release and YAML group, and a platform release off its pins", () => {
    resources.push(
      helmRelease("extra", {
        chart: "allow-all",
        name: "extra",
        namespace: "default",
        repositoryOpts: { repo: "https://example.com" },
        version: "1.0.0",
      }),
      {
        ...customResource("bundle", { apiVersion: "v1", kind: "x", metadata: {} }),
        type: "kubernetes:yaml/v2:ConfigGroup",
        inputs: { yaml: "kind: GlobalNetworkPolicy" },
      },
    );
    at(one(resources, RELEASE, "platform-kube-ovn")).version = "v1.16.3";
    at(one(resources, RELEASE, "platform-calico-tigera-operator")).postrender = "/usr/local/bin/rewrite";
    at(named(resources, "platform-multus-nad-crd")).file = "/tmp/components/platform/manifests/other.yaml";
    const violations = mandatory(resources, config, CLOSED);
    assertOne(violations, CLOSED, "extra", "kubernetes:helm.sh/v3:Release", "none of the platform's releases");
    assertOne(violations, CLOSED, "bundle", "kubernetes:yaml/v2:ConfigGroup", "installs no bundle of this type");
    assertOne(violations, CLOSED, "platform-kube-ovn", 'version "v1.16.3" is not the pinned "v1.16.2"');
    assertOne(violations, CLOSED, "platform-calico-tigera-operator", "postrender brings content the pack cannot see");
    assertOne(violations, CLOSED, "platform-multus-nad-crd", MULTUS_NAD_CRD_MANIFEST);
  });

  it("accepts the platform's releases from a mirror the platform config names, and none on a tenant-only stack", () => {
    const mirrored = { ...config, platform: { ...config.platform, imageRegistry: "mirror.example:5000" } };
    const release = one(resources, RELEASE, "platform-kube-ovn");
    assertOne(mandatory(resources, mirrored, CLOSED), CLOSED, "platform-kube-ovn", "oci://mirror.example:5000/charts/kube-ovn-v2");
    at(release).chart = "oci://mirror.example:5000/charts/kube-ovn-v2";
    at(release).repositoryOpts = { repo: "" };
    assertNone(
      mandatory(resources, mirrored).filter((v) => v.resource === "platform-kube-ovn"),
      CLOSED,
    );
    const tenantOnly = { ...config, platform: { ...config.platform, install: false } };
    assertOne(mandatory(resources, tenantOnly, CLOSED), CLOSED, "platform-spiderpool", "does not install the platform");
  });

  it("refuses a Service on node ports or external IPs", () => {
    resources.push(
      typed("exposed", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "exposed", namespace: "default" },
        spec: { type: "NodePort", externalIPs: ["10.50.31.21"] },
      }),
    );
    const violations = mandatory(resources, config, CLOSED).filter((v) => v.resource === "exposed");
    assert.equal(violations.length, 2, violations.map((v) => v.message).join("\n"));
    assert.ok(violations.some((v) => v.message.includes('spec.type = "NodePort"')));
    assert.ok(violations.some((v) => v.message.includes('spec.externalIPs[0] = "10.50.31.21"') && v.message.includes("CVE-2020-8554")));
  });

  it("refuses a CRD that redefines a judged kind or converts by webhook; the platform's own pass", () => {
    resources.push(
      typed("crd", {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "subnets.kubeovn.io" },
        spec: { group: "kubeovn.io", names: { kind: "Subnet" }, versions: [{ name: "v1" }], conversion: { strategy: "Webhook" } },
      }),
    );
    const violations = mandatory(resources, config, CLOSED).filter((v) => v.resource === "crd");
    assert.equal(violations.length, 2, violations.map((v) => v.message).join("\n"));
    assert.ok(violations.some((v) => v.message.includes('spec.conversion.strategy = "Webhook"')));
    assert.ok(violations.some((v) => v.message.includes("redefines kubernetes:kubeovn.io/v1:Subnet")));
  });

  it("refuses a judged object without a namespace, and a provider that would supply one or upsert existing objects", () => {
    resources.push(
      customResource("nameless", { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "allow-all" }, spec: {} }),
      {
        ...customResource("provider", { apiVersion: "v1", kind: "x", metadata: {} }),
        type: "pulumi:providers:kubernetes",
        inputs: { namespace: "tenant-acme", upsertExistingObjects: "true" },
      },
    );
    const violations = mandatory(resources, config, CLOSED);
    assertOne(violations, CLOSED, "nameless", "NetworkPolicy allow-all: metadata.namespace = (unset)", "default namespace");
    const provider = violations.filter((v) => v.resource === "provider").map((v) => v.message);
    assert.equal(provider.length, 2, provider.join("\n"));
    assert.ok(provider[0].includes('pulumi:providers:kubernetes provider: namespace = "tenant-acme"'));
    assert.ok(provider[1].includes('upsertExistingObjects = "true"'), provider[1]);
  });

  it("refuses what the program does not render in a tenant namespace: a Pod, a Secret", () => {
    resources.push(
      typed("pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "sneaky", namespace: "tenant-acme" } }),
      typed("secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "tenant-globex" } }),
      typed("other-secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ops" } }),
    );
    const violations = mandatory(resources, config, CLOSED);
    assertOne(violations, CLOSED, "pod", "Pod tenant-acme/sneaky", "metadata.namespace", "tenant acme's namespace holds only");
    assertOne(violations, CLOSED, "secret", "tenant globex's namespace");
    assertNone(
      violations.filter((v) => v.resource === "other-secret"),
      CLOSED,
    );
    const allowed = { ...config, allow: { types: { "kubernetes:core/v1:Secret": "image pull secrets" } } };
    assertNone(
      mandatory(resources, allowed).filter((v) => v.resource === "secret"),
      CLOSED,
    );
  });
});

describe("policy platform-values", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("refuses KubeVirt permitted host devices and the HostDevices gate, and lets an allowed key through", () => {
    const configuration = at(named(resources, "platform-kubevirt-cr"), "spec", "configuration");
    configuration.permittedHostDevices = { pciHostDevices: [{ pciVendorSelector: "8086:1572", resourceName: "intel.com/nic" }] };
    configuration.developerConfiguration.featureGates = ["HostDevices"];
    const violations = mandatory(resources, config, VALUES);
    assertOne(
      violations.filter((v) => v.message.includes("permittedHostDevices")),
      VALUES,
      "platform-kubevirt-cr",
      "KubeVirt kubevirt/kubevirt: spec.configuration.permittedHostDevices",
      '"KubeVirt.spec.configuration.permittedHostDevices"',
    );
    assertOne(
      violations.filter((v) => v.message.includes("featureGates")),
      VALUES,
      "platform-kubevirt-cr",
      'spec.configuration.developerConfiguration.featureGates[0] = "HostDevices"',
    );
    const allowed = {
      ...config,
      allow: {
        platformValues: {
          "KubeVirt.spec.configuration.permittedHostDevices": "GPU nodes",
          "KubeVirt.spec.configuration.developerConfiguration.featureGates.HostDevices": "GPU nodes",
        },
      },
    };
    assertNone(mandatory(resources, allowed), VALUES);
  });

  it("refuses Felix source spoofing in a FelixConfiguration and in the operator chart's default one", () => {
    resources.push(
      customResource("felix", {
        apiVersion: "projectcalico.org/v3",
        kind: "FelixConfiguration",
        metadata: { name: "default" },
        spec: { workloadSourceSpoofing: "any" },
      }),
    );
    at(one(resources, RELEASE, "platform-calico-tigera-operator"), "values").defaultFelixConfiguration = {
      enabled: true,
      chainInsertMode: "Append",
    };
    const violations = mandatory(resources, config, VALUES);
    assertOne(violations, VALUES, "felix", 'FelixConfiguration default: spec.workloadSourceSpoofing = "any"', "allowedSourcePrefixes");
    assertOne(
      violations,
      VALUES,
      "platform-calico-tigera-operator",
      'values.defaultFelixConfiguration.chainInsertMode = "Append"',
      '"tigera-operator.defaultFelixConfiguration.chainInsertMode"',
    );
  });

  it("refuses the operator chart's own Installation, Kube-OVN u2o and extra objects, a second Multus from Spiderpool, cert-manager extra objects", () => {
    delete at(one(resources, RELEASE, "platform-calico-tigera-operator"), "values").installation;
    const kubeOvn = at(one(resources, RELEASE, "platform-kube-ovn"), "values");
    kubeOvn.features = { enableU2OInterconnections: true };
    kubeOvn.extraObjects = [{ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy" }];
    at(one(resources, RELEASE, "platform-spiderpool"), "values").multus.multusCNI.install = true;
    at(
      resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!,
      "helmOptions",
    ).values = { extraObjects: ["kind: Pod"] };
    const violations = mandatory(resources, config, VALUES);
    assertOne(violations, VALUES, "platform-calico-tigera-operator", "values.installation.enabled = (unset)", "its own Installation");
    assertOne(
      violations.filter((v) => v.message.includes("u2o")),
      VALUES,
      "platform-kube-ovn",
      "Helm release kube-ovn/kube-ovn: values.features.enableU2OInterconnections = true",
    );
    assertOne(
      violations.filter((v) => v.message.includes("extraObjects")),
      VALUES,
      "platform-kube-ovn",
      "values.extraObjects",
    );
    assertOne(violations, VALUES, "platform-spiderpool", "values.multus.multusCNI.install = true", "second Multus");
    assertOne(violations, VALUES, "platform-cert-manager", "helmOptions.values.extraObjects");
    kubeOvn.networking.networkType = "vlan";
    assertOne(
      mandatory(resources, config, VALUES).filter((v) => v.message.includes("networkType")),
      VALUES,
      "platform-kube-ovn",
      'values.networking.networkType = "vlan"',
      "node NIC",
    );
  });

  it("reads the allow section from a pack config, handed to the two rules", () => {
    const allow = { types: { "kubernetes:core/v1:Secret": "pull secrets" }, platformValues: { "kube-ovn-v2.apiNad.enabled": "ops VPC" } };
    const pack = policyPackConfig({ ...config, allow });
    assert.deepEqual(pack[CLOSED].allow, allow);
    assert.deepEqual(pack[VALUES].allow, allow);
    assert.deepEqual(readPolicyConfig(pack).allow, allow);
    assert.throws(() => readPolicyConfig({ allow: { types: { x: 1 } } }), /allow/);
  });
});

describe("policy closed-world and platform-values through the CrossGuard adapter", () => {
  /** What CrossGuard hands a resource policy, with its own entry of the generated pack config. */
  async function reports(policy: string, resource: CapturedResource, config: PolicyConfig): Promise<string[]> {
    const args = {
      type: resource.type,
      props: resource.inputs,
      urn: resource.urn,
      name: resource.name,
      getConfig: <T extends object>() => (policyPackConfig(config)[policy] ?? {}) as T,
    } as unknown as ResourceValidationArgs;
    const messages: string[] = [];
    // The adapter gives every resource policy one validateResource function.
    const validate = policyNamed<ResourceValidationPolicy>(policy).validateResource as ResourceValidation;
    await validate(args, (message: string) => messages.push(message));
    return messages;
  }

  it("refuses a NetworkPolicyPatch and a Felix source-spoofing setting as resource policies, before apply", async () => {
    const { config } = await devStack();
    const patch = customResource("allow-all", {
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicyPatch",
      metadata: { name: "default-deny", namespace: "ops" },
    });
    const felix = typed("felix", {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "FelixConfiguration",
      metadata: { name: "default" },
      spec: { workloadSourceSpoofing: "Any" },
    });
    const [patchMessage, ...more] = await reports(CLOSED, patch, config);
    assert.deepEqual(more, []);
    assert.match(patchMessage, /NetworkPolicyPatch ops\/default-deny: type = "kubernetes:projectcalico.org\/v3:NetworkPolicyPatch"/);
    assert.deepEqual(await reports(VALUES, felix, config), [
      'FelixConfiguration default: spec.workloadSourceSpoofing = "Any": lets a workload send from any source address it annotates (allowedSourcePrefixes); set it back, or allow "FelixConfiguration.spec.workloadSourceSpoofing" in the pack config (allow.platformValues) with the reason',
    ]);
    const allowed = { ...config, allow: { platformValues: { "FelixConfiguration.spec.workloadSourceSpoofing": "reviewed" } } };
    assert.deepEqual(await reports(VALUES, felix, allowed), []);
  });
});

describe("policy closed-world and platform-values on the program's own output", () => {
  /** The dev stack rendered by the real program with keys of `tenantnet:platform` replaced. */
  async function devWith(platform: Record<string, unknown>) {
    const flat = readStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml"));
    Object.assign(flat["tenantnet:platform"] as Record<string, unknown>, platform);
    const stackOutputs = await referencedOutputs(tenantnet, flat);
    const { resources } = await captureProgram({ project: "tenantnet", stack: "dev", config: flat, program: tenantnet, stackOutputs });
    return { resources, config: policyConfigFromStackConfig(validateStage("dev", flat, stackOutputs)) };
  }

  it("refuses host devices from values.kubevirt and source spoofing from values.calico where they land", async () => {
    const { resources, config } = await devWith({
      values: {
        kubevirt: {
          configuration: { permittedHostDevices: { pciHostDevices: [{ pciVendorSelector: "8086:1572", resourceName: "intel.com/nic" }] } },
        },
        calico: { defaultFelixConfiguration: { enabled: true, workloadSourceSpoofing: "Any" } },
      },
    });
    const violations = mandatory(resources, config, VALUES);
    assertOne(violations, VALUES, "platform-kubevirt-cr", "spec.configuration.permittedHostDevices");
    assertOne(violations, VALUES, "platform-calico-tigera-operator", 'values.defaultFelixConfiguration.workloadSourceSpoofing = "Any"');
    assert.equal(violations.length, 2, violations.map((v) => v.message).join("\n"));
  });

  it("accepts the platform's releases from a mirror and overridden versions, as the program renders them", async () => {
    const { resources, config } = await devWith({ imageRegistry: "mirror.example:5000", versions: { kubeOvn: "v1.16.3" } });
    const releases = resources.filter((r) => r.type === RELEASE);
    assert.ok(releases.every((r) => String(at(r).chart).startsWith("oci://mirror.example:5000/charts/")));
    assert.equal(at(one(resources, RELEASE, "platform-kube-ovn")).version, "v1.16.3");
    assertNone(mandatory(resources, config), CLOSED);
    assertNone(mandatory(resources, config), VALUES);
  });
});
