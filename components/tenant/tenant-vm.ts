/**
 * TenantVm: one tenant VM, i.e. its KubeVirt VirtualMachine and the Calico policy that holds
 * its underlay NIC to the services it was granted. The objects come from lib/tenant.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceConfig, TenantConfig, VmConfig } from "../../lib/config/schema";
import { resourceName } from "../../lib/tenant/names";
import { childOptions } from "../child-options";
import { vmUnderlayPolicy } from "../../lib/tenant/underlay-policy";
import { virtualMachine } from "../../lib/tenant/vm-spec";

export interface TenantVmArgs {
  tenant: TenantConfig;
  vm: VmConfig;
  services: Record<string, ServiceConfig>;
  /**
   * Tenant resources the VM must not start before: namespace, subnet, NAD, security group,
   * IP reservation and, above all, the default-deny policy, so the underlay NIC never comes
   * up unpoliced.
   */
  prerequisites: pulumi.Resource[];
}

export class TenantVm extends pulumi.ComponentResource {
  public readonly virtualMachine: k8s.apiextensions.CustomResource;
  public readonly underlayPolicy: k8s.apiextensions.CustomResource;

  constructor(name: string, args: TenantVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:tenant:TenantVm", name, {}, opts);
    const { tenant, vm } = args;
    const policy = vmUnderlayPolicy(tenant, vm, args.services);
    const machine = virtualMachine(tenant, vm);
    const under = childOptions(this, opts);

    this.underlayPolicy = new k8s.apiextensions.CustomResource(
      resourceName(tenant.name, vm.name, "underlay-policy"),
      policy,
      under(...args.prerequisites),
    );
    this.virtualMachine = new k8s.apiextensions.CustomResource(
      resourceName(tenant.name, vm.name, "vm"),
      machine,
      under(...args.prerequisites, this.underlayPolicy),
    );
    this.registerOutputs({ virtualMachine: this.virtualMachine, underlayPolicy: this.underlayPolicy });
  }
}
