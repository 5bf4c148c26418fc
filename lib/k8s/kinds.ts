/**
 * The Kubernetes kinds tenantnet renders and judges, each defined once: its apiVersion, kind and
 * the Pulumi type token a resource of it carries (`kubernetes:<group/version>:<Kind>`, core
 * kinds as `core/v1`). Builders take apiVersion/kind from here, readers compare type tokens.
 */

export interface Kind<A extends string = string, K extends string = string> {
  apiVersion: A;
  kind: K;
  /** The Pulumi type token, e.g. `kubernetes:kubevirt.io/v1:VirtualMachine`. */
  type: string;
}

/** The Pulumi type token of a Kubernetes kind, as @pulumi/kubernetes names its resources. */
export function pulumiType(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

function kindOf<const A extends string, const K extends string>(apiVersion: A, kind: K): Kind<A, K> {
  return { apiVersion, kind, type: pulumiType(apiVersion, kind) };
}

/** `{apiVersion, kind}` of a kind, to spread into an object being built. */
export function typeMeta<A extends string, K extends string>(of: Kind<A, K>): { apiVersion: A; kind: K } {
  return { apiVersion: of.apiVersion, kind: of.kind };
}

export const CALICO_V3 = "projectcalico.org/v3";
/** Calico's storage group: never written by tenantnet, but judged when a stack writes it. */
export const CALICO_CRD_V1 = "crd.projectcalico.org/v1";

export const KINDS = {
  namespace: kindOf("v1", "Namespace"),
  pod: kindOf("v1", "Pod"),
  replicationController: kindOf("v1", "ReplicationController"),
  configMap: kindOf("v1", "ConfigMap"),
  persistentVolumeClaim: kindOf("v1", "PersistentVolumeClaim"),
  serviceAccount: kindOf("v1", "ServiceAccount"),
  daemonSet: kindOf("apps/v1", "DaemonSet"),
  deployment: kindOf("apps/v1", "Deployment"),
  statefulSet: kindOf("apps/v1", "StatefulSet"),
  replicaSet: kindOf("apps/v1", "ReplicaSet"),
  job: kindOf("batch/v1", "Job"),
  cronJob: kindOf("batch/v1", "CronJob"),
  customResourceDefinition: kindOf("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
  priorityClass: kindOf("scheduling.k8s.io/v1", "PriorityClass"),
  role: kindOf("rbac.authorization.k8s.io/v1", "Role"),
  roleBinding: kindOf("rbac.authorization.k8s.io/v1", "RoleBinding"),
  clusterRole: kindOf("rbac.authorization.k8s.io/v1", "ClusterRole"),
  clusterRoleBinding: kindOf("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
  kubernetesNetworkPolicy: kindOf("networking.k8s.io/v1", "NetworkPolicy"),

  networkAttachmentDefinition: kindOf("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition"),

  calicoNetworkPolicy: kindOf(CALICO_V3, "NetworkPolicy"),
  calicoGlobalNetworkPolicy: kindOf(CALICO_V3, "GlobalNetworkPolicy"),
  calicoTier: kindOf(CALICO_V3, "Tier"),
  ipReservation: kindOf(CALICO_V3, "IPReservation"),
  ipamConfiguration: kindOf(CALICO_V3, "IPAMConfiguration"),
  calicoIpPool: kindOf(CALICO_V3, "IPPool"),
  calicoCrdNetworkPolicy: kindOf(CALICO_CRD_V1, "NetworkPolicy"),
  calicoCrdGlobalNetworkPolicy: kindOf(CALICO_CRD_V1, "GlobalNetworkPolicy"),
  calicoCrdTier: kindOf(CALICO_CRD_V1, "Tier"),
  calicoCrdIpReservation: kindOf(CALICO_CRD_V1, "IPReservation"),
  calicoCrdIpPool: kindOf(CALICO_CRD_V1, "IPPool"),
  installation: kindOf("operator.tigera.io/v1", "Installation"),
  apiServer: kindOf("operator.tigera.io/v1", "APIServer"),

  vpc: kindOf("kubeovn.io/v1", "Vpc"),
  subnet: kindOf("kubeovn.io/v1", "Subnet"),
  securityGroup: kindOf("kubeovn.io/v1", "SecurityGroup"),
  providerNetwork: kindOf("kubeovn.io/v1", "ProviderNetwork"),
  vlan: kindOf("kubeovn.io/v1", "Vlan"),
  vpcNatGateway: kindOf("kubeovn.io/v1", "VpcNatGateway"),
  iptablesEip: kindOf("kubeovn.io/v1", "IptablesEIP"),
  iptablesSnatRule: kindOf("kubeovn.io/v1", "IptablesSnatRule"),
  iptablesDnatRule: kindOf("kubeovn.io/v1", "IptablesDnatRule"),
  iptablesFipRule: kindOf("kubeovn.io/v1", "IptablesFIPRule"),
  vpcEgressGateway: kindOf("kubeovn.io/v1", "VpcEgressGateway"),
  vpcDns: kindOf("kubeovn.io/v1", "VpcDns"),
  ovnFip: kindOf("kubeovn.io/v1", "OvnFip"),
  ovnSnatRule: kindOf("kubeovn.io/v1", "OvnSnatRule"),
  ovnDnatRule: kindOf("kubeovn.io/v1", "OvnDnatRule"),
  kubeOvnVip: kindOf("kubeovn.io/v1", "Vip"),
  switchLbRule: kindOf("kubeovn.io/v1", "SwitchLBRule"),
  kubeOvnIpPool: kindOf("kubeovn.io/v1", "IPPool"),

  virtualMachine: kindOf("kubevirt.io/v1", "VirtualMachine"),
  virtualMachineInstance: kindOf("kubevirt.io/v1", "VirtualMachineInstance"),
  virtualMachineInstanceReplicaSet: kindOf("kubevirt.io/v1", "VirtualMachineInstanceReplicaSet"),
  /**
   * KubeVirt v1.9.0 still serves kubevirt.io/v1alpha3 beside v1 (staging/src/kubevirt.io/api/core/v1/register.go
   * ApiSupportedVersions) and pool.kubevirt.io/v1alpha1 beside v1beta1 (pkg/virt-operator/resource/generate/components/crds.go):
   * the same objects under another type token, judged the same.
   */
  virtualMachineV1alpha3: kindOf("kubevirt.io/v1alpha3", "VirtualMachine"),
  virtualMachineInstanceV1alpha3: kindOf("kubevirt.io/v1alpha3", "VirtualMachineInstance"),
  virtualMachineInstanceReplicaSetV1alpha3: kindOf("kubevirt.io/v1alpha3", "VirtualMachineInstanceReplicaSet"),
  virtualMachinePool: kindOf("pool.kubevirt.io/v1beta1", "VirtualMachinePool"),
  virtualMachinePoolV1alpha1: kindOf("pool.kubevirt.io/v1alpha1", "VirtualMachinePool"),
  kubevirt: kindOf("kubevirt.io/v1", "KubeVirt"),

  spiderMultusConfig: kindOf("spiderpool.spidernet.io/v2beta1", "SpiderMultusConfig"),
  spiderMultusConfigV2beta2: kindOf("spiderpool.spidernet.io/v2beta2", "SpiderMultusConfig"),
  spiderIpPool: kindOf("spiderpool.spidernet.io/v2beta1", "SpiderIPPool"),
  spiderSubnet: kindOf("spiderpool.spidernet.io/v2beta1", "SpiderSubnet"),

  clusterIssuer: kindOf("cert-manager.io/v1", "ClusterIssuer"),
  issuer: kindOf("cert-manager.io/v1", "Issuer"),
} as const;

/** Pulumi type tokens of resources that are not Kubernetes objects of one kind. */
export const PULUMI_TYPES = {
  helmRelease: "kubernetes:helm.sh/v3:Release",
  tenant: "tenantnet:tenant:Tenant",
} as const;
