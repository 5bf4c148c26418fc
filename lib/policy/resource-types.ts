/**
 * The closed world: every resource type a stack may contain, classified. Judged types are read by
 * the named rules; inert types cannot change what a tenant's NICs reach (each with the reason);
 * refused types can (they rewrite objects after the pack judged them, or open paths the rules do
 * not model) and are refused unless the pack config allows them. Anything else is unknown, and so
 * is refused; `*Patch` types and opaque bundles (Helm, YAML, Kustomize) are recognised by shape.
 */
import { KINDS, PULUMI_TYPES, pulumiType } from "../k8s/kinds";

export type TypeClass =
  { class: "judged"; rules: readonly string[] } | { class: "inert"; reason: string } | { class: "refused"; reason: string };

/** Rules that read every pod-template owner (lib/policy/workload.ts), VMs included. */
const WORKLOAD_RULES = ["workload-networks", "workload-annotations", "workload-host-access"];

const VM_RULES = [
  "vm-networks",
  "vm-underlay-ip",
  "vm-unique-addresses",
  "vm-underlay-policy",
  "vm-live-migration",
  "underlay-ipvlan-bridge",
];
const POLICY_RULES = ["vm-underlay-policy", "underlay-egress-catalog", "underlay-node-ports"];

export const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

const judged = (...rules: string[]): TypeClass => ({ class: "judged", rules });
const inert = (reason: string): TypeClass => ({ class: "inert", reason });
const refused = (reason: string): TypeClass => ({ class: "refused", reason });

/** Pod-template owners beside VMs: every one of them can run a pod on the underlay. */
const WORKLOAD_TYPES = [
  KINDS.pod.type,
  KINDS.replicationController.type,
  KINDS.deployment.type,
  KINDS.daemonSet.type,
  KINDS.statefulSet.type,
  KINDS.replicaSet.type,
  KINDS.job.type,
  KINDS.cronJob.type,
];

/** KubeVirt kinds that make launcher pods, in every version KubeVirt v1.9.0 serves (lib/policy/vm.ts). */
const VM_TYPES = [
  KINDS.virtualMachine.type,
  KINDS.virtualMachineInstance.type,
  KINDS.virtualMachineInstanceReplicaSet.type,
  KINDS.virtualMachineV1alpha3.type,
  KINDS.virtualMachineInstanceV1alpha3.type,
  KINDS.virtualMachineInstanceReplicaSetV1alpha3.type,
  KINDS.virtualMachinePool.type,
  KINDS.virtualMachinePoolV1alpha1.type,
];

/** policy.networking.k8s.io admin policies, in the versions the network-policy-api project published. */
const ADMIN_POLICY_TYPES = [
  pulumiType("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy"),
  pulumiType("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy"),
  pulumiType("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"),
];

const CALICO_GROUPS = [KINDS.calicoNetworkPolicy.apiVersion, KINDS.calicoCrdNetworkPolicy.apiVersion];
const calico = (kind: string) => CALICO_GROUPS.map((apiVersion) => pulumiType(apiVersion, kind));

const PLATFORM_COMPONENTS = [
  "Platform",
  "CertManager",
  "Calico",
  "Multus",
  "RoutePluginInstaller",
  "Kubevirt",
  "KubeOvn",
  "Spiderpool",
].map((name) => `tenantnet:platform:${name}`);
const COMPONENT_REASON = "one of the program's own components: it holds no object itself, its children are judged one by one";
const WEBHOOK_REASON = "an admission webhook or policy that mutates rewrites objects after the pack judged them";

function entries(types: readonly string[], of: TypeClass): [string, TypeClass][] {
  return types.map((type) => [type, of]);
}

/** Exact Pulumi type tokens, judged, inert or refused. */
export const RESOURCE_TYPES: ReadonlyMap<string, TypeClass> = new Map<string, TypeClass>([
  // Workloads and their attachments.
  ...entries(VM_TYPES, judged(...VM_RULES, ...WORKLOAD_RULES)),
  ...entries(WORKLOAD_TYPES, judged(...WORKLOAD_RULES, "workload-underlay-ip", "vm-unique-addresses")),
  [KINDS.networkAttachmentDefinition.type, judged("nad-config", "vm-networks", "calico-nad-routes", "underlay-ipvlan-bridge")],
  ...entries([KINDS.spiderMultusConfig.type, KINDS.spiderMultusConfigV2beta2.type], judged("underlay-ipvlan-bridge")),
  [KINDS.spiderIpPool.type, judged("address-pools")],
  [KINDS.persistentVolumeClaim.type, judged("vm-live-migration")],
  [KINDS.namespace.type, judged("vm-underlay-policy")],
  // Policy.
  ...entries([...calico("NetworkPolicy"), ...calico("GlobalNetworkPolicy"), KINDS.kubernetesNetworkPolicy.type], judged(...POLICY_RULES)),
  ...entries(ADMIN_POLICY_TYPES, judged(...POLICY_RULES)),
  ...entries(calico("Tier"), judged("vm-underlay-policy")),
  // Calico addresses and dataplane.
  ...entries(calico("IPReservation"), judged("vm-underlay-ip", "address-pools")),
  ...entries(calico("IPPool"), judged("address-pools")),
  [KINDS.ipamConfiguration.type, judged("vm-live-migration")],
  [KINDS.installation.type, judged("vm-live-migration", "underlay-node-ports", "address-pools")],
  ...entries(calico("FelixConfiguration"), judged("platform-values")),
  // Kube-OVN.
  [KINDS.subnet.type, judged("kubeovn-subnet-overlap", "tenant-nat", "kubeovn-topology")],
  [KINDS.vpc.type, judged("tenant-nat", "kubeovn-topology")],
  [
    KINDS.securityGroup.type,
    inert(
      "filters only the Kube-OVN ports whose security_groups annotation names it, and workload-annotations holds every workload to its own tenant's group: it cannot open the underlay or another tenant's VPC",
    ),
  ],
  ...entries(
    [KINDS.providerNetwork.type, KINDS.vlan.type],
    inert(
      "a node uplink for Kube-OVN VLAN subnets: only a Subnet with `vlan` uses it, kubeovn-topology refuses `vlan` on every tenant Subnet, and workload-networks keeps tenants on their own Kube-OVN NAD",
    ),
  ),
  ...entries(
    [KINDS.vpcNatGateway, KINDS.iptablesEip, KINDS.iptablesSnatRule, KINDS.iptablesDnatRule, KINDS.iptablesFipRule].map((k) => k.type),
    judged("tenant-nat"),
  ),
  // Platform parts and what the closed world itself reads.
  [KINDS.kubevirt.type, judged("platform-values", "vm-live-migration")],
  [pulumiType("v1", "Service"), judged("closed-world")],
  [KINDS.customResourceDefinition.type, judged("closed-world")],

  // Inert: no packet path, no object rewritten.
  [KINDS.configMap.type, inert("data only: it reaches networking through the pods that mount it, which are judged")],
  [pulumiType("v1", "Secret"), inert("data only: it reaches networking through the pods that mount it, which are judged")],
  [
    KINDS.serviceAccount.type,
    inert(
      "an identity for API access; launcher pods run as their namespace's `default`, which a stack cannot redeclare (creating an existing object fails unless the provider upserts, which closed-world refuses)",
    ),
  ],
  ...entries(
    [KINDS.role.type, KINDS.roleBinding.type, KINDS.clusterRole.type, KINDS.clusterRoleBinding.type],
    inert("grants API access; what a subject does with it happens outside the stack"),
  ),
  [KINDS.priorityClass.type, inert("scheduling priority only")],
  [pulumiType("policy/v1", "PodDisruptionBudget"), inert("limits voluntary evictions only")],
  ...entries(
    [pulumiType("v1", "ResourceQuota"), pulumiType("v1", "LimitRange")],
    inert("restricts what a namespace may request, never what it reaches"),
  ),
  [KINDS.apiServer.type, inert("asks the Tigera operator to run Calico's API server; its spec only tunes that Deployment")],
  ...entries(
    [KINDS.issuer.type, KINDS.clusterIssuer.type, pulumiType("cert-manager.io/v1", "Certificate")],
    inert("issues TLS certificates; no packet path"),
  ),
  ...entries(
    [
      pulumiType("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
      pulumiType("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
      pulumiType("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"),
    ],
    inert("can only refuse a request, never change an object"),
  ),
  ...entries([...PLATFORM_COMPONENTS, PULUMI_TYPES.tenant, "tenantnet:tenant:TenantVm"], inert(COMPONENT_REASON)),
  ["pulumi:pulumi:Stack", inert("the stack's root component")],
  ["pulumi:pulumi:StackReference", inert("reads another stack's outputs")],
  [KUBERNETES_PROVIDER_TYPE, judged("closed-world")],
  ["pulumi:providers:kubernetes-cert-manager", inert("provider settings of cert-manager's component, whose release is judged")],

  // Refused: they change objects or paths the rules do not model.
  ...entries(
    [
      pulumiType("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
      pulumiType("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy"),
      pulumiType("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicyBinding"),
      pulumiType("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy"),
      pulumiType("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding"),
    ],
    refused(WEBHOOK_REASON),
  ),
  [
    pulumiType("apiregistration.k8s.io/v1", "APIService"),
    refused("an aggregated API server answers for a whole group version (projectcalico.org/v3 policies among them)"),
  ],
  ...entries(
    [pulumiType("v1", "Endpoints"), pulumiType("discovery.k8s.io/v1", "EndpointSlice")],
    refused("points a Service's address at any backend, node and catalog addresses included"),
  ),
  ...entries(
    [...calico("BGPPeer"), ...calico("BGPConfiguration"), ...calico("BGPFilter")],
    refused("changes what the fabric routes to and from the pod CIDR"),
  ),
  ...entries(calico("HostEndpoint"), refused("host endpoint policy changes what reaches the nodes")),
  ...entries(
    [...calico("GlobalNetworkSet"), ...calico("NetworkSet")],
    refused("a policy selector can match its nets, widening an allow the rules judge by its nets"),
  ),
  ...entries(
    ["VpcDns", "VpcEgressGateway", "OvnEip", "OvnFip", "OvnSnatRule", "OvnDnatRule", "Vip", "IP", "IPPool", "SwitchLBRule"].map((kind) =>
      pulumiType(KINDS.vpc.apiVersion, kind),
    ),
    refused("Kube-OVN addressing or NAT the program never renders: it can move traffic into or out of a tenant VPC"),
  ),
]);

/**
 * Namespaced kinds whose namespace the rules read (policy scope, tenant, NAD references). Without
 * `metadata.namespace` such an object lands in the provider's or kubeconfig's default namespace,
 * which the pack cannot see, while the rules read it as `default`.
 */
export const NAMESPACE_READ_TYPES: readonly string[] = [
  ...VM_TYPES,
  ...WORKLOAD_TYPES,
  KINDS.networkAttachmentDefinition.type,
  KINDS.spiderMultusConfig.type,
  KINDS.spiderMultusConfigV2beta2.type,
  KINDS.persistentVolumeClaim.type,
  KINDS.kubevirt.type,
  ...calico("NetworkPolicy"),
  KINDS.kubernetesNetworkPolicy.type,
  pulumiType("v1", "Service"),
];

/** Opaque bundles: Helm, YAML and Kustomize resources whose objects the offline plan never sees one by one. */
export const BUNDLE_TYPES: readonly string[] = [
  "kubernetes:helm.sh/v2:Chart",
  "kubernetes:helm.sh/v3:Chart",
  PULUMI_TYPES.helmRelease,
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:yaml:ConfigFile",
  "kubernetes:yaml:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:kustomize:Directory",
  "kubernetes:kustomize/v2:Directory",
  "kubernetes-cert-manager:index:CertManager",
];

/** The kinds the program renders inside a tenant namespace (lib/tenant, components/tenant). */
export const TENANT_NAMESPACE_TYPES: readonly string[] = [
  KINDS.networkAttachmentDefinition.type,
  KINDS.calicoNetworkPolicy.type,
  KINDS.virtualMachine.type,
];

/**
 * The type a `*Patch` resource patches: @pulumi/kubernetes names patches `kubernetes:<group/version>:<Kind>Patch`,
 * CustomResourcePatch included (v4 apiextensions/customResourcePatch.js: `${apiVersion}:${kind}Patch`).
 */
export function patchedType(type: string): string | undefined {
  const [provider, groupVersion, kind] = type.split(":");
  if (provider !== "kubernetes" || groupVersion === undefined || kind === undefined || !kind.endsWith("Patch")) return undefined;
  const target = kind.slice(0, -"Patch".length);
  return target === "" ? undefined : `${provider}:${groupVersion}:${target}`;
}

export type Classification = TypeClass | { class: "patch"; of: string; target?: TypeClass } | { class: "bundle" } | { class: "unknown" };

export function classifyType(type: string): Classification {
  if (BUNDLE_TYPES.includes(type)) return { class: "bundle" };
  const known = RESOURCE_TYPES.get(type);
  if (known) return known;
  const of = patchedType(type);
  if (of !== undefined) return { class: "patch", of, target: RESOURCE_TYPES.get(of) };
  return { class: "unknown" };
}

/** Whether `type` (apiVersion/kind of a CRD's versions) is a kind the pack judges or refuses. */
export function isGuardedType(type: string): boolean {
  const known = RESOURCE_TYPES.get(type);
  return known !== undefined && known.class !== "inert";
}
