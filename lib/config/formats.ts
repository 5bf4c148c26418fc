/** Text formats of stack-config values, as zod refinements that explain what is allowed. */
import { z } from "zod";
import { cidrProblem, ipRangeProblem, isIpv4 } from "../cidr";

export const PORT_PATTERN = /^(\d{1,5})\/(TCP|UDP|SCTP)$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A fully qualified stack name, `org/project/stack`, as `pulumi.StackReference` takes it. */
export const PLATFORM_STACK = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
/** Kubernetes label names and values: at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CHART_REPOSITORY = /^(https?|oci):\/\/[^\s/]+(\/\S*)?$/;

function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });
}

export const cidr = checked(cidrProblem);

export const ipv4 = checked((value) => (isIpv4(value) ? undefined : `${JSON.stringify(value)} is not an IPv4 address (expected a.b.c.d)`));

/** One address or a Kube-OVN `a.b.c.d..a.b.c.e` range, as Subnet `excludeIps` takes them. */
export const ipRange = checked(ipRangeProblem);

export const port = checked((value) => {
  const match = PORT_PATTERN.exec(value);
  if (!match) return `${JSON.stringify(value)} is not a port (expected "N/TCP", "N/UDP" or "N/SCTP")`;
  const number = Number(match[1]);
  return number >= 1 && number <= 65535 ? undefined : `port ${number} is out of range (1 to 65535)`;
});

export const dnsLabel = checked((value) =>
  DNS_LABEL.test(value)
    ? undefined
    : `${JSON.stringify(value)} is not a DNS label (lower-case letters, digits and '-', at most 63, starting and ending alphanumeric)`,
);

export const mac = checked((value) =>
  MAC.test(value) ? undefined : `${JSON.stringify(value)} is not a MAC address (expected lower-case aa:bb:cc:dd:ee:ff)`,
);

export const quantity = checked((value) =>
  QUANTITY.test(value) ? undefined : `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 4Gi, 512Mi)`,
);

/** Why `value` is not a label key (`name` or `prefix/name`, the prefix a DNS subdomain of at most 253 characters). */
export function labelKeyProblem(value: string): string | undefined {
  const slash = value.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : value.slice(0, slash);
  const name = value.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  return prefixOk && LABEL_NAME.test(name)
    ? undefined
    : `${JSON.stringify(value)} is not a label key (name or prefix/name; name at most 63 alphanumerics, '-', '_', '.'; prefix a DNS subdomain)`;
}

/** A label value; empty is allowed (for a node selector it then means "the label exists"). */
export const labelValue = checked((value) =>
  value === "" || LABEL_NAME.test(value)
    ? undefined
    : `${JSON.stringify(value)} is not a label value (empty, or at most 63 alphanumerics, '-', '_', '.')`,
);

/** A Helm chart repository: an http(s) index URL or an `oci://` registry path. */
export const chartRepository = checked((value) =>
  CHART_REPOSITORY.test(value)
    ? undefined
    : `${JSON.stringify(value)} is not a chart repository (expected https://host/path or oci://host/path)`,
).transform((value) => value.replace(/\/+$/, ""));

export type Protocol = "TCP" | "UDP" | "SCTP";

export function parsePort(text: string): { port: number; protocol: Protocol } {
  const match = PORT_PATTERN.exec(text);
  if (!match) throw new Error(`${JSON.stringify(text)} is not a port`);
  return { port: Number(match[1]), protocol: match[2] as Protocol };
}

/** "80/TCP"-style ports grouped by protocol, in first-seen order, duplicates dropped. */
export function portsByProtocol(ports: string[]): { protocol: Protocol; ports: number[] }[] {
  const groups = new Map<Protocol, number[]>();
  for (const text of ports) {
    const { port, protocol } = parsePort(text);
    const group = groups.get(protocol) ?? [];
    if (!group.includes(port)) group.push(port);
    groups.set(protocol, group);
  }
  return [...groups].map(([protocol, numbers]) => ({ protocol, ports: numbers }));
}
