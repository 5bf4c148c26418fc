import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NetworkConfig } from "../../lib/config/schema";
import { KUBE_OVN_CHART, KUBE_OVN_CHART_REPO, KUBE_OVN_NAMESPACE, kubeOvnValues } from "../../lib/platform/kube-ovn";
import { namespaceObject } from "../../lib/platform/objects";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface KubeOvnInstallArgs {
  network: NetworkConfig;
  version: string;
  imageRegistry: string;
  values?: Record<string, unknown>;
}

/** Kube-OVN in non-primary CNI mode: it serves the tenant VPC attachments only. */
export class KubeOvnInstall extends pulumi.ComponentResource {
  constructor(name: string, args: KubeOvnInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:KubeOvn", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(KUBE_OVN_NAMESPACE), under());
    new k8s.helm.v3.Release(
      name,
      {
        name: "kube-ovn",
        chart: KUBE_OVN_CHART,
        version: args.version,
        namespace: KUBE_OVN_NAMESPACE,
        repositoryOpts: { repo: KUBE_OVN_CHART_REPO },
        values: kubeOvnValues(args.network, args.imageRegistry, args.values),
      },
      under(namespace),
    );
    this.registerOutputs({});
  }
}
