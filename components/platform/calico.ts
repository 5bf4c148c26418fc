import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NetworkConfig } from "../../lib/config/schema";
import { apiServer, installation, TIGERA_CHART_REPO, TIGERA_NAMESPACE, tigeraOperatorValues, vmReservation } from "../../lib/platform/calico";
import { namespaceObject } from "../../lib/platform/objects";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface CalicoInstallArgs {
  network: NetworkConfig;
  version: string;
  imageRegistry: string;
  values?: Record<string, unknown>;
}

/** Tigera operator, the Calico Installation and API server, and the VM IPReservation. */
export class CalicoInstall extends pulumi.ComponentResource {
  /** Resolves once projectcalico.org/v3 objects can be applied. */
  readonly apiServer: pulumi.Resource;

  constructor(name: string, args: CalicoInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Calico", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(TIGERA_NAMESPACE), under());
    const operator = new k8s.helm.v3.Release(
      `${name}-tigera-operator`,
      {
        name: "tigera-operator",
        chart: "tigera-operator",
        version: args.version,
        namespace: TIGERA_NAMESPACE,
        repositoryOpts: { repo: TIGERA_CHART_REPO },
        values: tigeraOperatorValues(args.imageRegistry, args.values),
      },
      under(namespace),
    );
    const install = declareObject(`${name}-installation`, installation(args.network, args.imageRegistry), under(operator));
    this.apiServer = declareObject(`${name}-apiserver`, apiServer(), under(install));
    declareObject(`${name}-vm-reservation`, vmReservation(args.network), under(this.apiServer));
    this.registerOutputs({});
  }
}
