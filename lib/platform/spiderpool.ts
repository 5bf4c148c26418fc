/**
 * Spiderpool: the chart (its own Multus copy off when we install Multus, so one component owns
 * the Multus config) and, for spiderpool underlay backends, the SpiderMultusConfig that
 * generates the underlay NAD plus one SpiderIPPool per node (seed 002).
 */
import type { PlatformConfig, SpiderpoolConfig } from "../config/schema";
import { SELF_SIGNED_ISSUER } from "./cert-manager";
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";

export const SPIDERPOOL_NAMESPACE = "spiderpool";
export const SPIDERPOOL_CHART_REPO = "https://spidernet-io.github.io/spiderpool";
export const SPIDERPOOL_UNDERLAY_NAD = "underlay";

export function spiderpoolValues(registry: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  return deepMerge(
    {
      multus: { multusCNI: { install: false } },
      ipam: { enableStatefulSet: false },
      // Webhook certificates from cert-manager instead of chart-generated ones that change on every upgrade.
      spiderpoolController: { tls: { method: "certmanager", certmanager: { issuerName: SELF_SIGNED_ISSUER } } },
      ...(registry ? { global: { imageRegistryOverride: registry } } : {}),
    },
    overrides,
  );
}

export function cniTypeOf(backend: PlatformConfig["underlay"]["backend"]): "ipvlan" | "macvlan" {
  return backend === "spiderpool-macvlan" ? "macvlan" : "ipvlan";
}

export function spiderMultusConfig(backend: PlatformConfig["underlay"]["backend"], spiderpool: SpiderpoolConfig): K8sObject {
  const cniType = cniTypeOf(backend);
  return {
    apiVersion: "spiderpool.spidernet.io/v2beta1",
    kind: "SpiderMultusConfig",
    metadata: { name: SPIDERPOOL_UNDERLAY_NAD, namespace: SPIDERPOOL_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      cniType,
      enableCoordinator: true,
      coordinator: { mode: "underlay", tunePodRoutes: true, podCIDRType: "cluster" },
      [cniType]: { master: spiderpool.masterInterfaces },
    },
  };
}

export function spiderIpPools(spiderpool: SpiderpoolConfig): K8sObject[] {
  return Object.entries(spiderpool.nodes).map(([node, { ips }]) => ({
    apiVersion: "spiderpool.spidernet.io/v2beta1",
    kind: "SpiderIPPool",
    metadata: { name: `underlay-${node}`, labels: { ...MANAGED_BY } },
    spec: {
      ips,
      subnet: spiderpool.subnet,
      gateway: spiderpool.gateway,
      nodeName: [node],
      multusName: [`${SPIDERPOOL_NAMESPACE}/${SPIDERPOOL_UNDERLAY_NAD}`],
    },
  }));
}
