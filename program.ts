/**
 * The tenantnet program: validate the whole stack config, then install the platform (unless
 * `install: false`) and declare every tenant. Nothing is registered when the config is invalid.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./lib/config/load";
import { Platform } from "./components/platform/platform";
import { Tenant, type TenantOutputs } from "./components/tenant/tenant";

export interface StackOutputs {
  platformInstalled: boolean;
  tenants: Record<string, TenantOutputs>;
}

export function tenantnet(): StackOutputs {
  const config = loadStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
  const platform = config.platform.install ? new Platform("platform", { config: config.platform }) : undefined;
  const tenants: Record<string, TenantOutputs> = {};
  for (const tenant of config.tenants) {
    const component = new Tenant(
      tenant.name,
      { tenant, services: config.services },
      { dependsOn: platform ? [platform] : [] },
    );
    tenants[tenant.name] = component.outputs;
  }
  return { platformInstalled: platform !== undefined, tenants };
}
