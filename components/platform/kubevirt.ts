import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { kubevirtCr, kubevirtOperatorManifestUrl } from "../../lib/platform/kubevirt";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface KubevirtInstallArgs {
  version: string;
  imageRegistry: string;
  featureGates: string[];
  values?: Record<string, unknown>;
}

/** KubeVirt operator (release manifest) and the KubeVirt CR. */
export class KubevirtInstall extends pulumi.ComponentResource {
  constructor(name: string, args: KubevirtInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Kubevirt", name, {}, opts);
    const under = childOptions(this, opts);
    const operator = new k8s.yaml.v2.ConfigFile(`${name}-operator`, { file: kubevirtOperatorManifestUrl(args.version) }, under());
    declareObject(`${name}-cr`, kubevirtCr(args.featureGates, args.imageRegistry, args.values), under(operator));
    this.registerOutputs({});
  }
}
