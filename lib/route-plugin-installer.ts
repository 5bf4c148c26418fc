/**
 * The objects that put the route plugin (cni/x-calico-route) into /opt/cni/bin on every node:
 * a ConfigMap with the script and a DaemonSet on a stock image that copies it onto the host and
 * keeps it current. Pure: the RoutePluginInstaller component declares what this returns.
 */
import { createHash } from "crypto";
import { ROUTE_PLUGIN_TYPE } from "./cni-config";
import { MANAGED_BY, type K8sObject } from "./platform/objects";
import { KINDS, typeMeta } from "./k8s/kinds";
import { NODE_AGENT_NAMES } from "./pins";

/** The plugin's file name in /opt/cni/bin is its CNI type; the installer objects share it. */
export const ROUTE_PLUGIN_FILE = ROUTE_PLUGIN_TYPE;
export const DEFAULT_INSTALLER_NAME = NODE_AGENT_NAMES.routePluginInstaller;
/** Stock image with sh, cp, mv, chmod, sha256sum, ls, tr, sed, head, sleep: all the installer loop uses. */
export const DEFAULT_INSTALLER_IMAGE = "docker.io/library/busybox:1.37";
/** Pod-template annotation: a changed script also rolls the DaemonSet, not only the ConfigMap. */
export const SCRIPT_SHA256_ANNOTATION = "tenantnet.io/x-calico-route-sha256";
export const CHECK_INTERVAL_SECONDS = 30;

/** Where the container sees things; the loop reads them from its environment. */
const MOUNTS = {
  plugin: "/plugin",
  cniBin: "/host/opt/cni/bin",
  state: "/run/installer",
  hostDirs: { "/usr/bin": "/host/usr/bin", "/usr/sbin": "/host/usr/sbin", "/bin": "/host/bin", "/sbin": "/host/sbin" },
} as const;

/**
 * The container's loop (POSIX sh, busybox). Each round: checks that the node has what the plugin
 * runs with (/bin/bash >= 4.4 for its shebang, `ip` and `nsenter` where a runtime's PATH finds them),
 * installs the script when the host copy's checksum differs (copy to a temporary name in the
 * same directory, then rename: the runtime never executes a half-written plugin), and keeps a
 * readiness marker only while everything is in place, so `kubectl get ds` shows a node that
 * lacks something. ConfigMap volumes follow updates without a restart, so the loop also keeps
 * the host copy current. It never removes the plugin: pods being replaced must not take it away
 * from VMs starting meanwhile.
 *
 * bash's version is read from the binary, not by running it: the host's bash needs the host's
 * libraries, which this image lacks. Every bash build embeds "@(#)Bash version 5.2.15(1) release
 * GNU" (bash's version.c, `sccs_version`); it is read again only when the file changes.
 */
export const INSTALL_LOOP = `set -u
log() { echo "x-calico-route: node \${NODE_NAME} $*"; }
on_host_path() {
  for dir in "$HOST_ROOT/usr/sbin" "$HOST_ROOT/usr/bin" "$HOST_ROOT/sbin" "$HOST_ROOT/bin"; do
    [ -x "$dir/$1" ] && return 0
  done
  return 1
}
bash_version() {
  tr -c 'A-Za-z0-9@()#. ' '\\n' <"$1" | sed -n 's/.*@(#)Bash version \\([0-9][0-9]*\\)\\.\\([0-9][0-9]*\\).*/\\1 \\2/p' | head -n 1
}
bash_id=""
bash_problem=""
trap 'exit 0' TERM INT
rm -f "$CNI_BIN_DIR"/.x-calico-route.tmp.*
reported=""
while :; do
  lacks=""
  if [ ! -x "$HOST_ROOT/bin/bash" ]; then
    bash_id="" bash_problem=" /bin/bash (bash >= 4.4)"
  elif [ "$(ls -lnL "$HOST_ROOT/bin/bash")" != "$bash_id" ]; then
    bash_id=$(ls -lnL "$HOST_ROOT/bin/bash")
    version=$(bash_version "$HOST_ROOT/bin/bash")
    major=\${version% *} minor=\${version#* }
    if [ -z "$version" ]; then
      bash_problem=" bash >= 4.4 (no version found in /bin/bash)"
    elif [ "$major" -lt 4 ] || { [ "$major" -eq 4 ] && [ "$minor" -lt 4 ]; }; then
      bash_problem=" bash >= 4.4 (/bin/bash is $major.$minor)"
    else
      bash_problem=""
    fi
  fi
  lacks="$bash_problem"
  on_host_path ip || lacks="$lacks ip (iproute2)"
  on_host_path nsenter || lacks="$lacks nsenter (util-linux)"
  problem=""
  if [ -n "$lacks" ]; then
    problem="lacks$lacks; VMs on this node cannot attach their Calico NIC"
  fi
  want=""
  sum=$(sha256sum "$PLUGIN_SOURCE") && want=\${sum%% *}
  [ -n "$want" ] || problem="\${problem:+$problem; }cannot read $PLUGIN_SOURCE"
  have=""
  if [ -f "$CNI_BIN_DIR/x-calico-route" ]; then
    sum=$(sha256sum "$CNI_BIN_DIR/x-calico-route") && have=\${sum%% *}
  fi
  if [ -n "$want" ] && [ "$want" != "$have" ]; then
    tmp="$CNI_BIN_DIR/.x-calico-route.tmp.$$"
    if cp "$PLUGIN_SOURCE" "$tmp" && chmod 0755 "$tmp" && mv -f "$tmp" "$CNI_BIN_DIR/x-calico-route"; then
      log "installed $CNI_BIN_DIR/x-calico-route (sha256 $want)"
    else
      rm -f "$tmp"
      problem="\${problem:+$problem; }cannot install into $CNI_BIN_DIR"
    fi
  fi
  if [ -z "$problem" ]; then
    touch "$STATE_DIR/ready"
    [ -n "$reported" ] && log "has everything x-calico-route needs"
  else
    rm -f "$STATE_DIR/ready"
    [ "$problem" != "$reported" ] && log "$problem"
  fi
  reported="$problem"
  [ "\${RUN_ONCE:-}" = 1 ] && exit 0
  sleep "$CHECK_INTERVAL_SECONDS" &
  wait $!
done
`;

export interface RoutePluginInstallerOptions {
  namespace: string;
  /** The installer image; a mirror may be put in front by the caller. */
  image: string;
  /** The contents of cni/x-calico-route. */
  pluginScript: string;
  name?: string;
}

export function scriptSha256(script: string): string {
  return createHash("sha256").update(script, "utf8").digest("hex");
}

export function routePluginInstallerManifests(opts: RoutePluginInstallerOptions): {
  configMap: K8sObject;
  daemonSet: K8sObject;
  sha256: string;
} {
  const name = opts.name ?? DEFAULT_INSTALLER_NAME;
  const sha256 = scriptSha256(opts.pluginScript);
  const labels = { ...MANAGED_BY, "app.kubernetes.io/name": name, "app.kubernetes.io/component": "cni-plugin-installer" };
  const selector = { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "cni-plugin-installer" };
  const readOnlyHostDirs = Object.entries(MOUNTS.hostDirs).map(([hostPath, mountPath], index) => ({
    volume: { name: `host-dir-${index}`, hostPath: { path: hostPath, type: "Directory" } },
    mount: { name: `host-dir-${index}`, mountPath, readOnly: true },
  }));

  const configMap: K8sObject = {
    ...typeMeta(KINDS.configMap),
    metadata: { name, namespace: opts.namespace, labels },
    data: { [ROUTE_PLUGIN_FILE]: opts.pluginScript },
  };

  const daemonSet: K8sObject = {
    ...typeMeta(KINDS.daemonSet),
    metadata: { name, namespace: opts.namespace, labels },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%" } },
      template: {
        metadata: { labels, annotations: { [SCRIPT_SHA256_ANNOTATION]: sha256 } },
        spec: {
          // A CNI plugin installer cannot wait for pod networking, nor be evicted from a node.
          hostNetwork: true,
          priorityClassName: "system-node-critical",
          tolerations: [{ operator: "Exists" }],
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: "install",
              image: opts.image,
              command: ["/bin/sh", "-c", INSTALL_LOOP],
              env: [
                { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                { name: "PLUGIN_SOURCE", value: `${MOUNTS.plugin}/${ROUTE_PLUGIN_FILE}` },
                { name: "CNI_BIN_DIR", value: MOUNTS.cniBin },
                { name: "HOST_ROOT", value: "/host" },
                { name: "STATE_DIR", value: MOUNTS.state },
                { name: "CHECK_INTERVAL_SECONDS", value: String(CHECK_INTERVAL_SECONDS) },
              ],
              readinessProbe: {
                exec: { command: ["/bin/sh", "-c", `test -f ${MOUNTS.state}/ready`] },
                periodSeconds: 10,
                failureThreshold: 1,
              },
              resources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { memory: "32Mi" } },
              securityContext: {
                runAsUser: 0, // /opt/cni/bin is root's
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [
                { name: "plugin", mountPath: MOUNTS.plugin, readOnly: true },
                { name: "cni-bin", mountPath: MOUNTS.cniBin },
                { name: "state", mountPath: MOUNTS.state },
                ...readOnlyHostDirs.map((dir) => dir.mount),
              ],
            },
          ],
          volumes: [
            { name: "plugin", configMap: { name, defaultMode: 0o555 } },
            { name: "cni-bin", hostPath: { path: "/opt/cni/bin", type: "DirectoryOrCreate" } },
            { name: "state", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
            ...readOnlyHostDirs.map((dir) => dir.volume),
          ],
        },
      },
    },
  };

  return { configMap, daemonSet, sha256 };
}
