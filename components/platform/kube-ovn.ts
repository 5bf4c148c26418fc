import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KubeOvnConfig, NetworkConfig, PlatformConfig } from "../../lib/config/schema";
import { chartSource } from "../../lib/platform/charts";
import { PLATFORM_RELEASES } from "../../lib/pins";
import { KUBE_OVN_CHART, KUBE_OVN_NAMESPACE, kubeOvnValues } from "../../lib/platform/kube-ovn";
import { namespaceObject } from "../../lib/platform/objects";
import { COLD_START_TIMEOUT_SECONDS } from "../../lib/platform/readiness";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface KubeOvnInstallArgs {
  network: NetworkConfig;
  masters: KubeOvnConfig;
  version: string;
  /** Where the chart and images come from (`chartRepositories`, `imageRegistry`). */
  platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">;
  values?: Record<string, unknown>;
}

/** Kube-OVN in non-primary CNI mode: it serves the tenant VPC attachments only. */
export class KubeOvnInstall extends pulumi.ComponentResource {
  constructor(name: string, args: KubeOvnInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:KubeOvn", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(KUBE_OVN_NAMESPACE, { privileged: true }), under());
    new k8s.helm.v3.Release(
      name,
      {
        name: PLATFORM_RELEASES.kubeOvn.release,
        ...chartSource("kubeOvn", KUBE_OVN_CHART, args.platform),
        version: args.version,
        namespace: KUBE_OVN_NAMESPACE,
        timeout: COLD_START_TIMEOUT_SECONDS,
        values: kubeOvnValues(args.network, args.masters, args.platform.imageRegistry, args.values),
      },
      under(namespace),
    );
    this.registerOutputs({});
  }
}
