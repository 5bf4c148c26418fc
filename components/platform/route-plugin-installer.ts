import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { routePluginInstallerManifests } from "../../lib/route-plugin-installer";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";

/** The plugin the Calico NAD chains (cni/x-calico-route), shipped as it is in the repository. */
export const ROUTE_PLUGIN_SCRIPT = path.join(__dirname, "../../cni/x-calico-route");

export interface RoutePluginInstallerArgs {
  namespace: string;
  /** A stock image with sh/cp/chmod/sha256sum; the caller may have put a mirror in front. */
  image: string;
}

/** ConfigMap + DaemonSet that keep cni/x-calico-route in /opt/cni/bin on every node. */
export class RoutePluginInstaller extends pulumi.ComponentResource {
  /** sha256 of the script installed, also the DaemonSet's pod-template annotation. */
  readonly pluginSha256: string;

  constructor(name: string, args: RoutePluginInstallerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:platform:RoutePluginInstaller", name, {}, opts);
    const under = childOptions(this, opts);
    const pluginScript = fs.readFileSync(ROUTE_PLUGIN_SCRIPT, "utf8");
    const { configMap, daemonSet, sha256 } = routePluginInstallerManifests({ namespace: args.namespace, image: args.image, pluginScript });
    this.pluginSha256 = sha256;

    // A fixed name: a changed script replaces the ConfigMap in place (delete, then create).
    const script = declareObject(`${name}-script`, configMap, { ...under(), deleteBeforeReplace: true });
    declareObject(`${name}-daemonset`, daemonSet, under(script));
    this.registerOutputs({ pluginSha256: this.pluginSha256 });
  }
}
