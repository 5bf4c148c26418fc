/**
 * NetworkAttachmentDefinitions as the rules see them: the parsed CNI config of `spec.config`
 * (a conflist with `plugins`, or a single plugin config) and what kind of attachment it is.
 */
import { calicoConfList, kubeOvnConfList, ROUTE_PLUGIN_TYPE, type CniConfList, type CniPlugin } from "../cni-config";
import { KUBE_OVN_NAD_NAME, PLATFORM_NAD_NAMESPACE } from "../tenant/names";
import type { PolicyNetworkConfig } from "./config";
import { parseGoJson, problemsText } from "./cni-json";
import { asArray, asObject, asString, isObject, objectName, objectNamespace } from "./k8s";
import type { PolicyResource } from "./resource";
import { KINDS } from "../k8s/kinds";

export const NAD_TYPE = KINDS.networkAttachmentDefinition.type;
export const SPIDER_MULTUS_CONFIG_TYPES = [KINDS.spiderMultusConfig.type, KINDS.spiderMultusConfigV2beta2.type];

/** Plugin types that give the pod a macvlan/ipvlan sub-interface, with which KubeVirt's bridge binding cannot work. */
export const L2_SUBINTERFACE_TYPES = ["ipvlan", "macvlan"];

export interface Nad {
  resource: PolicyResource;
  /** `namespace/name`, the form KubeVirt's `multus.networkName` takes. */
  ref: string;
  namespace: string;
  /** The conflist's network `name`, when spec.config carries one. */
  networkName?: string;
  plugins: CniPlugin[];
  /** Why `spec.config` could not be read, if it could not. */
  configError?: string;
}

/**
 * Reads `spec.config` as Multus v4.3.0 does (pkg/types/conf.go LoadDelegateNetConf): a single
 * plugin config when the top-level `type` is a non-empty string, else a conflist whose `plugins`
 * each need a `type`. Text the Go decoders could read otherwise than the pack (cni-json.ts), a
 * `type` beside `plugins` (the pack would judge the list, Multus runs the single plugin) and a
 * plugin without a `type` leave the NAD with no plugins and a `configError`.
 */
export function parseNad(resource: PolicyResource): Nad {
  const namespace = objectNamespace(resource);
  const base = { resource, namespace, ref: `${namespace}/${objectName(resource)}` };
  const broken = (configError: string): Nad => ({ ...base, plugins: [], configError });
  const text = asString(asObject(resource.inputs.spec).config);
  if (text === undefined) return broken("spec.config is missing");
  const parsed = parseGoJson(text);
  if (!parsed.ok) return broken(problemsText(parsed.problems, "spec.config"));
  const config = parsed.value;
  if (!isObject(config)) return broken("spec.config is not a JSON object");
  const name = config.name;
  if (name !== undefined && typeof name !== "string") return broken("spec.config.name is not a string");
  const networkName = asString(name);
  const withName = { ...base, ...(networkName === undefined ? {} : { networkName }) };
  if (config.type !== undefined && typeof config.type !== "string") return broken("spec.config.type is not a string");
  if (config.type !== undefined && config.type !== "") {
    if (config.plugins !== undefined)
      return broken(
        `spec.config.type = ${JSON.stringify(config.type)} beside spec.config.plugins: Multus runs the single ${config.type} plugin and ignores the list`,
      );
    return { ...withName, plugins: [config as CniPlugin] };
  }
  if (!Array.isArray(config.plugins) || config.plugins.length === 0)
    return broken("spec.config has neither a type nor a non-empty plugins list");
  const plugins: CniPlugin[] = [];
  for (const [i, plugin] of asArray(config.plugins).entries()) {
    if (!isObject(plugin) || typeof plugin.type !== "string" || plugin.type === "")
      return broken(`spec.config.plugins[${i}] has no type: Multus and libcni refuse the list`);
    plugins.push(plugin as CniPlugin);
  }
  return { ...withName, plugins };
}

/**
 * Why a NAD at one of the platform's refs differs from what the program renders there, or
 * undefined when it is exactly that. `rendered` is the conflist the program writes (compared
 * as parsed JSON: key order and spacing do not matter to any reader).
 */
export function renderedProblem(nad: Nad, rendered: CniConfList): string | undefined {
  if (nad.configError) return nad.configError;
  const text = asString(asObject(nad.resource.inputs.spec).config) ?? "";
  const parsed = parseGoJson(text);
  const difference = parsed.ok ? firstDifference(parsed.value, rendered, "spec.config") : "spec.config";
  return difference === undefined ? undefined : `${difference} differs from what the platform renders for ${nad.ref}`;
}

/** The plugin chain the platform Calico NAD carries (lib/cni-config.ts calicoConfList). */
const PLATFORM_CALICO_CHAIN = ["calico", ROUTE_PLUGIN_TYPE, "tuning"];

/**
 * Why the NAD declared at CALICO_NAD_REF is not the platform's Calico NAD, or undefined when it
 * is: exactly the conflist the platform renders from the network facts, or, while the policy
 * config lacks `network.podCidr`/`nodeCidrs`, at least the platform's chain (calico-nad-routes
 * then judges the routes).
 */
export function platformCalicoProblem(nad: Nad, network: PolicyNetworkConfig | undefined): string | undefined {
  if (network?.podCidr !== undefined && network.nodeCidrs !== undefined && network.nodeCidrs.length > 0)
    return renderedProblem(nad, calicoConfList({ podCidr: network.podCidr, nodeCidrs: network.nodeCidrs }));
  if (nad.configError) return nad.configError;
  const types = pluginTypes(nad);
  return types.join() === PLATFORM_CALICO_CHAIN.join()
    ? undefined
    : `spec.config plugins ${JSON.stringify(types)} are not the platform's chain ${JSON.stringify(PLATFORM_CALICO_CHAIN)}`;
}

/** Why a `<namespace>/<name>` Kube-OVN NAD differs from what the program renders at that ref. */
export function kubeOvnRenderedProblem(nad: Nad): string | undefined {
  const name = nad.ref.slice(nad.namespace.length + 1);
  return renderedProblem(nad, kubeOvnConfList(name, nad.namespace));
}

/** The path of the first place `actual` differs from `expected`, or undefined when they are equal. */
function firstDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return path;
    for (let i = 0; i < expected.length; i++) {
      const found = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return path;
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of [...keys].sort()) {
      const found = firstDifference(actual[key], expected[key], `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return actual === expected ? undefined : path;
}

export function pluginTypes(nad: Nad): string[] {
  return nad.plugins.map((p) => p.type);
}

export function isCalicoNad(nad: Nad): boolean {
  return pluginTypes(nad).includes("calico");
}

export function isKubeOvnNad(nad: Nad): boolean {
  return pluginTypes(nad).includes("kube-ovn");
}

/** The Kube-OVN NADs a tenant namespace's workloads may attach: the tenant's own, or the platform's shared one. */
export function tenantKubeOvnRefs(namespace: string): string[] {
  return [`${namespace}/${KUBE_OVN_NAD_NAME}`, `${PLATFORM_NAD_NAMESPACE}/${KUBE_OVN_NAD_NAME}`];
}

/**
 * Resolves a KubeVirt `multus.networkName` (`ns/name`, or `name` in `namespace`) to the
 * `namespace/name` key NADs are indexed by. KubeVirt writes the name verbatim into the launcher
 * pod's Multus annotations (kubevirt v1.9.0 pkg/network/pod/annotations/generator.go), and Multus
 * resolves a bare secondary network in the pod's namespace but a bare default network in its own
 * (MULTUS_NAMESPACE in workload.ts).
 */
export function nadRef(networkName: string, vmNamespace: string): string {
  return networkName.includes("/") ? networkName : `${vmNamespace}/${networkName}`;
}
