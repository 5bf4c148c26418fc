/**
 * Values the engine does not know during a preview (another resource's outputs, not yet created).
 * CrossGuard hands a policy its props behind `unknownCheckingProxy`, which throws
 * `UnknownValueError` when one is read, and reports that throw as an advisory "can't run policy
 * ... during preview" for the whole policy (pulumi/pulumi-policy@v1.21.0
 * sdk/nodejs/policy/server.ts, makeAnalyzeRpcFun / makeAnalyzeStackRpcFun): a mandatory gate that
 * quietly passes. Here the props are copied out of that proxy into plain data, remembering where
 * the unknown values were, so the adapter can turn each one a rule reads into a violation of it.
 */
import { UnknownValueError } from "@pulumi/policy";
import { isPlainObject } from "../lib/plain-object";

/** What a rule reads in place of an unknown value (the engine's sentinel means nothing to a reader). */
export const UNKNOWN_DURING_PREVIEW = "(unknown during preview)";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `spec.egress[0]`, `metadata.annotations["cni.projectcalico.org/ipAddrs"]`: how violations spell key paths. */
function childPath(parent: string, key: string, inArray: boolean): string {
  if (inArray) return `${parent}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

export interface PlainProps {
  /** The props as plain data; each unknown value reads as UNKNOWN_DURING_PREVIEW. */
  props: Record<string, unknown>;
  /** Key paths of the unknown values, in document order. */
  unknownPaths: string[];
  /**
   * `props` behind a proxy that calls `onRead(path)` each time an unknown value is read; `props`
   * itself when nothing is unknown. A rule's verdict depends only on what it reads, so the
   * unknowns it never reads (a ConfigMap's data, a Helm release's status) cannot change it.
   */
  watch(onRead: (path: string) => void): Record<string, unknown>;
}

/** Copies CrossGuard props (or any props) into plain data, recording every unknown value. */
export function plainProps(proxied: Record<string, unknown>): PlainProps {
  /** Container -> key -> the key path of the unknown value it holds. */
  const unknownAt = new WeakMap<object, Map<string, string>>();
  const unknownPaths: string[] = [];

  const copy = (node: object, path: string): object => {
    const inArray = Array.isArray(node);
    const out: Record<string, unknown> = inArray ? ([] as unknown as Record<string, unknown>) : {};
    for (const key of Object.keys(node)) {
      const at = childPath(path, key, inArray);
      let value: unknown;
      try {
        value = (node as Record<string, unknown>)[key];
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        unknownPaths.push(at);
        if (!unknownAt.has(out)) unknownAt.set(out, new Map());
        unknownAt.get(out)!.set(key, at);
        value = UNKNOWN_DURING_PREVIEW;
      }
      out[key] = typeof value === "object" && value !== null ? copy(value, at) : value;
    }
    return out;
  };
  const props = copy(proxied, "") as Record<string, unknown>;

  const watch = (onRead: (path: string) => void): Record<string, unknown> => {
    if (unknownPaths.length === 0) return props;
    // One proxy per container, so a rule that compares or indexes sub-objects by identity still can.
    const proxies = new WeakMap<object, object>();
    const wrap = (target: object): object => {
      let proxy = proxies.get(target);
      if (proxy === undefined) {
        proxy = new Proxy(target, {
          get(container, key, receiver) {
            const value: unknown = Reflect.get(container, key, receiver);
            if (typeof key !== "string" || !Object.hasOwn(container, key)) return value;
            const unknownPath = unknownAt.get(container)?.get(key);
            if (unknownPath !== undefined) onRead(unknownPath);
            return isPlainObject(value) || Array.isArray(value) ? wrap(value) : value;
          },
        });
        proxies.set(target, proxy);
      }
      return proxy;
    };
    return wrap(props) as Record<string, unknown>;
  };

  return { props, unknownPaths, watch };
}
