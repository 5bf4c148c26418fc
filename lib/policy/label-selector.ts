/**
 * Kubernetes `LabelSelector` (matchLabels + matchExpressions) as a predicate over labels, for
 * `networking.k8s.io/v1` NetworkPolicies, which Calico enforces on the underlay NIC too.
 */
import { asArray, asObject, asString, stringMap } from "./k8s";
import type { Labels, ParsedSelector } from "./selector";

export function parseLabelSelector(value: unknown): ParsedSelector {
  const selector = asObject(value);
  const matchLabels = Object.entries(stringMap(selector.matchLabels));
  const tests: ((labels: Labels) => boolean)[] = [];
  for (const [index, raw] of asArray(selector.matchExpressions).entries()) {
    const expression = asObject(raw);
    const labelKey = asString(expression.key);
    const operator = asString(expression.operator);
    const values = new Set(asArray(expression.values).filter((v): v is string => typeof v === "string"));
    if (labelKey === undefined) return { ok: false, error: `matchExpressions[${index}] has no key` };
    const has = (labels: Labels) => Object.prototype.hasOwnProperty.call(labels, labelKey);
    if (operator === "In") tests.push((labels) => has(labels) && values.has(labels[labelKey]));
    else if (operator === "NotIn") tests.push((labels) => !has(labels) || !values.has(labels[labelKey]));
    else if (operator === "Exists") tests.push(has);
    else if (operator === "DoesNotExist") tests.push((labels) => !has(labels));
    else
      return {
        ok: false,
        error: `matchExpressions[${index}].operator ${JSON.stringify(operator)} is not In, NotIn, Exists or DoesNotExist`,
      };
  }
  return {
    ok: true,
    matches: (labels) => matchLabels.every(([k, v]) => labels[k] === v) && tests.every((test) => test(labels)),
  };
}
