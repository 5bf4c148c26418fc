import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../lib/config/schema";
import { mirrored } from "../../lib/platform/images";
import { DEFAULT_INSTALLER_IMAGE } from "../../lib/route-plugin-installer";
import { externalNetworkObjects } from "../../lib/platform/external-network";
import { platformNads } from "../../lib/platform/nads";
import { resolveVersions } from "../../lib/platform/versions";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";
import { CalicoInstall } from "./calico";
import { CertManagerInstall } from "./cert-manager";
import { KubeOvnInstall } from "./kube-ovn";
import { KubevirtInstall } from "./kubevirt";
import { MultusInstall } from "./multus";
import { RoutePluginInstaller } from "./route-plugin-installer";
import { SpiderpoolInstall } from "./spiderpool";
import { PLATFORM_NAMESPACES } from "../../lib/platform/namespaces";

export interface PlatformArgs {
  config: PlatformConfig;
}

/**
 * The virtualization and networking platform, ordered so that each part starts after the CRDs
 * and webhooks it needs: cert-manager before Spiderpool's Issuer, Multus' NAD CRD before any
 * NAD, the route plugin on the nodes before the NAD that chains it. Its children that wait
 * (the Calico APIServer and KubeVirt CRs, every Helm release) complete only once what they
 * serve is up, so whatever depends on the Platform comes after all of it.
 */
export class Platform extends pulumi.ComponentResource {
  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Platform", name, {}, opts);
    const { config } = args;
    const versions = resolveVersions(config);
    const registry = config.imageRegistry;
    const under = childOptions(this, opts);

    const certManager = new CertManagerInstall(
      `${name}-cert-manager`,
      { version: versions.certManager, platform: config, values: config.values.certManager },
      under(),
    );
    const calico = new CalicoInstall(
      `${name}-calico`,
      { network: config.network, version: versions.calico, platform: config, values: config.values.calico },
      under(),
    );
    const multus = new MultusInstall(`${name}-multus`, { version: versions.multus, imageRegistry: registry }, under());
    const routePlugin = new RoutePluginInstaller(
      `${name}-route-plugin`,
      { namespace: PLATFORM_NAMESPACES.nodeAgents, image: mirrored(DEFAULT_INSTALLER_IMAGE, registry) },
      under(),
    );
    const kubeOvn = new KubeOvnInstall(
      `${name}-kube-ovn`,
      { network: config.network, masters: config.kubeOvn, version: versions.kubeOvn, platform: config, values: config.values.kubeOvn },
      under(multus),
    );
    new KubevirtInstall(
      `${name}-kubevirt`,
      { version: versions.kubevirt, imageRegistry: registry, kubevirt: config.kubevirt, values: config.values.kubevirt },
      under(),
    );
    new SpiderpoolInstall(
      `${name}-spiderpool`,
      { underlay: config.underlay, version: versions.spiderpool, platform: config, values: config.values.spiderpool },
      under(certManager, multus),
    );
    const nads = platformNads(config.network);
    declareObject(`${name}-nad-calico`, nads.calico, under(multus, calico, routePlugin));
    declareObject(`${name}-nad-kubeovn`, nads.kubeOvn, under(multus, kubeOvn));
    if (config.externalNetwork) {
      // ProviderNetwork, then Vlan, NAD and Subnet: each waits for the one before it.
      let previous: pulumi.Resource = kubeOvn;
      for (const object of externalNetworkObjects(config.externalNetwork)) {
        previous = declareObject(`${name}-external-${object.kind.toLowerCase()}`, object, under(multus, kubeOvn, previous));
      }
    }
    this.registerOutputs({});
  }
}
