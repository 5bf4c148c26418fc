/**
 * The tenantnet program: validate the whole stack config, then install the platform (unless
 * `install: false`) and declare every tenant. Nothing is registered when the config is invalid.
 */
import * as pulumi from "@pulumi/pulumi";
import { rawConfigFromFlat } from "./lib/config/load";
import { ConfigError } from "./lib/config/problems";
import { validateStackConfig } from "./lib/config/validate";
import type { StackConfig } from "./lib/config/schema";
import { Platform } from "./components/platform/platform";
import { Tenant, type TenantOutputs } from "./components/tenant/tenant";

/** The validated config of the running stack, or a ConfigError listing every problem. */
export function loadStackConfig(): StackConfig {
  const { raw, problems } = rawConfigFromFlat(pulumi.runtime.allConfig());
  const result = validateStackConfig(raw, pulumi.getStack());
  const all = [...problems, ...(result.ok ? [] : result.problems)];
  if (all.length > 0 || !result.ok) throw new ConfigError(all);
  return result.config;
}

export interface StackOutputs {
  platformInstalled: boolean;
  tenants: Record<string, TenantOutputs>;
}

export function tenantnet(): StackOutputs {
  const config = loadStackConfig();
  const platform = config.platform.install ? new Platform("platform", { config: config.platform }) : undefined;
  const tenants: Record<string, TenantOutputs> = {};
  for (const tenant of config.tenants) {
    const component = new Tenant(
      tenant.name,
      { tenant, platform: config.platform, services: config.services },
      { dependsOn: platform ? [platform] : [] },
    );
    tenants[tenant.name] = component.outputs;
  }
  return { platformInstalled: platform !== undefined, tenants };
}
