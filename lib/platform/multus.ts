/**
 * Multus thick plugin, as upstream's deployments/multus-daemonset-thick.yml declares it, pinned
 * to a release image instead of `snapshot-thick`. The NAD CRD ships from the same release.
 */
import { CALICO_CNI_CONF_FILE } from "./calico";
import { mirrored } from "./images";
import { MANAGED_BY, type K8sObject } from "./objects";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { NODE_AGENT_NAMES } from "../pins";
import { KINDS, typeMeta } from "../k8s/kinds";

export const MULTUS_NAMESPACE = PLATFORM_NAMESPACES.nodeAgents;
export const MULTUS_DAEMONSET_NAME = NODE_AGENT_NAMES.multus;
const LABELS = { ...MANAGED_BY, tier: "node", app: "multus", name: "multus" };

export interface MultusObjects {
  serviceAccount: K8sObject;
  clusterRole: K8sObject;
  clusterRoleBinding: K8sObject;
  daemonConfig: K8sObject;
  daemonSet: K8sObject;
}

function hostPath(name: string, path: string) {
  return { name, hostPath: { path } };
}

export function multusObjects(version: string, registry: string): MultusObjects {
  const image = mirrored(`ghcr.io/k8snetworkplumbingwg/multus-cni:${version}-thick`, registry);
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace: MULTUS_NAMESPACE } : {}), labels: LABELS });
  return {
    serviceAccount: { ...typeMeta(KINDS.serviceAccount), metadata: meta("multus") },
    clusterRole: {
      ...typeMeta(KINDS.clusterRole),
      metadata: meta("multus", false),
      rules: [
        { apiGroups: ["k8s.cni.cncf.io"], resources: ["*"], verbs: ["*"] },
        { apiGroups: [""], resources: ["pods", "pods/status"], verbs: ["get", "list", "update", "watch"] },
        {
          apiGroups: ["resource.k8s.io"],
          resources: ["resourceclaims", "resourceclaims/status", "resourceslices"],
          verbs: ["get", "list"],
        },
        { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
      ],
    },
    clusterRoleBinding: {
      ...typeMeta(KINDS.clusterRoleBinding),
      metadata: meta("multus", false),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "multus" },
      subjects: [{ kind: "ServiceAccount", name: "multus", namespace: MULTUS_NAMESPACE }],
    },
    daemonConfig: {
      ...typeMeta(KINDS.configMap),
      metadata: meta("multus-daemon-config"),
      data: {
        "daemon-config.json": JSON.stringify(
          {
            chrootDir: "/hostroot",
            cniVersion: "0.3.1",
            logLevel: "verbose",
            logToStderr: true,
            cniConfigDir: "/host/etc/cni/net.d",
            multusAutoconfigDir: "/host/etc/cni/net.d",
            multusConfigFile: "auto",
            // Always delegate to Calico. Without it the daemon takes the first conflist by name
            // when it starts (multus-cni v4.3.0 pkg/server/config/manager.go:53-65,
            // generator.go:61 for the key), which can be another CNI's after a restart.
            multusMasterCNI: CALICO_CNI_CONF_FILE,
            socketDir: "/host/run/multus/",
          },
          null,
          2,
        ),
      },
    },
    daemonSet: {
      ...typeMeta(KINDS.daemonSet),
      metadata: meta(MULTUS_DAEMONSET_NAME),
      spec: {
        selector: { matchLabels: { name: "multus" } },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels: LABELS },
          spec: {
            hostNetwork: true,
            hostPID: true,
            priorityClassName: "system-node-critical",
            tolerations: [
              { operator: "Exists", effect: "NoSchedule" },
              { operator: "Exists", effect: "NoExecute" },
            ],
            serviceAccountName: "multus",
            containers: [
              {
                name: "kube-multus",
                image,
                command: ["/usr/src/multus-cni/bin/multus-daemon"],
                resources: { requests: { cpu: "100m", memory: "50Mi" }, limits: { cpu: "100m", memory: "50Mi" } },
                securityContext: { privileged: true },
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [
                  { name: "cni", mountPath: "/host/etc/cni/net.d" },
                  // multus-daemon needs the CNI bin path identical inside and outside the pod.
                  { name: "cnibin", mountPath: "/opt/cni/bin" },
                  { name: "host-run", mountPath: "/host/run" },
                  { name: "host-var-lib-cni-multus", mountPath: "/var/lib/cni/multus" },
                  { name: "host-var-lib-kubelet", mountPath: "/var/lib/kubelet", mountPropagation: "HostToContainer" },
                  { name: "host-run-k8s-cni-cncf-io", mountPath: "/run/k8s.cni.cncf.io" },
                  { name: "host-run-netns", mountPath: "/run/netns", mountPropagation: "HostToContainer" },
                  { name: "multus-daemon-config", mountPath: "/etc/cni/net.d/multus.d", readOnly: true },
                  { name: "hostroot", mountPath: "/hostroot", mountPropagation: "HostToContainer" },
                  { name: "multus-conf-dir", mountPath: "/etc/cni/multus/net.d" },
                ],
                env: [{ name: "MULTUS_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
              },
            ],
            initContainers: [
              {
                name: "install-multus-binary",
                image,
                command: ["/usr/src/multus-cni/bin/install_multus", "-d", "/host/opt/cni/bin", "-t", "thick"],
                resources: { requests: { cpu: "10m", memory: "15Mi" } },
                securityContext: { privileged: true },
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [{ name: "cnibin", mountPath: "/host/opt/cni/bin", mountPropagation: "Bidirectional" }],
              },
            ],
            terminationGracePeriodSeconds: 10,
            volumes: [
              hostPath("cni", "/etc/cni/net.d"),
              hostPath("cnibin", "/opt/cni/bin"),
              hostPath("hostroot", "/"),
              {
                name: "multus-daemon-config",
                configMap: { name: "multus-daemon-config", items: [{ key: "daemon-config.json", path: "daemon-config.json" }] },
              },
              hostPath("host-run", "/run"),
              hostPath("host-var-lib-cni-multus", "/var/lib/cni/multus"),
              hostPath("host-var-lib-kubelet", "/var/lib/kubelet"),
              hostPath("host-run-k8s-cni-cncf-io", "/run/k8s.cni.cncf.io"),
              hostPath("host-run-netns", "/run/netns/"),
              hostPath("multus-conf-dir", "/etc/cni/multus/net.d"),
            ],
          },
        },
      },
    },
  };
}
