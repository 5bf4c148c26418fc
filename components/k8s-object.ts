/**
 * Declares a plain Kubernetes object (built by the pure modules in lib/) as a Pulumi resource:
 * typed resources for built-in kinds, CustomResource for everything served by a CRD.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { K8sObject } from "../lib/platform/objects";

type Declare = (name: string, object: K8sObject, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The pure builders already produce the typed shape; only TypeScript's view of it changes. */
const as = <T>(object: K8sObject) => object as unknown as T;

const BUILT_IN: Record<string, Declare> = {
  "v1/Namespace": (n, o, opts) => new k8s.core.v1.Namespace(n, as<k8s.core.v1.NamespaceArgs>(o), opts),
  "v1/ConfigMap": (n, o, opts) => new k8s.core.v1.ConfigMap(n, as<k8s.core.v1.ConfigMapArgs>(o), opts),
  "v1/PersistentVolumeClaim": (n, o, opts) => new k8s.core.v1.PersistentVolumeClaim(n, as<k8s.core.v1.PersistentVolumeClaimArgs>(o), opts),
  "v1/ServiceAccount": (n, o, opts) => new k8s.core.v1.ServiceAccount(n, as<k8s.core.v1.ServiceAccountArgs>(o), opts),
  "apps/v1/DaemonSet": (n, o, opts) => new k8s.apps.v1.DaemonSet(n, as<k8s.apps.v1.DaemonSetArgs>(o), opts),
  "apps/v1/Deployment": (n, o, opts) => new k8s.apps.v1.Deployment(n, as<k8s.apps.v1.DeploymentArgs>(o), opts),
  "apiextensions.k8s.io/v1/CustomResourceDefinition": (n, o, opts) =>
    new k8s.apiextensions.v1.CustomResourceDefinition(n, as<k8s.apiextensions.v1.CustomResourceDefinitionArgs>(o), opts),
  "scheduling.k8s.io/v1/PriorityClass": (n, o, opts) => new k8s.scheduling.v1.PriorityClass(n, as<k8s.scheduling.v1.PriorityClassArgs>(o), opts),
  "rbac.authorization.k8s.io/v1/Role": (n, o, opts) => new k8s.rbac.v1.Role(n, as<k8s.rbac.v1.RoleArgs>(o), opts),
  "rbac.authorization.k8s.io/v1/RoleBinding": (n, o, opts) => new k8s.rbac.v1.RoleBinding(n, as<k8s.rbac.v1.RoleBindingArgs>(o), opts),
  "rbac.authorization.k8s.io/v1/ClusterRole": (n, o, opts) => new k8s.rbac.v1.ClusterRole(n, as<k8s.rbac.v1.ClusterRoleArgs>(o), opts),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": (n, o, opts) =>
    new k8s.rbac.v1.ClusterRoleBinding(n, as<k8s.rbac.v1.ClusterRoleBindingArgs>(o), opts),
};

export function declareObject(name: string, object: K8sObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const declare = BUILT_IN[`${object.apiVersion}/${object.kind}`];
  return declare ? declare(name, object, opts) : new k8s.apiextensions.CustomResource(name, as<k8s.apiextensions.CustomResourceArgs>(object), opts);
}
