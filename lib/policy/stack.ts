/**
 * One pass over a stack's resources building the indexes every stack rule shares: workloads and
 * VMs, NADs by `namespace/name`, network policies and tiers, namespace and service account
 * labels, the network facts and the grants; and, built once on demand, the reachability model
 * (lib/policy/reachability), which indexes policies itself so selection never pairs every
 * endpoint with every policy.
 */
import { CALICO_NAD_REF } from "../tenant/names";
import { isCalicoNad, NAD_TYPE, nadRef, parseNad, platformCalicoProblem, type Nad } from "./cni";
import type { PolicyConfig, PolicyServiceConfig, PolicyTenantConfig } from "./config";
import { networkFacts, type NetworkFacts } from "./facts";
import { metadataOf, objectName, objectNamespace, stringMap } from "./k8s";
import { ANY_NAMESPACE, isNetworkPolicy, isTier, parseNetworkPolicy, parseTier, type NetworkPolicy, type Tier } from "./network-policy";
import type { PolicyResource } from "./resource";
import { hypotheticalEndpoint, podEndpoint, vmEndpoint } from "./reachability/endpoint";
import { ReachabilityModel } from "./reachability/model";
import { defaultNetwork, type Vm, type VmNetwork } from "./vm";
import { MULTUS_NAMESPACE, parseWorkload, type Workload } from "./workload";
import { KINDS } from "../k8s/kinds";

const NAMESPACE_TYPE = KINDS.namespace.type;
const SERVICE_ACCOUNT_TYPE = KINDS.serviceAccount.type;

export interface Grant {
  /** Granted service names, sorted: also the key VMs with the same grants share. */
  names: string[];
  services: { name: string; service: PolicyServiceConfig }[];
  /** Why the grant is what it is, for messages. */
  source: string;
}

export class StackView {
  readonly vms: Vm[] = [];
  /** Every pod-template owner (VMs included, each with its `vm`), in resource order. */
  readonly workloads: Workload[] = [];
  readonly nads = new Map<string, Nad>();
  readonly calicoNads: Nad[] = [];
  /** Every network policy Calico enforces (Calico, Kubernetes and admin policies). */
  readonly policies: NetworkPolicy[] = [];
  /** Calico Tiers the stack declares, by name. */
  readonly tiers = new Map<string, Tier>();
  readonly facts: NetworkFacts;
  /** Namespaces that hold tenant VMs: the stack's VMs plus the configured tenants. */
  readonly tenantNamespaces: Set<string>;

  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly serviceAccountLabels = new Map<string, Record<string, string>>();
  private readonly tenantsByNamespace = new Map<string, { name: string; tenant: PolicyTenantConfig }>();
  private model?: ReachabilityModel;
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
        if (workload.vm) this.vms.push(workload.vm);
      } else if (resource.type === NAD_TYPE) {
        const nad = parseNad(resource);
        this.nads.set(nad.ref, nad);
        if (isCalicoNad(nad)) this.calicoNads.push(nad);
      } else if (isNetworkPolicy(resource)) {
        this.policies.push(parseNetworkPolicy(resource));
      } else if (isTier(resource)) {
        const tier = parseTier(resource);
        this.tiers.set(tier.name, tier);
      } else if (resource.type === NAMESPACE_TYPE) {
        this.namespaceLabels.set(objectName(resource), stringMap(metadataOf(resource).labels));
      } else if (resource.type === SERVICE_ACCOUNT_TYPE) {
        this.serviceAccountLabels.set(`${objectNamespace(resource)}/${objectName(resource)}`, stringMap(metadataOf(resource).labels));
      }
    }
    // After the loop: a VM's NADs may come after it.
    for (const vm of this.vms) if (this.computeUnderlayNic(vm)) this.underlay.add(vm);
    for (const [name, tenant] of Object.entries(config.tenants ?? {})) this.tenantsByNamespace.set(tenant.namespace, { name, tenant });
    this.tenantNamespaces = new Set([...this.vms.map((vm) => vm.namespace), ...this.tenantsByNamespace.keys()]);
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
    return policy.namespace === undefined || policy.namespace === ANY_NAMESPACE || this.tenantNamespaces.has(policy.namespace);
  }

  /** The registered tenant (name and registration) whose namespace this is. */
  tenantEntry(namespace: string): { name: string; tenant: PolicyTenantConfig } | undefined {
    return this.tenantsByNamespace.get(namespace);
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

  /**
   * The reachability model of the stack, built once. Its endpoints: every VM with an underlay
   * NIC, every other pod-template owner in a tenant namespace (unless on the host network), and
   * for every registered tenant a stand-in for whatever it may run (so a policy no stack of the
   * tenant's owns, e.g. a platform stack's global or admin policy, is judged against it).
   */
  reachability(): ReachabilityModel {
    if (!this.model) {
      const endpoints = this.workloads
        // Every VM, and the other pods of tenant namespaces (the platform's own pods are not held to a grant).
        .filter(
          (workload) =>
            this.workloadHasUnderlayNic(workload) && (workload.vm !== undefined || this.tenantNamespaces.has(workload.namespace)),
        )
        .map((workload) => (workload.vm ? vmEndpoint(workload.vm) : podEndpoint(workload)));
      for (const [namespace, { name }] of [...this.tenantsByNamespace].sort(([a], [b]) => (a < b ? -1 : 1)))
        endpoints.push(hypotheticalEndpoint(namespace, name));
      this.model = new ReachabilityModel(this.policies, this.tiers, endpoints, {
        namespaceLabels: (namespace) => this.namespaceLabels.get(namespace),
        serviceAccountLabels: (namespace, name) => this.serviceAccountLabels.get(`${namespace}/${name}`),
      });
    }
    return this.model;
  }
}
