import * as pulumi from "@pulumi/pulumi";
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import type { PlatformConfig } from "../../lib/config/schema";
import { CERT_MANAGER_NAMESPACE, certManagerArgs } from "../../lib/platform/cert-manager";
import { namespaceObject } from "../../lib/platform/objects";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface CertManagerInstallArgs {
  version: string;
  /** Where the chart and images come from (`chartRepositories`, `imageRegistry`). */
  platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">;
  values?: Record<string, unknown>;
}

/** cert-manager with its CRDs; the parts that need certificates bring their own issuers. */
export class CertManagerInstall extends pulumi.ComponentResource {
  constructor(name: string, args: CertManagerInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:CertManager", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(CERT_MANAGER_NAMESPACE), under());
    new certmanager.CertManager(
      name,
      certManagerArgs(args.version, args.platform, args.values) as certmanager.CertManagerArgs,
      under(namespace),
    );
    this.registerOutputs({});
  }
}
