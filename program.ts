/**
 * The tenantnet program: validate the whole stack config, then install the platform (unless
 * `install: false`) and declare every tenant. Nothing is registered when the config is invalid.
 * A tenant-only stack first reads the facts its platform stack owns (`platformFacts`) through a
 * StackReference, and validates its own config against them.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, platformStackOf } from "./lib/config/load";
import { PLATFORM_FACTS_OUTPUT, platformFactsOf, type PlatformFacts } from "./lib/config/platform-facts";
import { ConfigError } from "./lib/config/problems";
import { Platform } from "./components/platform/platform";
import { Tenant, type TenantOutputs } from "./components/tenant/tenant";

export interface StackOutputs {
  platformInstalled: boolean;
  tenants: Record<string, TenantOutputs>;
  /** Only on the stack that installs the platform: what tenant stacks and the policy pack read. */
  platformFacts?: PlatformFacts;
}

/** The platform stack's `platformFacts` output; a reference without one is a config error. */
async function readPlatformFacts(platformStack: string): Promise<unknown> {
  const reference = new pulumi.StackReference("platform-facts", { name: platformStack });
  const facts = await reference.getOutputValue(PLATFORM_FACTS_OUTPUT);
  if (facts === undefined) {
    throw new ConfigError([
      {
        path: "platformStack",
        message: `${platformStack} exports no ${PLATFORM_FACTS_OUTPUT}: name the stack that installs the platform (platform.install: true), after its first pulumi up`,
      },
    ]);
  }
  return facts;
}

export async function tenantnet(): Promise<StackOutputs> {
  const flat = pulumi.runtime.allConfig();
  const platformStack = platformStackOf(flat);
  const facts = platformStack === undefined ? undefined : await readPlatformFacts(platformStack);
  const config = loadStackConfig(flat, pulumi.getStack(), facts);
  const platform = config.platform.install ? new Platform("platform", { config: config.platform }) : undefined;
  const tenants: Record<string, TenantOutputs> = {};
  for (const tenant of config.tenants) {
    const component = new Tenant(
      tenant.name,
      { tenant, services: config.services, externalNetwork: config.platform.externalNetwork },
      { dependsOn: platform ? [platform] : [] },
    );
    tenants[tenant.name] = component.outputs;
  }
  return {
    platformInstalled: platform !== undefined,
    tenants,
    ...(platform ? { platformFacts: platformFactsOf(pulumi.getStack(), config) } : {}),
  };
}
