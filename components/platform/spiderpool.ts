import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { chartSource } from "../../lib/platform/charts";
import { PLATFORM_RELEASES } from "../../lib/pins";
import { namespaceObject } from "../../lib/platform/objects";
import { COLD_START_TIMEOUT_SECONDS } from "../../lib/platform/readiness";
import {
  SPIDERPOOL_CHART,
  SPIDERPOOL_NAMESPACE,
  spiderIpPools,
  spiderMultusConfig,
  spiderpoolIssuer,
  spiderpoolValues,
} from "../../lib/platform/spiderpool";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface SpiderpoolInstallArgs {
  underlay: PlatformConfig["underlay"];
  version: string;
  /** Where the chart and images come from (`chartRepositories`, `imageRegistry`). */
  platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">;
  values?: Record<string, unknown>;
}

/**
 * Spiderpool with the Issuer of its webhook certificate, plus the underlay NAD and per-node IP
 * pools when the underlay backend is Spiderpool's. Give it a `dependsOn` on cert-manager.
 */
export class SpiderpoolInstall extends pulumi.ComponentResource {
  constructor(name: string, args: SpiderpoolInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Spiderpool", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(SPIDERPOOL_NAMESPACE, { privileged: true }), under());
    const issuer = declareObject(`${name}-issuer`, spiderpoolIssuer(), under(namespace));
    const release = new k8s.helm.v3.Release(
      name,
      {
        name: PLATFORM_RELEASES.spiderpool.release,
        ...chartSource("spiderpool", SPIDERPOOL_CHART, args.platform),
        version: args.version,
        namespace: SPIDERPOOL_NAMESPACE,
        timeout: COLD_START_TIMEOUT_SECONDS,
        values: spiderpoolValues(args.platform.imageRegistry, args.values),
      },
      under(namespace, issuer),
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
