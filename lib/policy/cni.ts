/**
 * NetworkAttachmentDefinitions as the rules see them: the parsed CNI config of `spec.config`
 * (a conflist with `plugins`, or a single plugin config) and what kind of attachment it is.
 */
import type { CniPlugin } from "../cni-config";
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

export function parseNad(resource: PolicyResource): Nad {
  const namespace = objectNamespace(resource);
  const base = { resource, namespace, ref: `${namespace}/${objectName(resource)}` };
  const text = asString(asObject(resource.inputs.spec).config);
  if (text === undefined) return { ...base, plugins: [], configError: "spec.config is missing" };
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    return { ...base, plugins: [], configError: `spec.config is not JSON (${(error as Error).message})` };
  }
  if (!isObject(config)) return { ...base, plugins: [], configError: "spec.config is not a JSON object" };
  const list = Array.isArray(config.plugins) ? asArray(config.plugins) : [config];
  const plugins = list.filter((p): p is CniPlugin => isObject(p) && typeof p.type === "string");
  const networkName = asString(config.name);
  return { ...base, ...(networkName === undefined ? {} : { networkName }), plugins };
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

/**
 * Resolves a KubeVirt `multus.networkName` (`ns/name`, or `name` in the VM's namespace) to the
 * `namespace/name` key NADs are indexed by.
 */
export function nadRef(networkName: string, vmNamespace: string): string {
  return networkName.includes("/") ? networkName : `${vmNamespace}/${networkName}`;
}
