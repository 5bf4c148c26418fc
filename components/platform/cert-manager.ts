import * as pulumi from "@pulumi/pulumi";
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import { CERT_MANAGER_NAMESPACE, certManagerArgs, selfSignedIssuer } from "../../lib/platform/cert-manager";
import { namespaceObject } from "../../lib/platform/objects";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface CertManagerInstallArgs {
  version: string;
  imageRegistry: string;
  values?: Record<string, unknown>;
}

/** cert-manager and a self-signed ClusterIssuer for the platform's webhook certificates. */
export class CertManagerInstall extends pulumi.ComponentResource {
  readonly issuerName: string;

  constructor(name: string, args: CertManagerInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:CertManager", name, {}, opts);
    const under = childOptions(this, opts);
    const namespace = declareObject(`${name}-namespace`, namespaceObject(CERT_MANAGER_NAMESPACE), under());
    const release = new certmanager.CertManager(
      name,
      certManagerArgs(args.version, args.imageRegistry, args.values) as certmanager.CertManagerArgs,
      under(namespace),
    );
    const issuer = selfSignedIssuer();
    declareObject(`${name}-selfsigned-issuer`, issuer, under(release));
    this.issuerName = issuer.metadata.name;
    this.registerOutputs({ issuerName: this.issuerName });
  }
}
