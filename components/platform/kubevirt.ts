import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { KubevirtConfig } from "../../lib/config/schema";
import { kubevirtCr, kubevirtOperatorManifestName, kubevirtOperatorObjects } from "../../lib/platform/kubevirt";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface KubevirtInstallArgs {
  version: string;
  imageRegistry: string;
  kubevirt: KubevirtConfig;
  values?: Record<string, unknown>;
}

/** The vendored operator release manifest, one file per release (see VENDORED_KUBEVIRT_VERSIONS). */
export function kubevirtOperatorManifestFile(version: string): string {
  return path.join(__dirname, "manifests", kubevirtOperatorManifestName(version));
}

/** KubeVirt operator (the release manifest, object by object) and the KubeVirt CR. */
export class KubevirtInstall extends pulumi.ComponentResource {
  constructor(name: string, args: KubevirtInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Kubevirt", name, {}, opts);
    const under = childOptions(this, opts);
    const objects = kubevirtOperatorObjects(fs.readFileSync(kubevirtOperatorManifestFile(args.version), "utf8"), args.imageRegistry);
    const declare = (object: (typeof objects)[number], ...dependsOn: pulumi.Resource[]) =>
      declareObject(`${name}-operator-${object.kind.toLowerCase()}-${object.metadata.name}`, object, under(...dependsOn));
    // The namespace first, then CRD, priority class and RBAC, then the operator that uses them.
    const namespaces = objects.filter((o) => o.kind === "Namespace").map((o) => declare(o));
    const support = objects.filter((o) => o.kind !== "Namespace" && o.kind !== "Deployment").map((o) => declare(o, ...namespaces));
    const operators = objects.filter((o) => o.kind === "Deployment").map((o) => declare(o, ...namespaces, ...support));
    // Created once virt-operator reports it Available: tenant VirtualMachines wait for the Platform.
    declareObject(`${name}-cr`, kubevirtCr(args.kubevirt, args.imageRegistry, args.values), under(...support, ...operators));
    this.registerOutputs({});
  }
}
