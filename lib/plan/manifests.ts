/** Kubernetes manifests out of captured resources: one object per file, named by kind/namespace/name. */
import { stringify } from "yaml";
import type { K8sObject } from "../k8s/object";
import type { CapturedResource } from "./capture";

/** A captured resource is a Kubernetes object when its inputs carry apiVersion, kind and a named metadata. */
export function asManifest(resource: CapturedResource): K8sObject | undefined {
  const { apiVersion, kind, metadata } = resource.inputs as Partial<K8sObject>;
  if (!resource.custom || typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  if (!metadata || typeof metadata.name !== "string") return undefined;
  return resource.inputs as K8sObject;
}

/** `<kind>-<namespace>-<name>.yaml`, lower case; cluster-scoped objects have no namespace part. */
export function manifestFileName(manifest: K8sObject): string {
  const parts = [manifest.kind, manifest.metadata.namespace, manifest.metadata.name].filter((p): p is string => Boolean(p));
  return `${parts.join("-").toLowerCase()}.yaml`;
}

export function manifestsOf(resources: CapturedResource[]): Map<string, K8sObject> {
  const files = new Map<string, K8sObject>();
  for (const resource of resources) {
    const manifest = asManifest(resource);
    if (!manifest) continue;
    const file = manifestFileName(manifest);
    if (files.has(file))
      throw new Error(
        `two objects render to ${file}: ${manifest.kind} ${manifest.metadata.namespace ?? ""}/${manifest.metadata.name} is declared twice`,
      );
    files.set(file, manifest);
  }
  return files;
}

export function manifestYaml(manifest: K8sObject): string {
  return stringify(manifest, { lineWidth: 0 });
}
