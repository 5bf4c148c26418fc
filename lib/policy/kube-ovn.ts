/**
 * Kube-OVN objects read against the tenants the policy config registers: which tenant a Vpc,
 * Subnet or provider belongs to by the names the program gives them (lib/tenant/names.ts), and
 * the few Kube-OVN conventions the topology rules rely on. Pure; indexes are built once per config.
 */
import { KUBE_OVN_NAD_NAME, kubeOvnAttachment, PLATFORM_NAD_NAMESPACE, subnetName, vpcName } from "../tenant/names";
import type { PolicyConfig } from "./config";
import { asArray, asObject, asString, isObject, stringMap } from "./k8s";

export interface TenantRef {
  /** The tenant's name in the policy config. */
  name: string;
  namespace: string;
}

export interface TenantIndex {
  byNamespace: Map<string, TenantRef>;
  byVpc: Map<string, TenantRef>;
  bySubnet: Map<string, TenantRef>;
  /** A tenant's own attachment provider `kubeovn.<ns>.ovn`: an attachment without a logical_switch lands on a Subnet of it. */
  byProvider: Map<string, TenantRef>;
}

const indexes = new WeakMap<PolicyConfig, TenantIndex>();

/** The registered tenants by namespace and by the names of their Kube-OVN objects; memoized per config (resource rules run per resource). */
export function tenantIndex(config: PolicyConfig): TenantIndex {
  let index = indexes.get(config);
  if (!index) {
    index = { byNamespace: new Map(), byVpc: new Map(), bySubnet: new Map(), byProvider: new Map() };
    for (const [name, tenant] of Object.entries(config.tenants ?? {})) {
      const ref = { name, namespace: tenant.namespace };
      index.byNamespace.set(tenant.namespace, ref);
      index.byVpc.set(vpcName(tenant.namespace), ref);
      index.bySubnet.set(subnetName(tenant.namespace), ref);
      index.byProvider.set(kubeOvnAttachment({ namespace: tenant.namespace, kubeOvnAttachment: "tenant" }).provider, ref);
    }
    indexes.set(config, index);
  }
  return index;
}

/**
 * The tenant a Kube-OVN provider belongs to: a registered tenant's own, else any tenant NAD's
 * `kubeovn.<ns>.ovn` but the platform's, so a tenant-only stack judged without registrations
 * still keeps a tenant attachment's Subnet in that namespace's VPC.
 */
export function providerTenant(index: TenantIndex, provider: string): TenantRef | undefined {
  const registered = index.byProvider.get(provider);
  if (registered) return registered;
  const [nad, namespace, ovn, ...rest] = provider.split(".");
  if (nad !== KUBE_OVN_NAD_NAME || ovn !== "ovn" || rest.length > 0 || !namespace || namespace === PLATFORM_NAD_NAMESPACE) return undefined;
  return { name: namespace, namespace };
}

/**
 * The providers a tenant's Subnet may carry: its own NAD's, or the platform's shared Kube-OVN NAD
 * (`kubeOvnAttachment: platform`). Neither is Kube-OVN's default `ovn`, the primary network.
 */
export function tenantProviders(namespace: string): string[] {
  return [
    kubeOvnAttachment({ namespace, kubeOvnAttachment: "tenant" }).provider,
    kubeOvnAttachment({ namespace, kubeOvnAttachment: "platform" }).provider,
  ];
}

/** Kube-OVN's default VPC: a Subnet with an OVN provider and no `vpc` lands in it (pkg/controller/subnet.go formatSubnet, v1.16.2). */
export const DEFAULT_VPC = "ovn-cluster";

/** Whether a Subnet provider is an OVN logical switch: "", `ovn` or `<nad>.<ns>.ovn` (pkg/util/subnet.go IsOvnProvider, v1.16.2). */
export function isOvnProvider(provider: string): boolean {
  const fields = provider.split(".");
  return provider === "" || provider === "ovn" || (fields.length === 3 && fields[2] === "ovn");
}

/** The VPC a Subnet lives in once Kube-OVN has defaulted it; undefined for a non-OVN (IPAM-only) provider without one. */
export function effectiveVpc(spec: Record<string, unknown>): string | undefined {
  const vpc = asString(spec.vpc);
  if (vpc) return vpc;
  return isOvnProvider(asString(spec.provider) ?? "") ? DEFAULT_VPC : undefined;
}

/** A field left at its Go zero value (how Kube-OVN reads an absent one): unset, null, false, "", 0, [] or {}. */
export function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Whether a namespace LabelSelector may select `namespace`. The pack does not know a namespace's
 * labels except the API server's `kubernetes.io/metadata.name`, so a selector excludes a namespace
 * only when it requires that label to be something else; anything unreadable may match.
 */
export function selectorMayMatchNamespace(selector: unknown, namespace: string): boolean {
  if (!isObject(selector)) return true;
  const byName = stringMap(selector.matchLabels)[NAMESPACE_NAME_LABEL];
  if (byName !== undefined && byName !== namespace) return false;
  return !asArray(selector.matchExpressions).some((raw) => {
    const expression = asObject(raw);
    if (expression.key !== NAMESPACE_NAME_LABEL) return false;
    const values = asArray(expression.values);
    if (expression.operator === "In") return !values.includes(namespace);
    if (expression.operator === "NotIn") return values.includes(namespace);
    return expression.operator === "DoesNotExist";
  });
}
