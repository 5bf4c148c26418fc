/**
 * The stack-config contract (DESIGN.md "Stack configuration") as zod schemas. Every object is
 * strict so a typo such as `underlayIP` is reported rather than ignored. Cross-field rules
 * (containment, overlaps, uniqueness) live in validate.ts.
 */
import { z } from "zod";
import { chartRepository, cidr, dnsLabel, ipRange, ipv4, labelKeyProblem, labelValue, mac, port, quantity } from "./formats";

export const PLATFORM_PARTS = ["certManager", "calico", "kubeOvn", "multus", "kubevirt", "spiderpool"] as const;
export type PlatformPart = (typeof PLATFORM_PARTS)[number];

export const UNDERLAY_BACKENDS = ["calico", "spiderpool-ipvlan", "spiderpool-macvlan"] as const;
export const GUESTS = ["ubuntu", "debian", "fedora", "centos7"] as const;
export const RUN_STRATEGIES = ["Always", "RerunOnFailure", "Manual", "Halted"] as const;
/** KubeVirt's eviction strategies (kubevirt v1.9.0 staging/src/kubevirt.io/api/core/v1/types.go:2751-2754). */
export const EVICTION_STRATEGIES = ["None", "LiveMigrate", "LiveMigrateIfPossible", "External"] as const;
/**
 * How Calico carries the underlay between nodes. `overlay`: a VXLANCrossSubnet pool with
 * natOutgoing, which works on any fabric. `bgp`: no encapsulation, BGP on, natOutgoing off; the
 * fabric routes the pod CIDR to the nodes. Calico 3.32 supports VM live migration only with `bgp`.
 */
export const DATAPLANES = ["overlay", "bgp"] as const;

/** Resolvers written into a guest's cloud-init network config (on its VPC NIC). */
export const dnsSchema = z.strictObject({
  nameservers: z.array(ipv4).min(1),
  search: z
    .array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a search domain is lower-case letters, digits, '-' and '.'"))
    .optional(),
});

export const networkSchema = z.strictObject({
  podCidr: cidr,
  serviceCidr: cidr,
  nodeCidrs: z.array(cidr).min(1),
  joinCidr: cidr,
  vmReservation: cidr,
  dataplane: z.enum(DATAPLANES).default("overlay"),
  /**
   * Addresses inside nodeCidrs that are not nodes (appliances, service VIPs): a catalog service
   * there may offer a port that is a node-control port on nodes (e.g. 22/TCP).
   */
  nonNodeCidrs: z.array(cidr).optional(),
  /** The guests' resolvers for tenants that set no `dns` of their own. */
  dns: dnsSchema.optional(),
});

const spiderpoolNodeSchema = z.strictObject({
  /** Single addresses or "a.b.c.d-a.b.c.e" ranges the node may hand out (its secondary IPs). */
  ips: z.array(z.string()).min(1),
});

const spiderpoolSchema = z.strictObject({
  masterInterfaces: z.array(z.string().min(1)).min(1),
  subnet: cidr,
  gateway: ipv4,
  nodes: z.record(z.string().min(1), spiderpoolNodeSchema),
});

const underlaySchema = z.strictObject({
  backend: z.enum(UNDERLAY_BACKENDS).default("calico"),
  spiderpool: spiderpoolSchema.optional(),
});

/** The parts installed from a Helm chart, each with a chart repository that can be overridden. */
export const CHART_PARTS = ["certManager", "calico", "kubeOvn", "spiderpool"] as const;
export type ChartPart = (typeof CHART_PARTS)[number];

/**
 * Nodes the Kube-OVN chart takes as masters (OVN central, controller): any node carrying any of
 * these labels, an empty value meaning "has the label". The chart's own `kube-ovn/role: master`
 * plus the label kubeadm puts on control-plane nodes, so a kubeadm cluster needs no labelling.
 */
export const DEFAULT_KUBE_OVN_MASTER_LABELS: Record<string, string> = {
  "kube-ovn/role": "master",
  "node-role.kubernetes.io/control-plane": "",
};

const kubeOvnSchema = z.strictObject({
  /** InternalIPs of the master nodes; empty: the chart looks the labelled nodes up itself. */
  masterNodes: z.array(ipv4).default([]),
  masterNodesLabels: z
    .record(z.string(), labelValue)
    .superRefine((labels, ctx) => {
      if (Object.keys(labels).length === 0)
        ctx.addIssue({ code: "custom", message: "needs at least one label: Kube-OVN's central pods only run on nodes carrying one" });
      for (const key of Object.keys(labels)) {
        const message = labelKeyProblem(key);
        if (message) ctx.addIssue({ code: "custom", path: [key], message });
      }
    })
    .default(DEFAULT_KUBE_OVN_MASTER_LABELS),
});

/**
 * Migration limits, a subset of KubeVirt's MigrationConfiguration (kubevirt v1.9.0
 * api/openapi-spec/swagger.json v1.MigrationConfiguration, vendored in schemas/); KubeVirt's
 * defaults in brackets.
 */
const migrationsSchema = z.strictObject({
  /** Concurrent migrations in the cluster [5]. */
  parallelMigrationsPerCluster: z.number().int().min(1).optional(),
  /** Concurrent outgoing migrations per node [2]. */
  parallelOutboundMigrationsPerNode: z.number().int().min(1).optional(),
  /** Bandwidth per migration, a quantity per second [0: no limit]. */
  bandwidthPerMigration: quantity.optional(),
  /** Seconds per GiB of guest memory before a migration is cancelled or switched to post-copy [150]. */
  completionTimeoutPerGiB: z.number().int().min(1).optional(),
  /** Seconds without progress before a migration is cancelled [150]. */
  progressTimeout: z.number().int().min(1).optional(),
  allowAutoConverge: z.boolean().optional(),
  allowPostCopy: z.boolean().optional(),
});
export const EXTERNAL_UPLINKS = ["macvlan", "vlan"] as const;

/** Node labels as a map, an empty value meaning "has the label", every key checked. */
const labelMap = (what: string) =>
  z.record(z.string(), labelValue).superRefine((labels, ctx) => {
    if (Object.keys(labels).length === 0) ctx.addIssue({ code: "custom", message: `needs at least one label: ${what}` });
    for (const key of Object.keys(labels)) {
      const message = labelKeyProblem(key);
      if (message) ctx.addIssue({ code: "custom", path: [key], message });
    }
  });

/** Nodes that may host NAT gateways by default: the ones the platform team labels for it. */
export const DEFAULT_GATEWAY_NODE_LABELS: Record<string, string> = { "tenantnet.io/nat-gateway": "true" };

/**
 * The one external network every tenant NAT gateway attaches to: the uplink (macvlan on a NIC,
 * or a Kube-OVN VLAN provider network on a dedicated NIC), its addressing, the addresses
 * Kube-OVN must never hand out, the range tenants' public addresses come from, and the nodes
 * that may host gateways. `name` names its NAD and Kube-OVN Subnet.
 */
export const externalNetworkSchema = z
  .strictObject({
    name: dnsLabel.default("tn-external"),
    uplink: z.strictObject({
      type: z.enum(EXTERNAL_UPLINKS),
      /** The node NIC: macvlan's master, or the provider network's default interface. */
      nic: z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/, "a NIC name is at most 15 letters, digits, '_', '.', ':' or '-'"),
      /** VLAN tag of a `vlan` uplink; 0 (untagged) by default. */
      vlanId: z.number().int().min(0).max(4094).optional(),
    }),
    cidr,
    gateway: ipv4,
    excludeIps: z.array(ipRange).default([]),
    eipRange: ipRange,
    gatewayNodes: labelMap("NAT gateways are only scheduled on nodes carrying all of them").default(DEFAULT_GATEWAY_NODE_LABELS),
  })
  .superRefine((net, ctx) => {
    if (net.uplink.type === "macvlan" && net.uplink.vlanId !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["uplink", "vlanId"],
        message: "only a vlan uplink takes a vlanId; remove it or set uplink.type: vlan",
      });
    }
  });

const partRecord = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(PLATFORM_PARTS.map((part) => [part, value.optional()])) as Record<PlatformPart, z.ZodOptional<T>>);

export const platformSchema = z.strictObject({
  install: z.boolean().default(true),
  network: networkSchema,
  underlay: underlaySchema.default({ backend: "calico" }),
  versions: partRecord(z.string().min(1)).default({}),
  values: partRecord(z.record(z.string(), z.unknown())).default({}),
  /** Trailing slashes dropped here, so every image builder can join with a single "/". */
  imageRegistry: z
    .string()
    .transform((registry) => registry.replace(/\/+$/, ""))
    .default(""),
  /** Per chart part: an https:// index or oci:// path the chart is pulled from instead of upstream's. */
  chartRepositories: z
    .strictObject(
      Object.fromEntries(CHART_PARTS.map((part) => [part, chartRepository.optional()])) as Record<
        ChartPart,
        z.ZodOptional<typeof chartRepository>
      >,
    )
    .default({}),
  kubeOvn: kubeOvnSchema.default({ masterNodes: [], masterNodesLabels: DEFAULT_KUBE_OVN_MASTER_LABELS }),
  kubevirt: z
    .strictObject({
      featureGates: z.array(z.string().min(1)).default([]),
      /** KubeVirt CR `spec.configuration.migrations`; unset keys keep KubeVirt's defaults. */
      migrations: migrationsSchema.default({}),
    })
    .default({ featureGates: [], migrations: {} }),
  externalNetwork: externalNetworkSchema.optional(),
});

export const serviceSchema = z.strictObject({
  description: z.string().optional(),
  cidrs: z.array(cidr).min(1),
  ports: z.array(port).min(1),
});

const securityGroupRuleSchema = z
  .strictObject({
    protocol: z.enum(["all", "icmp", "tcp", "udp"]).default("all"),
    remoteAddress: z.union([cidr, ipv4]).optional(),
    remoteSecurityGroup: z.string().optional(),
    portRangeMin: z.number().int().min(1).max(65535).optional(),
    portRangeMax: z.number().int().min(1).max(65535).optional(),
    priority: z.number().int().min(1).max(200).default(100),
    policy: z.enum(["allow", "drop"]).default("allow"),
  })
  .superRefine((rule, ctx) => {
    if (rule.remoteAddress !== undefined && rule.remoteSecurityGroup !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["remoteSecurityGroup"],
        message: "a rule takes one remote: remoteAddress or remoteSecurityGroup, not both",
      });
    }
    const hasPorts = rule.portRangeMin !== undefined || rule.portRangeMax !== undefined;
    if (hasPorts && rule.protocol !== "tcp" && rule.protocol !== "udp") {
      ctx.addIssue({ code: "custom", path: ["protocol"], message: `port ranges need protocol tcp or udp, not ${rule.protocol}` });
    }
    if (rule.portRangeMin !== undefined && rule.portRangeMax !== undefined && rule.portRangeMin > rule.portRangeMax) {
      ctx.addIssue({ code: "custom", path: ["portRangeMax"], message: `${rule.portRangeMax} is below portRangeMin ${rule.portRangeMin}` });
    }
  });

/** Kube-OVN puts every port with a security group into its deny-all group: egress must be allowed explicitly. */
const ALLOW_ALL_EGRESS = [{ protocol: "all" as const, remoteAddress: "0.0.0.0/0", priority: 200, policy: "allow" as const }];

const securityGroupSchema = z.strictObject({
  allowSameGroupTraffic: z.boolean().default(true),
  ingressRules: z.array(securityGroupRuleSchema).default([]),
  egressRules: z.array(securityGroupRuleSchema).default(ALLOW_ALL_EGRESS),
});

export const underlayIngressSchema = z.strictObject({
  cidrs: z.array(cidr).min(1),
  ports: z.array(port).min(1),
});

export const KUBE_OVN_ATTACHMENTS = ["tenant", "platform"] as const;

/**
 * A tenant's registration: what the platform stack decides for it (namespace, underlay block,
 * grants, underlay ingress sources, which Kube-OVN attachment it uses). A tenant-only stack
 * reads these from the platform stack's `platformFacts` and may not set them.
 */
const tenantRegistrationShape = {
  namespace: dnsLabel.optional(),
  underlayBlock: cidr,
  services: z.array(z.string()).default([]),
  kubeOvnAttachment: z.enum(KUBE_OVN_ATTACHMENTS).default("tenant"),
  underlayIngress: z.array(underlayIngressSchema).default([]),
  /**
   * Public addresses granted from platform.externalNetwork.eipRange; `~` (null) entries are
   * pinned by `allocate` with the lowest free address, in place.
   */
  eips: z.array(ipv4.nullable()).default([]),
};

/** What a tenant declares for itself, in the platform stack or in its own stack. */
const tenantOwnShape = {
  /** Absent in the platform stack: the tenant is only registered there; its own stack declares the rest. */
  vpc: z.strictObject({ cidr, gateway: ipv4.optional() }).optional(),
  securityGroup: securityGroupSchema.optional(),
  /** Egress and inbound NAT through a Kube-OVN VpcNatGateway on the platform's external network. */
  natGateway: z.strictObject({ enabled: z.boolean(), lanIp: ipv4.optional(), snatIp: ipv4.optional() }).optional(),
  dns: dnsSchema.optional(),
  vms: z.record(z.string(), z.unknown()).default({}),
};

/** Keys of `tenantnet:tenants.<name>` that only the platform stack may set. */
export const TENANT_REGISTRATION_KEYS = Object.keys(tenantRegistrationShape) as (keyof typeof tenantRegistrationShape)[];

/** A tenant without its VMs: VMs are parsed one by one so one broken VM hides no other problem. */
export const tenantSchema = z.strictObject({ ...tenantRegistrationShape, ...tenantOwnShape });

/** The security group of a tenant that declares none. */
export const DEFAULT_SECURITY_GROUP = securityGroupSchema.parse({});

export const vmSchema = z.strictObject({
  guest: z.enum(GUESTS),
  underlayIp: ipv4.optional(),
  vpcIp: ipv4.optional(),
  services: z.array(z.string()).optional(),
  cpu: z.number().int().min(1).max(512).default(1),
  memory: quantity.default("2Gi"),
  image: z.string().min(1),
  sshKeys: z.array(z.string().min(1)).default([]),
  runStrategy: z.enum(RUN_STRATEGIES).default("Always"),
  /** Unset: the KubeVirt CR's (LiveMigrate). */
  evictionStrategy: z.enum(EVICTION_STRATEGIES).optional(),
  macs: z.strictObject({ underlay: mac.optional(), vpc: mac.optional() }).optional(),
  bandwidth: z
    .strictObject({
      ingressMbps: z.number().int().min(1).optional(),
      egressMbps: z.number().int().min(1).optional(),
    })
    .optional(),
  /** One of the tenant's eips, mapped 1:1 to this VM's VPC address (Kube-OVN IptablesFIPRule). */
  publicIp: ipv4.optional(),
  /** Ports of the tenant's SNAT address forwarded to this VM (Kube-OVN IptablesDnatRule). */
  portForwards: z
    .array(
      z.strictObject({
        externalPort: z.number().int().min(1).max(65535),
        internalPort: z.number().int().min(1).max(65535),
        protocol: z.enum(["tcp", "udp"]),
      }),
    )
    .default([]),
});

export type NetworkConfig = z.infer<typeof networkSchema>;
export type PlatformConfig = z.infer<typeof platformSchema>;
export type KubeOvnConfig = z.infer<typeof kubeOvnSchema>;
export type KubevirtConfig = PlatformConfig["kubevirt"];
export type SpiderpoolConfig = z.infer<typeof spiderpoolSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type SecurityGroupRule = z.infer<typeof securityGroupRuleSchema>;
export type ExternalNetworkConfig = z.infer<typeof externalNetworkSchema>;
export type DnsConfig = z.infer<typeof dnsSchema>;
export type VmInput = z.infer<typeof vmSchema>;

/** A VM after validation: addresses pinned, grants resolved. */
export interface VmConfig extends Omit<VmInput, "underlayIp" | "vpcIp" | "services"> {
  name: string;
  underlayIp: string;
  vpcIp: string;
  services: string[];
}

export type UnderlayIngress = z.infer<typeof underlayIngressSchema>;

/** A tenant's registration with its defaults resolved: what `platformFacts` carries per tenant. */
export interface TenantRegistration {
  namespace: string;
  underlayBlock: string;
  services: string[];
  kubeOvnAttachment: (typeof KUBE_OVN_ATTACHMENTS)[number];
  underlayIngress: UnderlayIngress[];
  eips: string[];
}

/** A tenant whose resources this stack declares: its registration plus what it declares itself. */
export interface TenantConfig extends TenantRegistration {
  name: string;
  vpc: { cidr: string; gateway: string };
  securityGroup: z.infer<typeof securityGroupSchema>;
  /** Set when the tenant's NAT gateway is enabled, defaults resolved. */
  natGateway?: { lanIp: string; snatIp: string };
  /** The guests' resolvers: the tenant's own, else the platform default, else none. */
  dns?: DnsConfig;
  vms: VmConfig[];
}

export interface StackConfig {
  platform: PlatformConfig;
  services: Record<string, ServiceConfig>;
  /** Every tenant registered with the platform: this stack's own, or the platform stack's facts. */
  registrations: Record<string, TenantRegistration>;
  /** The tenants whose resources this stack declares. */
  tenants: TenantConfig[];
  /** Set on a tenant-only stack: the platform stack (`org/project/stack`) that owns the facts. */
  platformStack?: string;
}
