/**
 * JSON as Multus reads it. Multus v4.3.0 hands a NAD's `spec.config` (and a pod's JSON network
 * selection annotation) to several Go decoders: `encoding/json` into structs, which match object
 * keys case-insensitively and let the last of repeated keys win (pkg/types/conf.go
 * LoadDelegateNetConf into libcni's PluginConf, NetConfList for a conflist, every Go plugin into
 * its own struct), and into maps, which look keys up exactly (the NAD client's
 * GetCNIConfigFromSpec, containernetworking/cni v1.3.0 libcni/conf.go NetworkConfFromBytes reads
 * `name`, `cniVersion`, `plugins`). Where those readers could disagree, so could the pack and
 * Multus: this reader refuses every such text instead of guessing which reading wins.
 */
import { printParseErrorCode, visit, type JSONPath } from "jsonc-parser";

export interface JsonProblem {
  /** Where in the document, `plugins[0].Type`, or `` for the whole text. */
  path: string;
  why: string;
}

export type GoJson = { ok: true; value: unknown } | { ok: false; problems: JsonProblem[] };

/**
 * Go's struct-field key matching: `bytes.EqualFold`, Unicode simple case folding, so `ſ` (U+017F)
 * matches `s` and `K` (U+212A) matches `k`. Per code point: upper then lower case, where that
 * stays one code point (a multi-code-point mapping such as `ß` -> `SS` is not a simple fold).
 */
export function goFold(key: string): string {
  let out = "";
  for (const ch of key) {
    const upper = ch.toUpperCase();
    const lower = [...upper].length === 1 ? upper.toLowerCase() : ch.toLowerCase();
    out += [...lower].length === 1 ? lower : ch;
  }
  return out;
}

/**
 * Keys some reader of a CNI config looks up exactly: libcni's and Multus's own, and those of the
 * configs the platform renders (calico, x-calico-route, tuning, kube-ovn). A key that folds to
 * one of them but is spelled otherwise is read by a Go struct and missed by a map lookup (and by
 * the pack); the platform never writes one.
 */
export const EXACT_CNI_KEYS: readonly string[] = [
  "cniVersion",
  "cniVersions",
  "name",
  "type",
  "plugins",
  "capabilities",
  "ipam",
  "dns",
  "prevResult",
  "runtimeConfig",
  "args",
  "disableCheck",
  "disableGC",
  "loadOnlyInlinedPlugins",
  "datastore_type",
  "log_level",
  "log_file_path",
  "nodename",
  "nodename_file_optional",
  "policy_setup_timeout_seconds",
  "policy",
  "kubernetes",
  "kubeconfig",
  "routes",
  "dst",
  "gw",
  "gateway",
  "mac",
  "mtu",
  "provider",
  "server_socket",
  "master",
  "mode",
  "device",
  "namespace",
  "interface",
  "ips",
];

const EXACT_BY_FOLD = new Map(EXACT_CNI_KEYS.map((key) => [goFold(key), key]));

export function jsonPathText(path: JSONPath): string {
  return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
}

interface Frame {
  path: JSONPath;
  value: Record<string, unknown> | unknown[];
  /** Folded key -> the key as written, for objects. */
  keys: Map<string, string>;
  pendingKey?: string;
}

/**
 * Parses `text` as strict JSON (no comments, no trailing commas) and refuses, at every depth,
 * two keys of one object that Go's decoder folds together (repeats included) and a key spelled
 * otherwise than the exact key it folds to.
 */
export function parseGoJson(text: string): GoJson {
  const problems: JsonProblem[] = [];
  const stack: Frame[] = [];
  let root: unknown;
  let done = false;
  let syntaxError = false;
  const place = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      done = true;
    } else if (Array.isArray(top.value)) top.value.push(value);
    else if (top.pendingKey !== undefined) {
      // defineProperty: a `__proto__` key stays a key, as it is for Go.
      Object.defineProperty(top.value, top.pendingKey, { value, enumerable: true, writable: true, configurable: true });
      top.pendingKey = undefined;
    }
  };
  const open = (value: Record<string, unknown> | unknown[], path: () => JSONPath) => {
    stack.push({ path: path(), value, keys: new Map() });
  };
  const close = () => {
    const frame = stack.pop();
    if (frame) place(frame.value);
  };
  visit(
    text,
    {
      onObjectBegin: (_o, _l, _sl, _sc, path) => open({}, path),
      onObjectEnd: close,
      onArrayBegin: (_o, _l, _sl, _sc, path) => open([], path),
      onArrayEnd: close,
      onObjectProperty: (property, _o, _l, _sl, _sc, path) => {
        const top = stack[stack.length - 1];
        const where = jsonPathText([...path(), property]);
        const folded = goFold(property);
        const earlier = top.keys.get(folded);
        if (earlier !== undefined)
          problems.push({
            path: where,
            why:
              earlier === property
                ? `repeated key ${JSON.stringify(property)}: Go's decoders take the last, other readers the first`
                : `key ${JSON.stringify(property)} repeats ${JSON.stringify(earlier)} but for case: Go's struct decoders read both as one field (the last wins), map lookups only the exact one`,
          });
        else top.keys.set(folded, property);
        const exact = EXACT_BY_FOLD.get(folded);
        if (exact !== undefined && exact !== property)
          problems.push({
            path: where,
            why: `key ${JSON.stringify(property)} is ${JSON.stringify(exact)} to Go's struct decoders but not to libcni's map lookups (nor to this pack): spell it ${JSON.stringify(exact)}`,
          });
        top.pendingKey = property;
      },
      onLiteralValue: (value) => place(value),
      onError: (error, offset) => {
        // The first syntax error is the one to fix; the scanner's later ones follow from it.
        if (syntaxError) return;
        problems.push({ path: "", why: `not JSON as Go reads it: ${printParseErrorCode(error)} at offset ${offset}` });
        syntaxError = true;
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (!done && problems.length === 0) problems.push({ path: "", why: "not JSON: the document is incomplete" });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: root };
}

/** The problems as one sentence, paths under `prefix` (e.g. `spec.config`). */
export function problemsText(problems: JsonProblem[], prefix: string): string {
  return problems.map((p) => `${p.path ? `${prefix}.${p.path}` : prefix}: ${p.why}`).join("; ");
}
