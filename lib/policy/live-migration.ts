/**
 * Which VMs can live-migrate with both addresses kept, and what stops or degrades the others,
 * judged from what the stack declares. Feeds the `vm-live-migration` advisory, plan.json's
 * `liveMigration` and the plan summary.
 *
 * KubeVirt itself does not block these VMs: its only network check concerns a `pod` network,
 * and theirs are all Multus (kubevirt v1.9.0 pkg/network/vmispec/interface.go:58-89). What
 * matters is that a drain migrates them, that their disks and devices can move, and that both
 * CNIs hand the target pod the source's addresses: Calico 3.32 with VM address persistence on a
 * routed, un-NATed pool, Kube-OVN 1.16.1 or later.
 *
 * Each reason says whether it `blocks` (the VM is restarted, or loses an address or its policy),
 * `degrades` (it migrates with its addresses, but established sessions may break) or is
 * `unknown` (the stack does not show it). A VM is migratable when no reason blocks or is unknown.
 */
import { cidrProblem, containsIp, parseCidr } from "../cidr";
import { CALICO_NETWORK_NAME } from "../cni-config";
import { KINDS, PULUMI_TYPES } from "../k8s/kinds";
import { isCalicoNad, isKubeOvnNad } from "./cni";
import { asArray, asObject, asString, objectName, objectNamespace } from "./k8s";
import type { PolicyResource } from "./resource";
import type { PolicyConfig } from "./config";
import { StackView } from "./stack";
import { defaultNetwork, underlayIps, type Vm } from "./vm";

type Effect = "blocks" | "degrades" | "unknown";

export interface LiveMigrationVerdict {
  /** `<namespace>/<name>` of the VirtualMachine. */
  vm: string;
  migratable: boolean;
  /** `<effect>: <what, where, and why it matters>`, blocking and unknown reasons first. */
  reasons: string[];
}

interface Reason {
  effect: Effect;
  text: string;
}

/** Upstream chart names the versions are read from (the Helm release's version is the release's). */
const CALICO_CHARTS = ["tigera-operator"];
const KUBE_OVN_CHARTS = ["kube-ovn-v2", "kube-ovn"];
/** VM address persistence (projectcalico/calico v3.32.0 release). */
const CALICO_MIN: Version = [3, 32, 0];
/** A migrated VM's port keeps its security groups from v1.16.1 (kubeovn/kube-ovn#6666, d1a541c1e, in v1.16.0..v1.16.1). */
const KUBE_OVN_MIN: Version = [1, 16, 1];
/** KubeVirt's cluster default (kubevirt v1.9.0 pkg/virt-config/configuration.go:186). */
const KUBEVIRT_DEFAULT_EVICTION = "None";
const READ_WRITE_MANY = "ReadWriteMany";

type Version = [number, number, number];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function below(version: Version, min: Version): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== min[i]) return version[i] < min[i];
  return false;
}

function chartOf(resource: PolicyResource): string {
  return (asString(resource.inputs.chart) ?? "").split("/").pop() ?? "";
}

interface Pool {
  name: string;
  cidr: string;
  encapsulation?: string;
  natOutgoing?: string;
}

/** What the stack declares about the cluster, once for all VMs. */
interface ClusterFacts {
  kubevirt: PolicyResource[];
  pools?: Pool[];
  ipamConfiguration?: PolicyResource;
  calicoReleases: PolicyResource[];
  kubeOvnReleases: PolicyResource[];
  /** `namespace/name` -> accessModes of the PVCs the stack declares. */
  claims: Map<string, string[]>;
}

function clusterFacts(resources: PolicyResource[]): ClusterFacts {
  const facts: ClusterFacts = { kubevirt: [], calicoReleases: [], kubeOvnReleases: [], claims: new Map() };
  for (const resource of resources) {
    if (resource.type === KINDS.kubevirt.type) facts.kubevirt.push(resource);
    else if (resource.type === KINDS.installation.type) {
      const pools = asArray(asObject(asObject(resource.inputs.spec).calicoNetwork).ipPools).map((raw): Pool => {
        const pool = asObject(raw);
        return {
          name: asString(pool.name) ?? "(unnamed)",
          cidr: asString(pool.cidr) ?? "",
          encapsulation: asString(pool.encapsulation),
          natOutgoing: asString(pool.natOutgoing),
        };
      });
      facts.pools = [...(facts.pools ?? []), ...pools];
    } else if (resource.type === KINDS.ipamConfiguration.type && objectName(resource) === "default") facts.ipamConfiguration = resource;
    else if (resource.type === PULUMI_TYPES.helmRelease) {
      if (CALICO_CHARTS.includes(chartOf(resource))) facts.calicoReleases.push(resource);
      if (KUBE_OVN_CHARTS.includes(chartOf(resource))) facts.kubeOvnReleases.push(resource);
    } else if (resource.type === KINDS.persistentVolumeClaim.type) {
      const modes = asArray(asObject(resource.inputs.spec).accessModes).flatMap((m) => asString(m) ?? []);
      facts.claims.set(`${objectNamespace(resource)}/${objectName(resource)}`, modes);
    }
  }
  return facts;
}

function evictionReasons(vm: Vm, facts: ClusterFacts): Reason[] {
  let strategy = vm.evictionStrategy;
  let source = `its ${vm.base}spec.evictionStrategy`;
  if (strategy === undefined) {
    if (facts.kubevirt.length === 0) {
      return [
        {
          effect: "unknown",
          text: `evictionStrategy: the VM sets none and the stack declares no KubeVirt CR, whose default is ${KUBEVIRT_DEFAULT_EVICTION} (a drain restarts the VM); set vms.<vm>.evictionStrategy or check the platform stack`,
        },
      ];
    }
    const cr = facts.kubevirt[0];
    strategy = asString(asObject(asObject(cr.inputs.spec).configuration).evictionStrategy) ?? KUBEVIRT_DEFAULT_EVICTION;
    source = `the KubeVirt CR ${objectNamespace(cr)}/${objectName(cr)}'s spec.configuration.evictionStrategy${strategy === KUBEVIRT_DEFAULT_EVICTION ? ", KubeVirt's default" : ""}`;
  }
  switch (strategy) {
    case "LiveMigrate":
    case "LiveMigrateIfPossible":
      return [];
    case "None":
      return [{ effect: "blocks", text: `evictionStrategy None (${source}): a node drain restarts the VM instead of migrating it` }];
    case "External":
      return [
        {
          effect: "blocks",
          text: `evictionStrategy External (${source}): a node drain leaves the VM to an external controller; KubeVirt does not migrate it`,
        },
      ];
    default:
      return [{ effect: "unknown", text: `evictionStrategy ${JSON.stringify(strategy)} (${source}) is not one KubeVirt v1.9 knows` }];
  }
}

function accessModesReason(what: string, modes: string[] | undefined): Reason | undefined {
  if (modes === undefined || modes.length === 0)
    return { effect: "unknown", text: `${what}: its access modes are not in the stack; live migration needs ${READ_WRITE_MANY}` };
  if (modes.includes(READ_WRITE_MANY)) return undefined;
  return {
    effect: "blocks",
    text: `${what} is ${modes.join(", ")}, not ${READ_WRITE_MANY}: KubeVirt does not live-migrate a VM whose disk only one node can mount`,
  };
}

function volumeReasons(vm: Vm, facts: ClusterFacts): Reason[] {
  return vm.volumes.flatMap((volume): Reason[] => {
    if (volume.claimName === undefined) return [];
    const what = `volume ${volume.name} (${vm.base}spec.volumes[${volume.index}])`;
    if (volume.source === "persistentVolumeClaim") {
      const ref = `${vm.namespace}/${volume.claimName}`;
      const modes = facts.claims.get(ref);
      if (modes === undefined)
        return [
          { effect: "unknown", text: `${what}: PVC ${ref} is not declared in the stack, so whether it is ${READ_WRITE_MANY} is unknown` },
        ];
      return [accessModesReason(`${what}: PVC ${ref}`, modes)].filter((r): r is Reason => r !== undefined);
    }
    const template = vm.dataVolumeTemplates.get(volume.claimName);
    if (template === undefined)
      return [
        {
          effect: "unknown",
          text: `${what}: DataVolume ${vm.namespace}/${volume.claimName} is not among the VM's dataVolumeTemplates, so whether it is ${READ_WRITE_MANY} is unknown`,
        },
      ];
    // CDI takes `pvc` as written; under `storage` unset modes come from the storage profile.
    const spec = asObject(template.spec);
    const modesOf = (claim: unknown) => asArray(asObject(claim).accessModes).flatMap((m) => asString(m) ?? []);
    const modes = modesOf(spec.pvc).length > 0 ? modesOf(spec.pvc) : modesOf(spec.storage);
    return [accessModesReason(`${what}: DataVolume template ${volume.claimName}`, modes)].filter((r): r is Reason => r !== undefined);
  });
}

function poolReasons(vm: Vm, facts: ClusterFacts, dataplane: string | undefined): Reason[] {
  const read = underlayIps(vm);
  if ("problem" in read || read.ips.length === 0)
    return [
      { effect: "unknown", text: "the underlay address is unreadable (see vm-underlay-ip), so the Calico pool holding it is unknown" },
    ];
  if (facts.pools === undefined) {
    if (dataplane === "overlay") return [overlayReason("the platform's dataplane overlay (policy config network.dataplane)")];
    if (dataplane === "bgp") return [];
    return [
      {
        effect: "unknown",
        text: "the stack declares no Calico Installation and the policy config no network.dataplane: whether the VM's pool is routed and un-NATed is unknown",
      },
    ];
  }
  return read.ips.flatMap((ip): Reason[] => {
    const pool = facts.pools!.find((p) => cidrProblem(p.cidr) === undefined && containsIp(parseCidr(p.cidr), ip));
    if (!pool) return [{ effect: "unknown", text: `no IP pool of the Installation holds the underlay address ${ip}` }];
    const where = `Installation pool ${pool.name} (${pool.cidr}), which holds ${ip}`;
    const reasons: Reason[] = [];
    // Unset, the operator defaults an IPv4 pool to IPIP and natOutgoing Enabled (tigera/operator
    // v1.42.3 pkg/controller/ippool/defaults.go:173-182).
    const encapsulation = pool.encapsulation ?? "IPIP";
    if (encapsulation !== "None") reasons.push(overlayReason(`encapsulation ${encapsulation} on ${where}`));
    const nat = pool.natOutgoing ?? "Enabled";
    if (nat !== "Disabled") {
      reasons.push({
        effect: "degrades",
        text: `natOutgoing ${nat} on ${where}: the VM's established sessions to destinations outside the pool break when its node changes (platform.network.dataplane: bgp)`,
      });
    }
    return reasons;
  });
}

function overlayReason(what: string): Reason {
  return {
    effect: "degrades",
    text: `${what}: the address is kept, but Calico supports route convergence during migration only without overlay (platform.network.dataplane: bgp)`,
  };
}

function ipamReasons(facts: ClusterFacts): Reason[] {
  if (!facts.ipamConfiguration) {
    return [
      {
        effect: "unknown",
        text: "the stack declares no Calico IPAMConfiguration default: whether kubeVirtVMAddressPersistence keeps the VM's address is the cluster's",
      },
    ];
  }
  const persistence = asString(asObject(facts.ipamConfiguration.inputs.spec).kubeVirtVMAddressPersistence);
  if (persistence === "Disabled") {
    return [
      {
        effect: "blocks",
        text: "kubeVirtVMAddressPersistence Disabled in IPAMConfiguration default: the migration target cannot take the source's underlay address",
      },
    ];
  }
  return [];
}

function calicoNadReasons(vm: Vm, stack: StackView): Reason[] {
  const network = defaultNetwork(vm);
  if (!network || network.source !== "multus") return [];
  const nad = stack.nadOf(vm, network);
  if (!nad)
    return [
      {
        effect: "unknown",
        text: `the default network's NAD ${network.networkName ?? "(unnamed)"} is not in the stack, so its network name (${CALICO_NETWORK_NAME} needed) is unknown`,
      },
    ];
  if (!isCalicoNad(nad) || nad.networkName === CALICO_NETWORK_NAME) return [];
  return [
    {
      effect: "blocks",
      text: `the Calico NAD ${nad.ref} names its network ${JSON.stringify(nad.networkName ?? "")}, not ${CALICO_NETWORK_NAME}: Felix's owner swap at the end of a migration misses the VM's IPAM handle`,
    },
  ];
}

function versionReasons(what: string, releases: PolicyResource[], min: Version, why: string): Reason[] {
  if (releases.length === 0)
    return [
      { effect: "unknown", text: `the stack installs no ${what} release, so its version (${min.join(".")} or later needed) is unknown` },
    ];
  return releases.flatMap((release): Reason[] => {
    const text = asString(release.inputs.version);
    const version = text === undefined ? undefined : parseVersion(text);
    if (!version)
      return [
        {
          effect: "unknown",
          text: `${what} release ${release.name} has version ${JSON.stringify(text ?? "(unset)")}, not a release number`,
        },
      ];
    return below(version, min) ? [{ effect: "blocks", text: `${what} ${text} (Helm release ${release.name}): ${why}` }] : [];
  });
}

function hasKubeOvnNic(vm: Vm, stack: StackView): boolean {
  return vm.networks.some((network) => {
    if (network.source !== "multus" || network.multusDefault) return false;
    const nad = stack.nadOf(vm, network);
    return nad === undefined || isKubeOvnNad(nad);
  });
}

const ORDER: Effect[] = ["blocks", "unknown", "degrades"];

/** One verdict per VM of the stack, in stack order. */
export function liveMigrationVerdicts(stack: StackView): { vm: Vm; verdict: LiveMigrationVerdict }[] {
  const facts = clusterFacts(stack.resources);
  const calico = versionReasons(
    "Calico (tigera-operator)",
    facts.calicoReleases,
    CALICO_MIN,
    "VM address persistence came in Calico 3.32; before it the migration target cannot take the source's address",
  );
  const kubeOvn = versionReasons(
    "Kube-OVN",
    facts.kubeOvnReleases,
    KUBE_OVN_MIN,
    "before v1.16.1 a migrated VM's VPC port loses its security groups (kube-ovn#6666)",
  );
  const ipam = ipamReasons(facts);
  return stack.vms.map((vm) => {
    const reasons = [
      ...evictionReasons(vm, facts),
      ...volumeReasons(vm, facts),
      ...(vm.hostDevices.length > 0
        ? [
            {
              effect: "blocks" as const,
              text: `host devices ${vm.hostDevices.join(", ")}: KubeVirt does not live-migrate a VM with host devices or GPUs`,
            },
          ]
        : []),
      ...(stack.hasUnderlayNic(vm)
        ? [...poolReasons(vm, facts, stack.config.network?.dataplane), ...ipam, ...calicoNadReasons(vm, stack), ...calico]
        : []),
      ...(hasKubeOvnNic(vm, stack) ? kubeOvn : []),
    ].sort((a, b) => ORDER.indexOf(a.effect) - ORDER.indexOf(b.effect));
    return {
      vm,
      verdict: {
        vm: `${vm.namespace}/${objectName(vm.resource)}`,
        migratable: reasons.every((r) => r.effect === "degrades"),
        reasons: reasons.map((r) => `${r.effect}: ${r.text}`),
      },
    };
  });
}

/** The verdicts of a stack's resources, as plan.json's `liveMigration` lists them. */
export function liveMigration(
  resources: PolicyResource[],
  config: PolicyConfig,
  stack = new StackView(resources, config),
): LiveMigrationVerdict[] {
  return liveMigrationVerdicts(stack).map(({ verdict }) => verdict);
}
