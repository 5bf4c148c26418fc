/**
 * One pass over a stack's resources building the indexes every stack rule shares: VMs by
 * namespace, NADs by `namespace/name`, network policies by namespace (plus global ones), the
 * network facts and the grants. Selection only ever matches a VM against its own namespace's
 * policies and the global ones (and a policy against its namespace's VMs), memoized per policy.
 */
import { CALICO_NAD_REF } from "../tenant/names";
import { isCalicoNad, NAD_TYPE, nadRef, parseNad, platformCalicoProblem, type Nad } from "./cni";
import type { PolicyConfig, PolicyServiceConfig, PolicyTenantConfig } from "./config";
import { networkFacts, type NetworkFacts } from "./facts";
import { metadataOf, objectName, stringMap } from "./k8s";
import { parseLabelSelector } from "./label-selector";
import {
  denyTierOf,
  isAdminNetworkPolicy,
  isNetworkPolicy,
  parseAdminPolicy,
  parseNetworkPolicy,
  type AdminPolicy,
  type NetworkPolicy,
  type SelectorField,
} from "./network-policy";
import type { Labels } from "./selector";
import type { PolicyResource } from "./resource";
import { defaultNetwork, type Vm, type VmNetwork } from "./vm";
import { MULTUS_NAMESPACE, parseWorkload, type Workload } from "./workload";
import { KINDS } from "../k8s/kinds";

const NAMESPACE_TYPE = KINDS.namespace.type;
/** KubeVirt launcher pods run as the namespace's default service account. */
const SERVICE_ACCOUNT_LABELS: Labels = { "projectcalico.org/name": "default" };

export interface Grant {
  /** Granted service names, sorted: also the key VMs with the same grants share. */
  names: string[];
  services: { name: string; service: PolicyServiceConfig }[];
  /** Why the grant is what it is, for messages. */
  source: string;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function selects(field: SelectorField | undefined, labels: Labels): boolean {
  return field === undefined || (field.parsed.ok && field.parsed.matches(labels));
}

export class StackView {
  readonly vms: Vm[] = [];
  /** Every pod-template owner (VMs included, each with its `vm`), in resource order. */
  readonly workloads: Workload[] = [];
  readonly nads = new Map<string, Nad>();
  readonly calicoNads: Nad[] = [];
  readonly policies: NetworkPolicy[] = [];
  /** policy.networking.k8s.io admin policies (AdminNetworkPolicy, ClusterNetworkPolicy, ...). */
  readonly adminPolicies: AdminPolicy[] = [];
  /** Calico tiers the stack declares with `defaultAction: Deny`. */
  readonly denyTiers = new Set<string>();
  readonly facts: NetworkFacts;
  /** Namespaces that hold tenant VMs: the stack's VMs plus the configured tenants. */
  readonly tenantNamespaces: Set<string>;

  private readonly vmsByNamespace = new Map<string, Vm[]>();
  private readonly policiesByNamespace = new Map<string, NetworkPolicy[]>();
  private readonly globalPolicies: NetworkPolicy[] = [];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly tenantsByNamespace = new Map<string, { name: string; tenant: PolicyTenantConfig }>();
  private readonly selected = new Map<NetworkPolicy, Vm[]>();
  /** VMs with an underlay NIC, computed once when the view is built. */
  private readonly underlay = new Set<Vm>();

  constructor(
    readonly resources: PolicyResource[],
    readonly config: PolicyConfig,
  ) {
    for (const resource of resources) {
      const workload = parseWorkload(resource);
      if (workload) {
        this.workloads.push(workload);
        if (workload.vm) {
          this.vms.push(workload.vm);
          push(this.vmsByNamespace, workload.vm.namespace, workload.vm);
        }
      } else if (resource.type === NAD_TYPE) {
        const nad = parseNad(resource);
        this.nads.set(nad.ref, nad);
        if (isCalicoNad(nad)) this.calicoNads.push(nad);
      } else if (isNetworkPolicy(resource)) {
        const policy = parseNetworkPolicy(resource);
        this.policies.push(policy);
        if (policy.namespace === undefined) this.globalPolicies.push(policy);
        else push(this.policiesByNamespace, policy.namespace, policy);
      } else if (resource.type === NAMESPACE_TYPE) {
        this.namespaceLabels.set(objectName(resource), stringMap(metadataOf(resource).labels));
      } else if (isAdminNetworkPolicy(resource)) {
        this.adminPolicies.push(parseAdminPolicy(resource));
      } else {
        const tier = denyTierOf(resource);
        if (tier !== undefined) this.denyTiers.add(tier);
      }
    }
    // After the loop: a VM's NADs may come after it.
    for (const vm of this.vms) if (this.computeUnderlayNic(vm)) this.underlay.add(vm);
    for (const [name, tenant] of Object.entries(config.tenants ?? {})) this.tenantsByNamespace.set(tenant.namespace, { name, tenant });
    this.tenantNamespaces = new Set([...this.vmsByNamespace.keys(), ...this.tenantsByNamespace.keys()]);
    // Derived node CIDRs come from the platform's own Calico NAD only: a tenant's NAD is no fact.
    this.facts = networkFacts(
      config.network,
      resources,
      this.calicoNads.filter((nad) => nad.ref === CALICO_NAD_REF),
    );
  }

  /**
   * `namespace/name` of the Calico NAD a VM's underlay may use: CALICO_NAD_REF only, and only
   * while the NAD the stack declares there is the platform's (platformCalicoProblem). A
   * tenant-only stack declares none, and then the platform's is assumed.
   */
  platformCalicoNads(): Set<string> {
    return new Set(this.platformCalicoProblem() === undefined ? [CALICO_NAD_REF] : []);
  }

  /** Why the NAD declared at CALICO_NAD_REF does not count as the platform's; undefined when it does or none is declared. */
  platformCalicoProblem(): string | undefined {
    const nad = this.nads.get(CALICO_NAD_REF);
    return nad === undefined ? undefined : platformCalicoProblem(nad, this.config.network);
  }

  /** The NAD a multus network refers to, if the stack declares it. */
  nadOf(vm: Vm, network: VmNetwork): Nad | undefined {
    if (network.networkName === undefined) return undefined;
    return this.nads.get(nadRef(network.networkName, network.multusDefault ? MULTUS_NAMESPACE : vm.namespace));
  }

  /**
   * Whether a workload has a NIC on the Calico underlay: a VM as hasUnderlayNic says; any other
   * pod unless it runs on the host's network (its default network is Calico, the primary CNI;
   * workload-networks refuses any other default).
   */
  workloadHasUnderlayNic(workload: Workload): boolean {
    return workload.vm ? this.hasUnderlayNic(workload.vm) : !workload.hostNetwork;
  }

  /**
   * Whether the VM has a NIC on the Calico underlay: the pod network (Calico is the cluster's
   * primary CNI; also what KubeVirt adds when no network is declared), the Multus default
   * network, or any attachment to a Calico NAD.
   */
  hasUnderlayNic(vm: Vm): boolean {
    return this.underlay.has(vm);
  }

  private computeUnderlayNic(vm: Vm): boolean {
    if (vm.implicitPodNetwork || defaultNetwork(vm)) return true;
    return vm.networks.some((n) => {
      const nad = this.nadOf(vm, n);
      return nad !== undefined && isCalicoNad(nad);
    });
  }

  /** Whether a policy can apply to tenant VMs: global, or in a namespace that holds them. */
  inTenantScope(policy: NetworkPolicy): boolean {
    return policy.namespace === undefined || this.tenantNamespaces.has(policy.namespace);
  }

  tenantOf(namespace: string): PolicyTenantConfig | undefined {
    return this.tenantsByNamespace.get(namespace)?.tenant;
  }

  /**
   * Services a VM may reach: its own grant in the config, else its tenant's (also what a policy
   * in a tenant namespace that selects no VM yet is held to), else nothing.
   */
  grantOf(namespace: string, vmName?: string): Grant {
    const entry = this.tenantsByNamespace.get(namespace);
    const tenant = entry?.tenant;
    const tenantName = entry?.name;
    const own = vmName === undefined ? undefined : tenant?.vms[vmName];
    const names = [...new Set(own ?? tenant?.services ?? [])].sort();
    const catalog = this.config.services ?? {};
    return {
      names,
      services: names.flatMap((name) => (catalog[name] ? [{ name, service: catalog[name] }] : [])),
      source: !tenant
        ? `no tenant in the policy config has namespace ${namespace}; a tenant stack is judged with its platform's facts (npm run policy:config -- --stack <tenant stack> --platform-plan <platform plan.json>)`
        : own
          ? `policy config tenants.${tenantName}.vms.${vmName}`
          : `policy config tenants.${tenantName}.services`,
    };
  }

  private labelsOfNamespace(namespace: string): Labels {
    return { ...(this.namespaceLabels.get(namespace) ?? {}), "projectcalico.org/name": namespace };
  }

  /** Whether a policy counts as default deny: Calico's default tier, or a declared tier whose defaultAction is Deny. */
  denies(policy: NetworkPolicy): boolean {
    return policy.tier === undefined || this.denyTiers.has(policy.tier);
  }

  /**
   * Tenant namespaces an admin policy's subject can select. Namespaces the stack does not declare
   * have unknown labels, so any selector may match them; an unreadable subject selects them all.
   */
  adminPolicyTenantNamespaces(policy: AdminPolicy): string[] {
    const namespaces = [...this.tenantNamespaces].sort();
    if (policy.namespaceSelectors === undefined) return namespaces;
    const parsed = policy.namespaceSelectors.map((s) => parseLabelSelector(s.value));
    return namespaces.filter((namespace) => {
      if (!this.namespaceLabels.has(namespace)) return true;
      const labels = { ...this.namespaceLabels.get(namespace), "kubernetes.io/metadata.name": namespace };
      return parsed.some((p) => !p.ok || p.matches(labels));
    });
  }

  private policySelects(policy: NetworkPolicy, vm: Vm): boolean {
    return (
      !policy.hostOnly &&
      selects(policy.selector, vm.labels) &&
      selects(policy.namespaceSelector, this.labelsOfNamespace(vm.namespace)) &&
      selects(policy.serviceAccountSelector, SERVICE_ACCOUNT_LABELS)
    );
  }

  /** Policies whose selectors match the VM's launcher pod (an unparseable selector matches nothing). */
  policiesSelecting(vm: Vm): NetworkPolicy[] {
    const candidates = [...(this.policiesByNamespace.get(vm.namespace) ?? []), ...this.globalPolicies];
    return candidates.filter((policy) => this.policySelects(policy, vm));
  }

  /** VMs (with an underlay NIC) a policy applies to. */
  vmsSelectedBy(policy: NetworkPolicy): Vm[] {
    let found = this.selected.get(policy);
    if (!found) {
      const candidates = policy.namespace === undefined ? this.vms : (this.vmsByNamespace.get(policy.namespace) ?? []);
      found = candidates.filter((vm) => this.hasUnderlayNic(vm) && this.policySelects(policy, vm));
      this.selected.set(policy, found);
    }
    return found;
  }

  /**
   * Policies that can open a VM's underlay: every policy in a tenant namespace (it applies to any
   * VM there that carries matching labels later) and any other policy that selects a VM now.
   */
  vmFacingPolicies(): NetworkPolicy[] {
    return this.policies.filter(
      (policy) => (policy.namespace !== undefined && this.tenantNamespaces.has(policy.namespace)) || this.vmsSelectedBy(policy).length > 0,
    );
  }
}
