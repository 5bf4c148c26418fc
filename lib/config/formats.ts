/** Text formats of stack-config values, as zod refinements that explain what is allowed. */
import { z } from "zod";
import { cidrProblem, isIpv4 } from "../cidr";

export const PORT_PATTERN = /^(\d{1,5})\/(TCP|UDP|SCTP)$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A fully qualified stack name, `org/project/stack`, as `pulumi.StackReference` takes it. */
export const PLATFORM_STACK = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });
}

export const cidr = checked(cidrProblem);

export const ipv4 = checked((value) =>
  isIpv4(value) ? undefined : `${JSON.stringify(value)} is not an IPv4 address (expected a.b.c.d)`,
);

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

