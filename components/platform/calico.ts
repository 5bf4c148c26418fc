import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NetworkConfig, PlatformConfig } from "../../lib/config/schema";
import {
  apiServer,
  CALICO_CRD_CHART,
  installation,
  ipamConfiguration,
  TIGERA_NAMESPACE,
  TIGERA_OPERATOR_CHART,
  tigeraOperatorValues,
  vmReservation,
} from "../../lib/platform/calico";
import { chartSource } from "../../lib/platform/charts";
import { PLATFORM_RELEASES } from "../../lib/pins";
import { namespaceObject } from "../../lib/platform/objects";
import { COLD_START_TIMEOUT_SECONDS } from "../../lib/platform/readiness";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface CalicoInstallArgs {
  network: NetworkConfig;
  version: string;
  /** Where the charts come from (`chartRepositories`, `imageRegistry`). */
  platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">;
  values?: Record<string, unknown>;
}

/** Calico's CRDs, the Tigera operator, the Calico Installation and API server, the VM IPReservation and the IPAM configuration. */
export class CalicoInstall extends pulumi.ComponentResource {
  constructor(name: string, args: CalicoInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Calico", name, {}, opts);
    const under = childOptions(this, opts);
    const registry = args.platform.imageRegistry;
    const namespace = declareObject(`${name}-namespace`, namespaceObject(TIGERA_NAMESPACE, { privileged: true }), under());
    const release = (
      resourceName: string,
      releaseName: string,
      chart: string,
      values: Record<string, unknown>,
      ...dependsOn: pulumi.Resource[]
    ) =>
      new k8s.helm.v3.Release(
        resourceName,
        {
          name: releaseName,
          ...chartSource("calico", chart, args.platform),
          version: args.version,
          namespace: TIGERA_NAMESPACE,
          timeout: COLD_START_TIMEOUT_SECONDS,
          values,
        },
        under(namespace, ...dependsOn),
      );
    const crds = release(`${name}-crds`, PLATFORM_RELEASES.calicoCrds.release, CALICO_CRD_CHART, {});
    const operator = release(
      `${name}-tigera-operator`,
      PLATFORM_RELEASES.tigeraOperator.release,
      TIGERA_OPERATOR_CHART,
      tigeraOperatorValues(registry, args.values),
      crds,
    );
    const install = declareObject(`${name}-installation`, installation(args.network, registry), under(operator));
    // Created once the Calico API server is Ready: projectcalico.org/v3 objects depend on it.
    const server = declareObject(`${name}-apiserver`, apiServer(), under(install));
    declareObject(`${name}-vm-reservation`, vmReservation(args.network), under(server));
    declareObject(`${name}-ipam-configuration`, ipamConfiguration(), under(server));
    this.registerOutputs({});
  }
}
