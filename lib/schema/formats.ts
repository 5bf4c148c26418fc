/**
 * String and number formats as the Kubernetes API server (kube-openapi strfmt) reads them.
 * Formats not listed here are accepted (the API server ignores them too); the registry lists
 * them as "unknown formats" so nobody believes they were checked.
 */
import { isIPv4, isIPv6 } from "node:net";
import type Ajv from "ajv";
import type { Format } from "ajv";
import formatsPlugin from "ajv-formats";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 2 ** 63;

/** Go's net.ParseIP: no zone suffix, no leading zeros (Node's isIPv4 rejects those too). */
export function isIpAddress(value: string): boolean {
  return !value.includes("%") && (isIPv4(value) || isIPv6(value));
}

/** Go's net.ParseCIDR: an address (host bits may be set), `/`, a prefix length in range. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return false;
  if (address.includes("%")) return false;
  if (isIPv4(address)) return Number(prefix) <= 32;
  if (isIPv6(address)) return Number(prefix) <= 128;
  return false;
}

/** Go's net.ParseMAC: EUI-48, EUI-64 or 20-octet InfiniBand, `:`/`-` separated or dotted. */
const MAC_PATTERN = new RegExp(
  [
    "^[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\\1[0-9A-Fa-f]{2}){4}$",
    "^[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\\2[0-9A-Fa-f]{2}){6}$",
    "^[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\\3[0-9A-Fa-f]{2}){18}$",
    "^[0-9A-Fa-f]{4}(?:\\.[0-9A-Fa-f]{4}){2}$",
    "^[0-9A-Fa-f]{4}(?:\\.[0-9A-Fa-f]{4}){3}$",
    "^[0-9A-Fa-f]{4}(?:\\.[0-9A-Fa-f]{4}){9}$",
  ].join("|"),
);

export function isMacAddress(value: string): boolean {
  return MAC_PATTERN.test(value);
}

/**
 * resource.Quantity: signed decimal number followed by a binary-SI suffix (Ki..Ei), a
 * decimal-SI suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-2).
 */
const QUANTITY_PATTERN = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

export function isQuantity(value: string): boolean {
  return QUANTITY_PATTERN.test(value);
}

/** Standard base64 with padding; Go's decoder skips CR/LF, so do we. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(value: string): boolean {
  return BASE64_PATTERN.test(value.replace(/[\r\n]/g, ""));
}

/**
 * Go duration ("1h30m", "250ms", "-1.5h") or go-openapi's longer spellings ("3 days", "1w").
 * ISO 8601 ("PT1H") is not what Kubernetes means by `duration`.
 */
const GO_DURATION_PATTERN = /^[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const LONG_DURATION_PATTERN =
  /^(?:\s*[0-9]+\s*(?:ns|us|µs|ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|wk|wks|week|weeks)\s*)+$/;

export function isDuration(value: string): boolean {
  return value === "0" || GO_DURATION_PATTERN.test(value) || LONG_DURATION_PATTERN.test(value);
}

const stringFormat = (validate: (value: string) => boolean): Format => ({ type: "string", validate });
const numberFormat = (validate: (value: number) => boolean): Format => ({ type: "number", validate });

/** Every format the validator checks (or knowingly accepts), by name. */
export const KUBERNETES_FORMATS: Readonly<Record<string, Format>> = {
  cidr: stringFormat(isCidr),
  ip: stringFormat(isIpAddress),
  ipv4: stringFormat((value) => isIPv4(value)),
  ipv6: stringFormat((value) => !value.includes("%") && isIPv6(value)),
  mac: stringFormat(isMacAddress),
  quantity: stringFormat(isQuantity),
  // The integer half is a type question (see openapi.ts); any string is a valid string half.
  "int-or-string": true,
  "date-time": formatsPlugin.get("date-time", "full"),
  datetime: formatsPlugin.get("date-time", "full"),
  date: formatsPlugin.get("date", "full"),
  byte: stringFormat(isBase64),
  uri: formatsPlugin.get("uri", "full"),
  uuid: formatsPlugin.get("uuid", "full"),
  email: formatsPlugin.get("email", "full"),
  hostname: formatsPlugin.get("hostname", "full"),
  duration: stringFormat(isDuration),
  // Write-only hint for UIs, never a constraint.
  password: true,
  int32: numberFormat((value) => Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX),
  int64: numberFormat((value) => Number.isInteger(value) && Math.abs(value) <= INT64_LIMIT),
  float: numberFormat(() => true),
  double: numberFormat(() => true),
};

export function isKnownFormat(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(KUBERNETES_FORMATS, name);
}

export function registerKubernetesFormats(ajv: Ajv): void {
  for (const [name, format] of Object.entries(KUBERNETES_FORMATS)) ajv.addFormat(name, format);
}
