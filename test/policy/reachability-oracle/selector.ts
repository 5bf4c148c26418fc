/**
 * The oracle's own label matching, written from the documented syntax rather than shared with
 * lib/policy so the differential test compares two independent readings.
 *
 * Calico selectors (projectcalico/calico@v3.32.1 api/pkg/apis/projectcalico/v3/networkpolicy.go,
 * the `Selector` field's doc): `k == 'v'`, `k != 'v'` (also true when k is absent), `k in {...}`,
 * `k not in {...}` (also true when k is absent: libcalico-go/lib/selector/parser/ast.go
 * LabelNotInSetNode.Evaluate), `has(k)`, `!`, `&&`, `||`, parentheses, `all()` or empty = all.
 */
export type Labels = Record<string, string>;
type Matcher = (labels: Labels) => boolean;

const TOKEN = /\s*(?:(&&|\|\||==|!=|[!(){},])|('[^']*'|"[^"]*")|([A-Za-z0-9_./-]+))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`oracle selector: cannot read ${JSON.stringify(text)} at ${at}`);
    tokens.push(match[1] ?? match[2] ?? match[3]);
  }
  return tokens;
}

const isString = (token: string | undefined): boolean => token !== undefined && /^['"]/.test(token);

export function parseCalicoSelector(text: string): Matcher {
  const tokens = tokenize(text);
  if (tokens.length === 0) return () => true;
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const next = (): string => {
    const token = tokens[position++];
    if (token === undefined) throw new Error(`oracle selector: ${JSON.stringify(text)} ends early`);
    return token;
  };
  const expect = (token: string): void => {
    const got = next();
    if (got !== token) throw new Error(`oracle selector: expected ${token}, got ${got} in ${JSON.stringify(text)}`);
  };
  const literal = (): string => {
    const token = next();
    if (!isString(token)) throw new Error(`oracle selector: expected a string, got ${token} in ${JSON.stringify(text)}`);
    return token.slice(1, -1);
  };
  const set = (): Set<string> => {
    expect("{");
    const values = new Set<string>();
    while (peek() !== "}") {
      values.add(literal());
      if (peek() === ",") next();
    }
    expect("}");
    return values;
  };

  function or(): Matcher {
    const parts = [and()];
    while (peek() === "||") {
      next();
      parts.push(and());
    }
    return (labels) => parts.some((part) => part(labels));
  }
  function and(): Matcher {
    const parts = [unary()];
    while (peek() === "&&") {
      next();
      parts.push(unary());
    }
    return (labels) => parts.every((part) => part(labels));
  }
  function unary(): Matcher {
    const token = next();
    if (token === "!") {
      const inner = unary();
      return (labels) => !inner(labels);
    }
    if (token === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token === "all" || token === "has") {
      expect("(");
      if (token === "all") {
        expect(")");
        return () => true;
      }
      const key = next();
      expect(")");
      return (labels) => key in labels;
    }
    const key = token;
    const operator = next();
    if (operator === "==") {
      const value = literal();
      return (labels) => labels[key] === value;
    }
    if (operator === "!=") {
      const value = literal();
      return (labels) => labels[key] !== value;
    }
    if (operator === "in") {
      const values = set();
      return (labels) => key in labels && values.has(labels[key]);
    }
    if (operator === "not") {
      expect("in");
      const values = set();
      return (labels) => !(key in labels) || !values.has(labels[key]);
    }
    throw new Error(`oracle selector: unsupported operator ${operator} in ${JSON.stringify(text)}`);
  }

  const matcher = or();
  if (position !== tokens.length)
    throw new Error(`oracle selector: trailing ${tokens.slice(position).join(" ")} in ${JSON.stringify(text)}`);
  return matcher;
}

/**
 * A Kubernetes metav1.LabelSelector: every matchLabels pair and every matchExpressions entry
 * must hold; NotIn and DoesNotExist hold when the key is absent (k8s.io/apimachinery
 * pkg/labels/selector.go Requirement.Matches). An empty selector selects everything.
 */
export function matchesLabelSelector(selector: unknown, labels: Labels): boolean {
  const { matchLabels = {}, matchExpressions = [] } = selector as {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const pairs = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  return (
    pairs &&
    matchExpressions.every(({ key, operator, values = [] }) => {
      switch (operator) {
        case "In":
          return key in labels && values.includes(labels[key]);
        case "NotIn":
          return !(key in labels) || !values.includes(labels[key]);
        case "Exists":
          return key in labels;
        case "DoesNotExist":
          return !(key in labels);
        default:
          throw new Error(`oracle label selector: unsupported operator ${operator}`);
      }
    })
  );
}
