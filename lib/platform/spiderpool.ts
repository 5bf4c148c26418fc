/**
 * Spiderpool: the chart (its own Multus copy off when we install Multus, so one component owns
 * the Multus config) and, for spiderpool underlay backends, the SpiderMultusConfig that
 * generates the underlay NAD plus one SpiderIPPool per node (seed 002).
 */
import type { PlatformConfig, SpiderpoolConfig } from "../config/schema";
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { PLATFORM_RELEASES } from "../pins";
import { KINDS, typeMeta } from "../k8s/kinds";

export const SPIDERPOOL_NAMESPACE = PLATFORM_NAMESPACES.spiderpool;
export const SPIDERPOOL_CHART = PLATFORM_RELEASES.spiderpool.chart;
export const SPIDERPOOL_UNDERLAY_NAD = "underlay";
/** The issuer of the controller's webhook certificate, in Spiderpool's namespace. */
export const SPIDERPOOL_ISSUER = "tenantnet-selfsigned";

/**
 * The chart's webhook Certificate names its issuer without a kind, so cert-manager looks for an
 * `Issuer` in the release namespace (spiderpool v1.2.2 charts/spiderpool/templates/tls.yaml:335-345).
 * Self-signed is enough: cainjector copies the certificate itself into the webhooks' caBundle.
 */
export function spiderpoolIssuer(): K8sObject {
  return {
    ...typeMeta(KINDS.issuer),
    metadata: { name: SPIDERPOOL_ISSUER, namespace: SPIDERPOOL_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: { selfSigned: {} },
  };
}

export function spiderpoolValues(registry: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  return deepMerge(
    {
      multus: { multusCNI: { install: false } },
      ipam: { enableStatefulSet: false },
      // Webhook certificates from cert-manager instead of chart-generated ones that change on every upgrade.
      spiderpoolController: { tls: { method: "certmanager", certmanager: { issuerName: SPIDERPOOL_ISSUER } } },
      ...(registry ? { global: { imageRegistryOverride: registry } } : {}),
    },
    overrides,
  );
}

export function cniTypeOf(backend: PlatformConfig["underlay"]["backend"]): "ipvlan" | "macvlan" {
  return backend === "spiderpool-macvlan" ? "macvlan" : "ipvlan";
}

/**
 * The underlay NAD lists every per-node pool: with no pool named by the pod, its namespace, the
 * NAD or a `default: true` pool, Spiderpool IPAM fails ("no pool selection rules of any type are
 * specified", spiderpool v1.2.2 pkg/ipam/pool_selections.go:29-87, :541-543). Of the listed
 * pools, a pod only takes one whose nodeName is its node (pkg/ipam/allocate.go:726).
 */
export function spiderMultusConfig(backend: PlatformConfig["underlay"]["backend"], spiderpool: SpiderpoolConfig): K8sObject {
  const cniType = cniTypeOf(backend);
  const pools = spiderIpPools(spiderpool).map((pool) => pool.metadata.name);
  return {
    ...typeMeta(KINDS.spiderMultusConfig),
    metadata: { name: SPIDERPOOL_UNDERLAY_NAD, namespace: SPIDERPOOL_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      cniType,
      enableCoordinator: true,
      coordinator: { mode: "underlay", tunePodRoutes: true, podCIDRType: "cluster" },
      [cniType]: { master: spiderpool.masterInterfaces, ippools: { ipv4: pools } },
    },
  };
}

export function spiderIpPools(spiderpool: SpiderpoolConfig): K8sObject[] {
  return Object.entries(spiderpool.nodes).map(([node, { ips }]) => ({
    ...typeMeta(KINDS.spiderIpPool),
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
