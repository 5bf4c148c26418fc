// Pulumi entry point: the stack outputs are what `tenantnet()` returns.
import { tenantnet } from "./program";

export = tenantnet;
