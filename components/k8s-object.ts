/**
 * Declares a plain Kubernetes object (built by the pure modules in lib/) as a Pulumi resource:
 * typed resources for built-in kinds, CustomResource for everything served by a CRD.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KINDS, pulumiType } from "../lib/k8s/kinds";
import type { K8sObject } from "../lib/k8s/object";

type Declare = (name: string, object: K8sObject, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The pure builders already produce the typed shape; only TypeScript's view of it changes. */
const as = <T>(object: K8sObject) => object as unknown as T;

/** Built-in kinds, keyed by Pulumi type token; every other kind is a CustomResource. */
const BUILT_IN: Record<string, Declare> = {
  [KINDS.namespace.type]: (n, o, opts) => new k8s.core.v1.Namespace(n, as<k8s.core.v1.NamespaceArgs>(o), opts),
  [KINDS.configMap.type]: (n, o, opts) => new k8s.core.v1.ConfigMap(n, as<k8s.core.v1.ConfigMapArgs>(o), opts),
  [KINDS.persistentVolumeClaim.type]: (n, o, opts) =>
    new k8s.core.v1.PersistentVolumeClaim(n, as<k8s.core.v1.PersistentVolumeClaimArgs>(o), opts),
  [KINDS.serviceAccount.type]: (n, o, opts) => new k8s.core.v1.ServiceAccount(n, as<k8s.core.v1.ServiceAccountArgs>(o), opts),
  [KINDS.daemonSet.type]: (n, o, opts) => new k8s.apps.v1.DaemonSet(n, as<k8s.apps.v1.DaemonSetArgs>(o), opts),
  [KINDS.deployment.type]: (n, o, opts) => new k8s.apps.v1.Deployment(n, as<k8s.apps.v1.DeploymentArgs>(o), opts),
  [KINDS.pod.type]: (n, o, opts) => new k8s.core.v1.Pod(n, as<k8s.core.v1.PodArgs>(o), opts),
  [KINDS.replicationController.type]: (n, o, opts) =>
    new k8s.core.v1.ReplicationController(n, as<k8s.core.v1.ReplicationControllerArgs>(o), opts),
  [KINDS.statefulSet.type]: (n, o, opts) => new k8s.apps.v1.StatefulSet(n, as<k8s.apps.v1.StatefulSetArgs>(o), opts),
  [KINDS.replicaSet.type]: (n, o, opts) => new k8s.apps.v1.ReplicaSet(n, as<k8s.apps.v1.ReplicaSetArgs>(o), opts),
  [KINDS.job.type]: (n, o, opts) => new k8s.batch.v1.Job(n, as<k8s.batch.v1.JobArgs>(o), opts),
  [KINDS.cronJob.type]: (n, o, opts) => new k8s.batch.v1.CronJob(n, as<k8s.batch.v1.CronJobArgs>(o), opts),
  [KINDS.customResourceDefinition.type]: (n, o, opts) =>
    new k8s.apiextensions.v1.CustomResourceDefinition(n, as<k8s.apiextensions.v1.CustomResourceDefinitionArgs>(o), opts),
  [KINDS.priorityClass.type]: (n, o, opts) => new k8s.scheduling.v1.PriorityClass(n, as<k8s.scheduling.v1.PriorityClassArgs>(o), opts),
  [KINDS.role.type]: (n, o, opts) => new k8s.rbac.v1.Role(n, as<k8s.rbac.v1.RoleArgs>(o), opts),
  [KINDS.roleBinding.type]: (n, o, opts) => new k8s.rbac.v1.RoleBinding(n, as<k8s.rbac.v1.RoleBindingArgs>(o), opts),
  [KINDS.clusterRole.type]: (n, o, opts) => new k8s.rbac.v1.ClusterRole(n, as<k8s.rbac.v1.ClusterRoleArgs>(o), opts),
  [KINDS.clusterRoleBinding.type]: (n, o, opts) => new k8s.rbac.v1.ClusterRoleBinding(n, as<k8s.rbac.v1.ClusterRoleBindingArgs>(o), opts),
};

export function declareObject(name: string, object: K8sObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const declare = BUILT_IN[pulumiType(object.apiVersion, object.kind)];
  return declare
    ? declare(name, object, opts)
    : new k8s.apiextensions.CustomResource(name, as<k8s.apiextensions.CustomResourceArgs>(object), opts);
}
