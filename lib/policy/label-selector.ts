/**
 * Kubernetes `LabelSelector` (matchLabels + matchExpressions) as a selector tree, for
 * `networking.k8s.io/v1` NetworkPolicies and the policy.networking.k8s.io admin policies, which
 * Calico turns into its own selectors (`k == 'v'`, `k in {...}`, `has(k)`).
 */
import { asArray, asObject, asString, stringMap } from "./k8s";
import { selectorOf, type ParsedSelector, type SelectorNode } from "./selector";

function and(nodes: SelectorNode[]): SelectorNode {
  return nodes.reduce<SelectorNode>((left, right) => (left.op === "all" ? right : { op: "and", left, right }), { op: "all" });
}

export function parseLabelSelector(value: unknown): ParsedSelector {
  const selector = asObject(value);
  const nodes: SelectorNode[] = Object.entries(stringMap(selector.matchLabels)).map(([key, v]) => ({
    op: "test",
    key,
    test: (value: string) => value === v,
    absent: false,
    equals: v,
  }));
  for (const [index, raw] of asArray(selector.matchExpressions).entries()) {
    const expression = asObject(raw);
    const key = asString(expression.key);
    const operator = asString(expression.operator);
    const values = new Set(asArray(expression.values).filter((v): v is string => typeof v === "string"));
    if (key === undefined) return { ok: false, error: `matchExpressions[${index}] has no key` };
    if (operator === "In")
      nodes.push({ op: "test", key, test: (v) => values.has(v), absent: false, ...(values.size === 1 ? { equals: [...values][0] } : {}) });
    else if (operator === "NotIn") nodes.push({ op: "test", key, test: (v) => !values.has(v), absent: true });
    else if (operator === "Exists") nodes.push({ op: "has", key });
    else if (operator === "DoesNotExist") nodes.push({ op: "not", inner: { op: "has", key } });
    else
      return {
        ok: false,
        error: `matchExpressions[${index}].operator ${JSON.stringify(operator)} is not In, NotIn, Exists or DoesNotExist`,
      };
  }
  return selectorOf(and(nodes));
}
