/**
 * Tenant: a tenant's namespace, Kube-OVN VPC/subnet/security group (and NAD when it owns its
 * attachment), the Calico IP reservation and default-deny policy of its underlay block, its
 * NAT gateway objects when enabled, and one TenantVm per VM. The objects come from lib/tenant; this file only wires them up.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExternalNetworkConfig, ServiceConfig, TenantConfig } from "../../lib/config/schema";
import { natObjects } from "../../lib/tenant/nat";
import { securityGroup, subnet, tenantNad, vpc } from "../../lib/tenant/kube-ovn";
import { resourceName, tenantLabels } from "../../lib/tenant/names";
import { defaultDenyPolicy, ipReservation } from "../../lib/tenant/underlay-policy";
import { childOptions } from "../child-options";
import { declareObject } from "../k8s-object";
import { TenantVm } from "./tenant-vm";

export interface TenantArgs {
  tenant: TenantConfig;
  /** The service catalog the tenant's grants refer to. */
  services: Record<string, ServiceConfig>;
  /** The platform's external network (its facts on a tenant-only stack), for the NAT gateway. */
  externalNetwork?: ExternalNetworkConfig;
}

export interface TenantVmOutputs {
  underlayIp: string;
  vpcIp: string;
  macs: { underlay?: string; vpc?: string };
  services: string[];
}

export interface TenantOutputs {
  namespace: string;
  vms: Record<string, TenantVmOutputs>;
}

export class Tenant extends pulumi.ComponentResource {
  public readonly outputs: TenantOutputs;

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantnet:tenant:Tenant", name, {}, opts);
    const { tenant, services } = args;
    const child = (suffix: string) => resourceName(tenant.name, suffix);
    const under = childOptions(this, opts);

    const namespace = new k8s.core.v1.Namespace(
      child("namespace"),
      { metadata: { name: tenant.namespace, labels: tenantLabels(tenant.name) } },
      under(),
    );
    const vpcResource = new k8s.apiextensions.CustomResource(child("vpc"), vpc(tenant), under(namespace));
    const subnetResource = new k8s.apiextensions.CustomResource(child("subnet"), subnet(tenant), under(vpcResource));
    const nad = tenantNad(tenant);
    const nadResource = nad && new k8s.apiextensions.CustomResource(child("nad"), nad, under(namespace));
    const sgResource = new k8s.apiextensions.CustomResource(child("security-group"), securityGroup(tenant), under());
    const reservation = new k8s.apiextensions.CustomResource(child("ip-reservation"), ipReservation(tenant), under());
    const defaultDeny = new k8s.apiextensions.CustomResource(child("underlay-default-deny"), defaultDenyPolicy(tenant), under(namespace));

    // Gateway after its VPC, subnet and NAD; EIPs after the gateway; rules after the EIPs, so
    // Pulumi deletes in Kube-OVN's order: rules, EIPs, gateway (controller finalizers).
    const byKind = new Map<string, pulumi.Resource[]>();
    for (const object of natObjects(tenant, args.externalNetwork)) {
      const after =
        object.kind === "VpcNatGateway"
          ? [vpcResource, subnetResource, ...(nadResource ? [nadResource] : [])]
          : object.kind === "IptablesEIP"
            ? (byKind.get("VpcNatGateway") ?? [])
            : (byKind.get("IptablesEIP") ?? []);
      const resource = declareObject(child(`${object.kind.toLowerCase()}/${object.metadata.name}`), object, under(...after));
      byKind.set(object.kind, [...(byKind.get(object.kind) ?? []), resource]);
    }

    const prerequisites = [namespace, subnetResource, sgResource, reservation, defaultDeny, ...(nadResource ? [nadResource] : [])];
    for (const vm of tenant.vms) {
      new TenantVm(resourceName(tenant.name, vm.name), { tenant, vm, services, prerequisites }, under());
    }

    this.outputs = {
      namespace: tenant.namespace,
      vms: Object.fromEntries(
        tenant.vms.map((vm) => [vm.name, { underlayIp: vm.underlayIp, vpcIp: vm.vpcIp, macs: { ...vm.macs }, services: [...vm.services] }]),
      ),
    };
    this.registerOutputs({ ...this.outputs });
  }
}
