import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MULTUS_NAD_CRD_MANIFEST } from "../../lib/pins";
import { multusObjects } from "../../lib/platform/multus";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

export interface MultusInstallArgs {
  version: string;
  imageRegistry: string;
}

/** The NetworkAttachmentDefinition CRD file, as released with Multus (the schema the NADs are checked against). */
export const NAD_CRD_FILE = path.join(__dirname, "..", "..", MULTUS_NAD_CRD_MANIFEST);

/** Multus thick plugin: NAD CRD, RBAC, daemon config and the node DaemonSet. */
export class MultusInstall extends pulumi.ComponentResource {
  /** Resolves once NetworkAttachmentDefinitions can be created. */
  readonly crd: pulumi.Resource;

  constructor(name: string, args: MultusInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:Multus", name, {}, opts);
    const under = childOptions(this, opts);
    this.crd = new k8s.yaml.v2.ConfigFile(`${name}-nad-crd`, { file: NAD_CRD_FILE }, under());
    const objects = multusObjects(args.version, args.imageRegistry);
    const account = declareObject(`${name}-serviceaccount`, objects.serviceAccount, under());
    const role = declareObject(`${name}-clusterrole`, objects.clusterRole, under());
    const binding = declareObject(`${name}-clusterrolebinding`, objects.clusterRoleBinding, under(account, role));
    const config = declareObject(`${name}-daemon-config`, objects.daemonConfig, under());
    declareObject(`${name}-daemonset`, objects.daemonSet, under(binding, config, this.crd));
    this.registerOutputs({});
  }
}
