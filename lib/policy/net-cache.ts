/**
 * `parseNet` (lib/cidr.ts) memoized by text: a stack repeats the same few catalog nets and
 * reservations in thousands of policies, and parsing through ip-address dominated evaluation.
 * The distinct texts of a stack are few, so the cache stays small.
 */
import { parseNet, type Cidr } from "../cidr";

const cache = new Map<string, Cidr | null>();

/** The range of an IPv4 address or CIDR, or undefined when the text is neither. */
export function netOf(text: string): Cidr | undefined {
  let cidr = cache.get(text);
  if (cidr === undefined) {
    try {
      cidr = parseNet(text);
    } catch {
      cidr = null;
    }
    cache.set(text, cidr);
  }
  return cidr ?? undefined;
}
