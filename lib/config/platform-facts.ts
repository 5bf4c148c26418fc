/**
 * `platformFacts`: the stack output through which the platform stack hands tenant stacks the
 * facts it owns (network, underlay backend, service catalog, tenant registrations, the external
 * network NAT gateways attach to). Tenant-only stacks read it with a StackReference and the
 * policy pack is configured from it, so a tenant can never widen what the platform granted. Keys may be added within a schemaVersion; a change
 * of meaning takes a new schemaVersion.
 */
import { z } from "zod";
import { cidr, dnsLabel, ipv4 } from "./formats";
import { problemsFromZod, type Problem } from "./problems";
import {
  externalNetworkSchema,
  KUBE_OVN_ATTACHMENTS,
  networkSchema,
  serviceSchema,
  UNDERLAY_BACKENDS,
  underlayIngressSchema,
  type StackConfig,
  type TenantRegistration,
} from "./schema";

/** The stack output's name, read by tenant stacks and by the offline runner. */
export const PLATFORM_FACTS_OUTPUT = "platformFacts";
export const PLATFORM_FACTS_SCHEMA_VERSION = 1;

const registrationSchema = z.strictObject({
  namespace: dnsLabel,
  underlayBlock: cidr,
  services: z.array(z.string()),
  kubeOvnAttachment: z.enum(KUBE_OVN_ATTACHMENTS),
  underlayIngress: z.array(underlayIngressSchema),
  /** Added within schemaVersion 1: facts of an older platform stack carry none. */
  eips: z.array(ipv4).default([]),
}) satisfies z.ZodType<TenantRegistration>;

const platformFactsSchema = z.strictObject({
  schemaVersion: z.literal(PLATFORM_FACTS_SCHEMA_VERSION),
  /** The platform stack's own name, as `pulumi.getStack()` gave it. */
  stack: z.string().min(1),
  network: networkSchema,
  underlay: z.strictObject({ backend: z.enum(UNDERLAY_BACKENDS) }),
  services: z.record(z.string(), serviceSchema),
  tenants: z.record(z.string(), registrationSchema),
  /** What tenant NAT gateways attach to: its Subnet/NAD name, addressing and gateway nodes. */
  externalNetwork: externalNetworkSchema.optional(),
});

export type PlatformFacts = z.infer<typeof platformFactsSchema>;

/** The facts a platform stack exports: everything a tenant stack and the policy pack may rely on. */
export function platformFactsOf(stack: string, config: StackConfig): PlatformFacts {
  return {
    schemaVersion: PLATFORM_FACTS_SCHEMA_VERSION,
    stack,
    network: structuredClone(config.platform.network),
    underlay: { backend: config.platform.underlay.backend },
    services: structuredClone(config.services),
    tenants: structuredClone(config.registrations),
    ...(config.platform.externalNetwork ? { externalNetwork: structuredClone(config.platform.externalNetwork) } : {}),
  };
}

/**
 * Facts read from a platform stack (or a plan of it), checked like config. `source` names where
 * they came from and prefixes every problem's path, e.g. `platformFacts(acme-org/tenantnet/dev)`.
 */
export function parsePlatformFacts(
  value: unknown,
  source: string,
): { facts: PlatformFacts; problems: [] } | { facts?: undefined; problems: Problem[] } {
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { problems: [{ path: source, message: `expected the platformFacts map, got ${JSON.stringify(value)}` }] };
  }
  if (version !== PLATFORM_FACTS_SCHEMA_VERSION) {
    return {
      problems: [
        {
          path: `${source}.schemaVersion`,
          message: `${JSON.stringify(version)} is not a platformFacts schemaVersion this tenantnet reads (it reads ${PLATFORM_FACTS_SCHEMA_VERSION}); run the same tenantnet release in the platform and the tenant stacks`,
        },
      ],
    };
  }
  const parsed = platformFactsSchema.safeParse(value);
  return parsed.success
    ? { facts: parsed.data, problems: [] }
    : { problems: problemsFromZod(source, platformFactsSchema, parsed.error, value) };
}
