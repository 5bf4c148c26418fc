/**
 * The network facts the rules compare against: the policy config where it says them, else what
 * the stack itself declares (Calico's Installation IP pools for the pod CIDR; the Kube-OVN Helm
 * release's values for the service and join CIDRs; the route plugin's routes in the Calico NAD,
 * minus the pod CIDR, for the node CIDRs).
 */
import { cidrProblem, contains, parseCidr, type Cidr } from "../cidr";
import { ROUTE_PLUGIN_TYPE } from "../cni-config";
import type { Nad } from "./cni";
import type { PolicyNetworkConfig } from "./config";
import { asArray, asObject, asString } from "./k8s";
import type { PolicyResource } from "./resource";
import { KINDS, PULUMI_TYPES } from "../k8s/kinds";

const INSTALLATION_TYPE = KINDS.installation.type;
const HELM_RELEASE_TYPE = PULUMI_TYPES.helmRelease;

/** Where each Kube-OVN chart keeps the service and join CIDRs in its values. */
const KUBE_OVN_VALUES: Record<string, { service: string[]; join: string[] }> = {
  "kube-ovn-v2": { service: ["networking", "services", "cidr", "v4"], join: ["networking", "join", "cidr", "v4"] },
  "kube-ovn": { service: ["ipv4", "SVC_CIDR"], join: ["ipv4", "JOIN_CIDR"] },
};

export interface Fact {
  ranges: Cidr[];
  /** Where the ranges come from, for messages: "policy config network.podCidr", ... */
  source: string;
  /** True when the policy config says it; false when derived from the stack's resources. */
  configured: boolean;
}

export interface NetworkFacts {
  /** Undefined when neither the config nor the stack says it. */
  pod?: Fact;
  service?: Fact;
  join?: Fact;
  node?: Fact;
}

function ipv4Cidrs(texts: string[]): Cidr[] {
  return texts.filter((text) => cidrProblem(text) === undefined).map(parseCidr);
}

/** A configured fact; one with no IPv4 range in it (e.g. `nodeCidrs: []`) counts as unknown. */
function configured(text: string | string[] | undefined, key: string): Fact | undefined {
  const ranges = ipv4Cidrs(text === undefined ? [] : Array.isArray(text) ? text : [text]);
  return ranges.length > 0 ? { ranges, source: `policy config network.${key}`, configured: true } : undefined;
}

function derivedPod(resources: PolicyResource[]): Fact | undefined {
  const texts = resources
    .filter((r) => r.type === INSTALLATION_TYPE)
    .flatMap((r) => asArray(asObject(asObject(r.inputs.spec).calicoNetwork).ipPools))
    .flatMap((pool) => asString(asObject(pool).cidr) ?? []);
  return texts.length > 0 ? { ranges: ipv4Cidrs(texts), source: "Installation spec.calicoNetwork.ipPools", configured: false } : undefined;
}

function derivedKubeOvn(resources: PolicyResource[], which: "service" | "join"): Fact | undefined {
  const texts = resources.flatMap((r) => {
    const paths = r.type === HELM_RELEASE_TYPE ? KUBE_OVN_VALUES[asString(r.inputs.chart) ?? ""] : undefined;
    if (!paths) return [];
    const value = paths[which].reduce<unknown>((node, segment) => asObject(node)[segment], r.inputs.values);
    return asString(value) ?? [];
  });
  return texts.length > 0
    ? { ranges: ipv4Cidrs(texts), source: `Kube-OVN Helm release values (${which} CIDR)`, configured: false }
    : undefined;
}

/** Route destinations of every route plugin in the Calico NADs. */
function routePluginDestinations(calicoNads: Nad[]): string[] {
  return calicoNads.flatMap((nad) =>
    nad.plugins
      .filter((p) => p.type === ROUTE_PLUGIN_TYPE)
      .flatMap((p) => asArray(p.routes).flatMap((r) => asString(asObject(r).dst) ?? [])),
  );
}

function derivedNode(calicoNads: Nad[], pod: Fact | undefined): Fact | undefined {
  const routes = ipv4Cidrs(routePluginDestinations(calicoNads)).filter(
    (route) => route.prefix > 0 && !(pod?.ranges ?? []).some((p) => contains(p, route)),
  );
  return routes.length > 0 ? { ranges: routes, source: `${ROUTE_PLUGIN_TYPE} routes of the Calico NAD`, configured: false } : undefined;
}

export function networkFacts(network: PolicyNetworkConfig | undefined, resources: PolicyResource[], calicoNads: Nad[]): NetworkFacts {
  const pod = configured(network?.podCidr, "podCidr") ?? derivedPod(resources);
  return {
    pod,
    service: configured(network?.serviceCidr, "serviceCidr") ?? derivedKubeOvn(resources, "service"),
    join: configured(network?.joinCidr, "joinCidr") ?? derivedKubeOvn(resources, "join"),
    node: configured(network?.nodeCidrs, "nodeCidrs") ?? derivedNode(calicoNads, pod),
  };
}
