/**
 * The namespaces the platform parts run in, and from them the names a tenant namespace may not
 * take. Each part's module names its namespace from here (stated in lib/pins.ts).
 */
import { PLATFORM_NAMESPACES } from "../pins";

export { PLATFORM_NAMESPACES };

/** Namespaces the Tigera operator creates for Calico itself. */
const CALICO_NAMESPACES = ["calico-system", "calico-apiserver"];

/** Kube-OVN's built-in VPC and subnets: a tenant's Vpc and Subnet take its namespace's name. */
const KUBE_OVN_BUILTIN_NAMES = ["ovn-cluster", "ovn-default", "join"];

/** Names a tenant namespace must not take (besides every `kube-*`): it would share their NADs and policies. */
export const RESERVED_NAMESPACES: readonly string[] = [
  ...Object.values(PLATFORM_NAMESPACES),
  ...CALICO_NAMESPACES,
  ...KUBE_OVN_BUILTIN_NAMES,
];
