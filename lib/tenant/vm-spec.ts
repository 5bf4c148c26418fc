/**
 * The KubeVirt VirtualMachine of a tenant VM (kubevirt.io/v1), including the template
 * annotations that pin its addresses on both NICs. Pure (no Pulumi).
 */
import type { TenantConfig, VmConfig } from "../config/schema";
import { networkData, userData } from "./cloud-init";
import {
  CALICO_IP_ADDRS_ANNOTATION,
  CALICO_NAD_REF,
  UNDERLAY_NETWORK,
  VPC_NETWORK,
  kubeOvnAnnotation,
  kubeOvnAttachment,
  securityGroupName,
  subnetName,
  vmLabels,
} from "./names";
import { KINDS, typeMeta } from "../k8s/kinds";
import type { ObjectMeta } from "../k8s/object";

export const ROOT_DISK = "rootdisk";
export const CLOUD_INIT_DISK = "cloudinitdisk";

export interface VmInterface {
  name: string;
  model: "virtio";
  bridge: Record<string, never>;
  macAddress?: string;
}

export interface VmNetwork {
  name: string;
  multus: { networkName: string; default?: true };
}

export interface VirtualMachineObject {
  apiVersion: typeof KINDS.virtualMachine.apiVersion;
  kind: typeof KINDS.virtualMachine.kind;
  metadata: ObjectMeta;
  spec: {
    runStrategy: VmConfig["runStrategy"];
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        evictionStrategy?: NonNullable<VmConfig["evictionStrategy"]>;
        domain: {
          cpu: { cores: number };
          memory: { guest: string };
          devices: {
            disks: { name: string; disk: { bus: "virtio" } }[];
            interfaces: VmInterface[];
            networkInterfaceMultiqueue: true;
          };
        };
        networks: VmNetwork[];
        volumes: (
          { name: string; containerDisk: { image: string } } | { name: string; cloudInitNoCloud: { userData: string; networkData: string } }
        )[];
      };
    };
  };
}

type TenantFacts = Pick<TenantConfig, "name" | "namespace" | "vpc" | "kubeOvnAttachment" | "dns">;

/**
 * Annotations of the virt-launcher pod (KubeVirt copies template annotations to it): Calico
 * reads its fixed IP through the CNI args, Kube-OVN reads everything keyed by the attachment's
 * provider. Older Kube-OVN releases bind a port to its security groups only while port
 * security is on, and port security also stops the guest from spoofing its VPC address.
 */
export function templateAnnotations(tenant: TenantFacts, vm: VmConfig): Record<string, string> {
  const { provider } = kubeOvnAttachment(tenant);
  const annotations: Record<string, string> = {
    [CALICO_IP_ADDRS_ANNOTATION]: JSON.stringify([vm.underlayIp]),
    [kubeOvnAnnotation(provider, "logical_switch")]: subnetName(tenant.namespace),
    [kubeOvnAnnotation(provider, "ip_address")]: vm.vpcIp,
    [kubeOvnAnnotation(provider, "security_groups")]: securityGroupName(tenant.namespace),
    [kubeOvnAnnotation(provider, "port_security")]: "true",
  };
  if (vm.macs?.vpc) annotations[kubeOvnAnnotation(provider, "mac_address")] = vm.macs.vpc;
  // Kube-OVN QoS rates are in Mbit/s, as the config's bandwidth is.
  if (vm.bandwidth?.ingressMbps) annotations[kubeOvnAnnotation(provider, "ingress_rate")] = String(vm.bandwidth.ingressMbps);
  if (vm.bandwidth?.egressMbps) annotations[kubeOvnAnnotation(provider, "egress_rate")] = String(vm.bandwidth.egressMbps);
  return annotations;
}

function vmInterface(name: string, mac: string | undefined): VmInterface {
  // Bridge binding hands the pod interface's address to the guest over KubeVirt's DHCP.
  return mac ? { name, model: "virtio", bridge: {}, macAddress: mac } : { name, model: "virtio", bridge: {} };
}

/**
 * The VirtualMachine. Both networks are Multus: the Calico NAD is the default network (Calico
 * refuses a netns that already has a default route), Kube-OVN the second; no `pod` network,
 * which KubeVirt cannot combine with a Multus default. A pinned underlay MAC is applied by
 * virt-launcher to the guest NIC (KubeVirt sends MACs to Multus for secondary networks only;
 * Calico routes at L3 and ignores it); a pinned VPC MAC is also Kube-OVN's port MAC.
 */
export function virtualMachine(tenant: TenantFacts, vm: VmConfig): VirtualMachineObject {
  const labels = vmLabels(tenant.name, vm.name);
  return {
    ...typeMeta(KINDS.virtualMachine),
    metadata: { name: vm.name, namespace: tenant.namespace, labels },
    spec: {
      runStrategy: vm.runStrategy,
      template: {
        metadata: { labels, annotations: templateAnnotations(tenant, vm) },
        spec: {
          // Unset: the KubeVirt CR's (LiveMigrate).
          ...(vm.evictionStrategy ? { evictionStrategy: vm.evictionStrategy } : {}),
          domain: {
            cpu: { cores: vm.cpu },
            // Guest-visible memory; KubeVirt derives the pod's memory request (plus overhead).
            memory: { guest: vm.memory },
            devices: {
              disks: [
                { name: ROOT_DISK, disk: { bus: "virtio" } },
                { name: CLOUD_INIT_DISK, disk: { bus: "virtio" } },
              ],
              interfaces: [vmInterface(UNDERLAY_NETWORK, vm.macs?.underlay), vmInterface(VPC_NETWORK, vm.macs?.vpc)],
              networkInterfaceMultiqueue: true,
            },
          },
          networks: [
            { name: UNDERLAY_NETWORK, multus: { networkName: CALICO_NAD_REF, default: true } },
            { name: VPC_NETWORK, multus: { networkName: kubeOvnAttachment(tenant).nadRef } },
          ],
          volumes: [
            { name: ROOT_DISK, containerDisk: { image: vm.image } },
            {
              name: CLOUD_INIT_DISK,
              cloudInitNoCloud: {
                userData: userData(vm.sshKeys),
                networkData: networkData({ guest: vm.guest, vpcGateway: tenant.vpc.gateway, macs: vm.macs, dns: tenant.dns }),
              },
            },
          ],
        },
      },
    },
  };
}
