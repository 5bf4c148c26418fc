/**
 * The platform values that can weaken tenant isolation, per chart and per platform CR, each with
 * where upstream gives it that meaning. A finding's key is `<subject>.<key path>`
 * (`kube-ovn-v2.features.enableExternalVpcs`, `KubeVirt.spec.configuration.permittedHostDevices`),
 * which is also what the pack config's `allow.platformValues` names to let it through.
 */
import { PLATFORM_RELEASES } from "../pins";
import { asArray, asObject, asString, isObject, type Json } from "./k8s";

export interface ValueFinding {
  /** `<subject>.<key path>`: the allow-list key. */
  key: string;
  /** The key path inside the resource's inputs, for the message. */
  path: string;
  value: unknown;
  why: string;
}

type Check = (values: Json, path: string) => ValueFinding[];

function get(values: Json, keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), values);
}

/** One key judged by `refuse`, which says why its value weakens isolation (or undefined). */
function key(subject: string, keys: string[], refuse: (value: unknown) => string | undefined): Check {
  return (values, path) => {
    const value = get(values, keys);
    const why = refuse(value);
    return why === undefined ? [] : [{ key: `${subject}.${keys.join(".")}`, path: [path, ...keys].join("."), value, why }];
  };
}

const isTrue = (why: string) => (value: unknown) => (value === true ? why : undefined);
/** For keys whose upstream default is on: anything but an explicit false counts as on. */
const notFalse = (why: string) => (value: unknown) => (value === false ? undefined : why);
const nonEmpty = (why: string) => (value: unknown) =>
  (Array.isArray(value) && value.length > 0) || (isObject(value) && Object.keys(value).length > 0) ? why : undefined;
/** Calico reads these enums case-insensitively (`(?i)` in each field's kubebuilder pattern). */
const equalsIgnoringCase = (expected: string, why: string) => (value: unknown) =>
  typeof value === "string" && value.toLowerCase() === expected.toLowerCase() ? why : undefined;

/**
 * Felix settings that let a workload past its own policy (projectcalico/calico v3.32.1
 * api/pkg/apis/projectcalico/v3/felixconfig.go). DefaultEndpointToHostAction is not among them:
 * operator installs set it to ACCEPT by env var anyway, and the VM's egress policy is the control
 * point for its own node (docs/ARCHITECTURE.md, DESIGN's known traps).
 */
function felixChecks(subject: string): Check[] {
  return [
    // :1065-1068: with Any, a pod's allowedSourcePrefixes annotation lets it send from any address.
    key(
      subject,
      ["workloadSourceSpoofing"],
      equalsIgnoringCase("Any", "lets a workload send from any source address it annotates (allowedSourcePrefixes)"),
    ),
    // :419-427: Felix drops encapsulated packets from workloads unless these are true.
    key(
      subject,
      ["allowVXLANPacketsFromWorkloads"],
      isTrue("lets a workload send VXLAN packets that the dataplane decapsulates past its policy"),
    ),
    key(
      subject,
      ["allowIPIPPacketsFromWorkloads"],
      isTrue("lets a workload send IPIP packets that the dataplane decapsulates past its policy"),
    ),
    // :310-318: in append mode another rule earlier in the chain can accept before Calico's policy.
    key(
      subject,
      ["chainInsertMode"],
      equalsIgnoringCase("Append", "puts Calico's rules after others in each chain, which can accept traffic before policy"),
    ),
  ];
}

function nested(checks: Check[], prefix: string[]): Check {
  return (values, path) => {
    const inner = asObject(get(values, prefix));
    return checks.flatMap((check) => check(inner, [path, ...prefix].join(".")));
  };
}

const KUBE_OVN = PLATFORM_RELEASES.kubeOvn.chart;
const TIGERA = PLATFORM_RELEASES.tigeraOperator.chart;
const SPIDERPOOL = PLATFORM_RELEASES.spiderpool.chart;
const CERT_MANAGER = PLATFORM_RELEASES.certManager.chart;

/** Chart values, by chart name. */
export const CHART_VALUE_CHECKS: Record<string, Check[]> = {
  // kubeovn/kube-ovn v1.16.2 charts/kube-ovn-v2 (values.yaml; templates/controller/controller-deployment.yaml).
  [KUBE_OVN]: [
    key(KUBE_OVN, ["extraObjects"], nonEmpty("renders these objects unseen (templates/misc/extra-objects.yaml)")),
    key(
      KUBE_OVN,
      ["features", "enableU2OInterconnections"],
      isTrue("--default-u2o-interconnection: underlay subnets reach the overlay by default"),
    ),
    key(
      KUBE_OVN,
      ["features", "enableExternalVpcs"],
      isTrue("--enable-external-vpc: VPCs may be joined to external (interconnected) ones"),
    ),
    key(KUBE_OVN, ["features", "enableNetworkPolicies"], (v) =>
      v === false ? "--enable-np=false: Kube-OVN stops enforcing NetworkPolicy" : undefined,
    ),
    key(KUBE_OVN, ["apiNad", "enabled"], isTrue("creates a NAD and Subnet with full access to the API server (values.yaml apiNad)")),
    key(KUBE_OVN, ["networking", "networkType"], (v) =>
      v === undefined || v === "geneve"
        ? undefined
        : "--network-type: the default VPC's subnet goes onto a node NIC's VLAN (networking.vlan.interfaceName)",
    ),
  ],
  // projectcalico/calico v3.32.1 charts/tigera-operator (values.yaml:11-12, 98-99; templates/crs/).
  [TIGERA]: [
    key(
      TIGERA,
      ["installation", "enabled"],
      notFalse(
        "the chart renders its own Installation (default on, templates/crs/custom-resources.yaml), which the pack never sees; the program declares one",
      ),
    ),
    (values, path) =>
      get(values, ["defaultFelixConfiguration", "enabled"]) === true
        ? nested(felixChecks(`${TIGERA}.defaultFelixConfiguration`), ["defaultFelixConfiguration"])(values, path)
        : [],
  ],
  // spidernet-io/spiderpool v1.2.2 charts/spiderpool/values.yaml.
  [SPIDERPOOL]: [
    key(
      SPIDERPOOL,
      ["multus", "multusCNI", "install"],
      notFalse("installs a second Multus with its own config (default on, values.yaml:240); the platform's Multus is the one owner"),
    ),
    key(
      SPIDERPOOL,
      ["clusterDefaultPool", "installIPv4IPPool"],
      isTrue("the chart renders a default SpiderIPPool (values.yaml:342) the pack never sees"),
    ),
    key(
      SPIDERPOOL,
      ["clusterDefaultPool", "installIPv6IPPool"],
      isTrue("the chart renders a default SpiderIPPool (values.yaml:345) the pack never sees"),
    ),
    key(
      SPIDERPOOL,
      ["coordinator", "policyRoutes"],
      nonEmpty("adds routes to every coordinated pod's policy routing table (values.yaml:148)"),
    ),
  ],
  // cert-manager/cert-manager v1.19.6 deploy/charts/cert-manager/values.yaml:1480.
  [CERT_MANAGER]: [key(CERT_MANAGER, ["extraObjects"], nonEmpty("renders these objects unseen"))],
};

/** KubeVirt feature gates that reach the node or the launcher pod's network (kubevirt v1.9.0 pkg/virt-config/featuregate/active.go). */
const KUBEVIRT_GATES: Record<string, string> = {
  HostDevices: "VMs may take permitted host devices (a node NIC by PCI passthrough)",
  Sidecar: "hook sidecars run any image in the launcher pod's network namespace",
  NetworkDevicesWithDRA: "VMs may take network devices by DRA resource claim, beside any NAD",
};

/** The KubeVirt CR's spec (kubevirt v1.9.0 staging/src/kubevirt.io/api/core/v1/types.go). */
export function kubevirtChecks(spec: Json): ValueFinding[] {
  const subject = "KubeVirt.spec";
  const checks = [
    // :3121, PermittedHostDevices: what VMs may pass through (PCI, mediated, USB).
    key(
      subject,
      ["configuration", "permittedHostDevices"],
      nonEmpty("VMs with hostDevices get these node devices, a NIC by PCI passthrough included"),
    ),
    // :3774-3791: a binding plugin's sidecar image runs in the launcher pod, with a NAD of its own.
    key(
      subject,
      ["configuration", "network", "binding"],
      nonEmpty("a binding plugin runs its sidecar in the launcher pod and may bring its own NAD"),
    ),
    // :2617: patches and flags on KubeVirt's own Deployments, DaemonSets and webhooks.
    key(subject, ["customizeComponents"], nonEmpty("rewrites KubeVirt's own components (virt-handler, virt-api, its webhooks)")),
  ];
  const findings = checks.flatMap((check) => check(spec, "spec"));
  const gates = asArray(get(spec, ["configuration", "developerConfiguration", "featureGates"]));
  gates.forEach((gate, i) => {
    const name = asString(gate);
    if (name === undefined || KUBEVIRT_GATES[name] === undefined) return;
    findings.push({
      key: `${subject}.configuration.developerConfiguration.featureGates.${name}`,
      path: `spec.configuration.developerConfiguration.featureGates[${i}]`,
      value: name,
      why: KUBEVIRT_GATES[name],
    });
  });
  return findings;
}

/** A FelixConfiguration's spec, whichever group it is written in. */
export function felixConfigurationChecks(spec: Json): ValueFinding[] {
  return felixChecks("FelixConfiguration.spec").flatMap((check) => check(spec, "spec"));
}

/** A platform chart's values as `path` (e.g. `values`) holds them. */
export function chartValueChecks(chart: string, values: Json, path: string): ValueFinding[] {
  return (CHART_VALUE_CHECKS[chart] ?? []).flatMap((check) => check(values, path));
}
