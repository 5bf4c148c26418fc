// The tenantnet-guard policy pack: the only place that constructs the PolicyPack (it starts the
// gRPC server the Pulumi CLI talks to, and exits the process on errors). Run it with
// `pulumi preview --policy-pack policy --policy-pack-config <file>`; see README.md.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("tenantnet-guard", {
  description:
    "tenantnet: VM underlay NICs reach only their catalog allowlist; attachments, addresses, routes and subnets stay within the platform's contract.",
  policies,
});
