/**
 * KubeVirt VirtualMachines (and bare VirtualMachineInstances, VMI replica sets and VM pools, each
 * judged by the VMI template it makes launcher pods from) as the rules see them: the launcher
 * pod's labels and annotations, networks and the binding of each interface.
 */
import { CALICO_IP_ADDRS_ANNOTATION, kubeOvnAnnotation, kubeOvnAnnotationProvider, VM_LABEL } from "../tenant/names";
import { parseGoJson } from "./cni-json";
import { asArray, asObject, asString, describe, isObject, objectName, objectNamespace, stringMap } from "./k8s";
import type { Labels } from "./selector";
import type { PolicyResource } from "./resource";
import { KINDS } from "../k8s/kinds";

/**
 * Where each KubeVirt kind keeps the VMI template a launcher pod is made from (KubeVirt v1.9.0
 * staging/src/kubevirt.io/api: core/v1 VirtualMachineSpec.Template, VirtualMachineInstanceReplicaSetSpec.Template,
 * pool/v1beta1 VirtualMachinePoolSpec.VirtualMachineTemplate.Spec.Template): `vmSpec` is the
 * VirtualMachineSpec (dataVolumeTemplates) where there is one, `template` the VMI template below it.
 */
interface VmKind {
  kind: string;
  vmSpec?: string[];
  template: string[];
}

const VM_KINDS = new Map<string, VmKind>([
  ...[KINDS.virtualMachine, KINDS.virtualMachineV1alpha3].map((k): [string, VmKind] => [
    k.type,
    { kind: k.kind, vmSpec: ["spec"], template: ["spec", "template"] },
  ]),
  ...[KINDS.virtualMachineInstance, KINDS.virtualMachineInstanceV1alpha3].map((k): [string, VmKind] => [
    k.type,
    { kind: k.kind, template: [] },
  ]),
  ...[KINDS.virtualMachineInstanceReplicaSet, KINDS.virtualMachineInstanceReplicaSetV1alpha3].map((k): [string, VmKind] => [
    k.type,
    { kind: k.kind, template: ["spec", "template"] },
  ]),
  ...[KINDS.virtualMachinePool, KINDS.virtualMachinePoolV1alpha1].map((k): [string, VmKind] => [
    k.type,
    { kind: k.kind, vmSpec: ["spec", "virtualMachineTemplate", "spec"], template: ["spec", "virtualMachineTemplate", "spec", "template"] },
  ]),
]);

function dig(node: unknown, path: string[]): Record<string, unknown> {
  return path.reduce<Record<string, unknown>>((at, key) => asObject(at[key]), asObject(node));
}

function keyPrefix(path: string[]): string {
  return path.map((key) => `${key}.`).join("");
}

/** KubeVirt interface bindings, by the key that selects them. */
const BINDINGS = ["bridge", "masquerade", "sriov", "slirp", "macvtap", "passt", "binding"];

export interface VmNetwork {
  index: number;
  name: string;
  /** `pod`, `multus`, or the other source key KubeVirt was given. */
  source: string;
  networkName?: string;
  multusDefault: boolean;
  /** The entry as written, for messages. */
  value: Record<string, unknown>;
}

export interface VmInterface {
  index: number;
  binding?: string;
}

/** A volume of the VM, with the claim behind it when it has one. */
export interface VmVolume {
  index: number;
  name: string;
  /** `persistentVolumeClaim`, `dataVolume`, `containerDisk`, ...: the source key KubeVirt was given. */
  source: string;
  /** The PVC's or DataVolume's name for those two sources. */
  claimName?: string;
}

export interface Vm {
  resource: PolicyResource;
  who: string;
  namespace: string;
  /** The VM's name in the stack config (`tenantnet.io/vm`), else metadata.name. */
  vmName: string;
  /** The KubeVirt kind: VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet, VirtualMachinePool. */
  kind: string;
  /**
   * Key prefix of the VMI template: `spec.template.` for a VM or VMI replica set, `` for a VMI,
   * `spec.virtualMachineTemplate.spec.template.` for a pool.
   */
  base: string;
  /** Labels Calico sees on the launcher pod's workload endpoint. */
  labels: Labels;
  annotations: Record<string, string>;
  networks: VmNetwork[];
  /** KubeVirt puts the pod network on a VM that declares no networks. */
  implicitPodNetwork: boolean;
  interfaces: Map<string, VmInterface>;
  /** The VM's own `evictionStrategy`; unset, the KubeVirt CR's applies. */
  evictionStrategy?: string;
  volumes: VmVolume[];
  /** Names of the host devices and GPUs passed through to the guest. */
  hostDevices: string[];
  /** Key paths of those host devices and GPUs, for messages. */
  hostDevicePaths: string[];
  /**
   * The launcher pod's service account: the VMI's spec.serviceAccountName, else its
   * `serviceAccount` volume's, else the namespace's `default` (KubeVirt v1.9.0
   * pkg/virt-controller/services/template.go:779-784).
   */
  serviceAccountName: string;
  /** `spec.dataVolumeTemplates` of a VM by name: the DataVolumes it creates for itself. */
  dataVolumeTemplates: Map<string, Record<string, unknown>>;
}

/** Whether the resource is a KubeVirt object that makes launcher pods (VM, VMI, VMI replica set, VM pool). */
export function isVm(resource: PolicyResource): boolean {
  return VM_KINDS.has(resource.type);
}

/** The service account a `serviceAccount` volume names, the first one if several. */
function serviceAccountVolume(volumes: unknown): string | undefined {
  for (const raw of asArray(volumes)) {
    const source = asObject(asObject(raw).serviceAccount);
    if (isObject(asObject(raw).serviceAccount)) return asString(source.serviceAccountName);
  }
  return undefined;
}

export function parseVm(resource: PolicyResource): Vm {
  const kind = VM_KINDS.get(resource.type) ?? { kind: resource.type.split(":").pop() ?? "", template: ["spec", "template"] };
  const template = dig(resource.inputs, kind.template);
  const vmSpec = kind.vmSpec === undefined ? undefined : dig(resource.inputs, kind.vmSpec);
  const base = keyPrefix(kind.template);
  const metadata = asObject(template.metadata);
  const spec = asObject(template.spec);
  const namespace = objectNamespace(resource);
  const name = objectName(resource);
  const templateLabels = stringMap(metadata.labels);
  const networks = asArray(spec.networks).map((raw, index): VmNetwork => {
    const network = asObject(raw);
    const source = Object.keys(network).find((k) => k !== "name") ?? "none";
    const multus = asObject(network.multus);
    return {
      index,
      name: asString(network.name) ?? "",
      source,
      networkName: asString(multus.networkName),
      multusDefault: multus.default === true,
      value: network,
    };
  });
  const interfaces = new Map<string, VmInterface>();
  asArray(asObject(asObject(spec.domain).devices).interfaces).forEach((raw, index) => {
    const iface = asObject(raw);
    const binding = BINDINGS.find((b) => isObject(iface[b]));
    interfaces.set(asString(iface.name) ?? "", { index, binding });
  });
  const devices = asObject(asObject(spec.domain).devices);
  const volumes = asArray(spec.volumes).map((raw, index): VmVolume => {
    const volume = asObject(raw);
    const source = Object.keys(volume).find((k) => k !== "name") ?? "none";
    const claimName =
      source === "persistentVolumeClaim"
        ? asString(asObject(volume.persistentVolumeClaim).claimName)
        : source === "dataVolume"
          ? asString(asObject(volume.dataVolume).name)
          : undefined;
    return { index, name: asString(volume.name) ?? "", source, ...(claimName === undefined ? {} : { claimName }) };
  });
  const dataVolumeTemplates = new Map<string, Record<string, unknown>>();
  if (vmSpec !== undefined) {
    for (const raw of asArray(vmSpec.dataVolumeTemplates)) {
      const template = asObject(raw);
      const dvName = asString(asObject(template.metadata).name);
      if (dvName !== undefined) dataVolumeTemplates.set(dvName, template);
    }
  }
  return {
    resource,
    who: describe(resource, true),
    namespace,
    vmName: templateLabels[VM_LABEL] ?? name,
    kind: kind.kind,
    base,
    labels: {
      ...templateLabels,
      // Set by KubeVirt and Calico on the launcher pod's endpoint; user selectors may use them.
      "kubevirt.io": "virt-launcher",
      "vm.kubevirt.io/name": name,
      "projectcalico.org/namespace": namespace,
      "projectcalico.org/orchestrator": "k8s",
    },
    annotations: stringMap(metadata.annotations),
    networks,
    implicitPodNetwork: networks.length === 0,
    interfaces,
    evictionStrategy: asString(spec.evictionStrategy),
    volumes,
    hostDevices: [...asArray(devices.hostDevices), ...asArray(devices.gpus)].map((d) => asString(asObject(d).name) ?? "(unnamed)"),
    hostDevicePaths: (["hostDevices", "gpus"] as const).flatMap((key) =>
      asArray(devices[key]).map((_, i) => `${base}spec.domain.devices.${key}[${i}]`),
    ),
    serviceAccountName: asString(spec.serviceAccountName) || serviceAccountVolume(spec.volumes) || "default",
    dataVolumeTemplates,
  };
}

/** The network a VM's default (`eth0`) NIC comes from: a `pod` network or the Multus default. */
export function defaultNetwork(vm: Vm): VmNetwork | undefined {
  return vm.networks.find((n) => n.source === "pod") ?? vm.networks.find((n) => n.multusDefault);
}

/** Where a network sits in the object, for messages. */
export function networkPath(vm: Vm, network: VmNetwork): string {
  return `${vm.base}spec.networks[${network.index}]`;
}

export function interfacePath(vm: Vm, iface: VmInterface): string {
  return `${vm.base}spec.domain.devices.interfaces[${iface.index}]`;
}

export function annotationPath(vm: Vm, annotation: string): string {
  return `${vm.base}metadata.annotations[${JSON.stringify(annotation)}]`;
}

/**
 * The Calico fixed-IP annotation's addresses (a JSON list of strings, Go-decoded by Calico's CNI
 * plugin) on any pod template, or why it cannot be read.
 */
export function calicoIpAddrs(annotations: Record<string, string>): { ips: string[] } | { problem: string } {
  const text = annotations[CALICO_IP_ADDRS_ANNOTATION];
  if (text === undefined) return { problem: "missing" };
  const parsed = parseGoJson(text);
  if (!parsed.ok || !Array.isArray(parsed.value)) return { problem: "not a JSON list" };
  if (parsed.value.some((ip) => typeof ip !== "string")) return { problem: "not a JSON list of addresses" };
  return { ips: parsed.value as string[] };
}

/** The VM's Calico fixed-IP addresses, or why they cannot be read. */
export function underlayIps(vm: Vm): { ips: string[] } | { problem: string } {
  return calicoIpAddrs(vm.annotations);
}

export interface VpcAddress {
  annotation: string;
  ip: string;
  /** The logical switch (subnet) the address is in, or the provider when no switch is named. */
  subnet: string;
}

export function vpcAddresses(vm: Vm): VpcAddress[] {
  const addresses: VpcAddress[] = [];
  for (const [annotation, value] of Object.entries(vm.annotations)) {
    // Kube-OVN fixed-IP annotations: `<provider>.kubernetes.io/ip_address`.
    const provider = kubeOvnAnnotationProvider(annotation, "ip_address");
    if (provider === undefined) continue;
    const subnet = vm.annotations[kubeOvnAnnotation(provider, "logical_switch")] ?? `provider ${provider}`;
    // Dual-stack values are "v4,v6"; addresses may carry a prefix length.
    for (const ip of value.split(",")) addresses.push({ annotation, ip: ip.trim().replace(/\/\d+$/, ""), subnet });
  }
  return addresses;
}
