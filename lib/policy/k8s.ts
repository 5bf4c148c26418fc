/**
 * Reading Kubernetes objects out of resource inputs without trusting their shape: every accessor
 * tolerates missing or mistyped fields, because the rules judge hand-written objects too.
 */
import { isPlainObject } from "../plain-object";
import type { PolicyResource } from "./resource";

export type Json = Record<string, unknown>;

export const isObject: (value: unknown) => value is Json = isPlainObject;

export function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `{k: "v"}` maps (labels, annotations): non-string values are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asObject(value))) if (typeof v === "string") out[key] = v;
  return out;
}

export function metadataOf(resource: PolicyResource): Json {
  return asObject(resource.inputs.metadata);
}

/** metadata.name, falling back to the Pulumi name (Pulumi auto-names objects without one). */
export function objectName(resource: PolicyResource): string {
  return asString(metadataOf(resource).name) ?? resource.name;
}

/** metadata.namespace, or "default" as the API server assumes for namespaced kinds. */
export function objectNamespace(resource: PolicyResource): string {
  return asString(metadataOf(resource).namespace) ?? "default";
}

/** How messages name an object: `VirtualMachine tenant-acme/testvm`, `IPReservation r1`. */
export function describe(resource: PolicyResource, namespaced: boolean): string {
  // The kind is the last segment of the Pulumi type token (`kubernetes:kubevirt.io/v1:VirtualMachine`).
  const kind = resource.type.split(":").pop();
  return namespaced ? `${kind} ${objectNamespace(resource)}/${objectName(resource)}` : `${kind} ${objectName(resource)}`;
}

/** `<who>: <path> = <value>: <why>`; the shape of every violation message. */
export function violationAt(who: string, path: string, value: unknown, why: string): string {
  return `${who}: ${path} = ${value === undefined ? "(unset)" : JSON.stringify(value)}: ${why}`;
}
