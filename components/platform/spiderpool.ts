import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { namespaceObject } from "../../lib/platform/objects";
import { SPIDERPOOL_CHART_REPO, SPIDERPOOL_NAMESPACE, spiderIpPools, spiderMultusConfig, spiderpoolValues } from "../../lib/platform/spiderpool";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface SpiderpoolInstallArgs {
  underlay: PlatformConfig["underlay"];
  version: string;
  imageRegistry: string;
  values?: Record<string, unknown>;
}

/** Spiderpool, plus the underlay NAD and per-node IP pools when the underlay backend is Spiderpool's. */
export class SpiderpoolInstall extends pulumi.ComponentResource {
  constructor(name: string, args: SpiderpoolInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Spiderpool", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(SPIDERPOOL_NAMESPACE), under());
    const release = new k8s.helm.v3.Release(
      name,
      {
        name: "spiderpool",
        chart: "spiderpool",
        version: args.version,
        namespace: SPIDERPOOL_NAMESPACE,
        repositoryOpts: { repo: SPIDERPOOL_CHART_REPO },
        values: spiderpoolValues(args.imageRegistry, args.values),
      },
      under(namespace),
    );
    const spiderpool = args.underlay.spiderpool;
    if (args.underlay.backend !== "calico" && spiderpool) {
      declareObject(`${name}-multus-config`, spiderMultusConfig(args.underlay.backend, spiderpool), under(release));
      for (const pool of spiderIpPools(spiderpool)) {
        declareObject(`${name}-${pool.metadata.name}`, pool, under(release));
      }
    }
    this.registerOutputs({});
  }
}
