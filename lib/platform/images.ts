/** Image references under an optional mirror registry (`platform.imageRegistry`). */

/** Whether the first path segment of an image reference names a registry host. */
function hasRegistryHost(reference: string): boolean {
  const first = reference.split("/")[0];
  return reference.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
}

/**
 * `ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick` under `mirror.example:5000` becomes
 * `mirror.example:5000/k8snetworkplumbingwg/multus-cni:v4.3.0-thick`; no mirror leaves it alone.
 */
export function mirrored(reference: string, registry: string): string {
  if (!registry) return reference;
  const path = hasRegistryHost(reference) ? reference.slice(reference.indexOf("/") + 1) : reference;
  return `${registry}/${path}`;
}
