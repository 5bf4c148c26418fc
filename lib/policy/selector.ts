/**
 * Calico label selectors (projectcalico.org selector syntax) parsed into a small expression tree:
 * `all()`, `global()`, `has(k)`, `k == 'v'`, `k != 'v'`, `k in {'a','b'}`, `k not in {...}`,
 * `k contains 's'`, `k starts with 's'`, `k ends with 's'`, `!`, `&&`, `||` and parentheses.
 * Anything else is a parse error: the caller judges that selector and says so.
 *
 * The tree is evaluated two ways: over known labels (true/false) and over partially known labels
 * (yes/no/maybe), so a selector that uses a label whose value nobody can know (a uid, a namespace
 * label the stack does not declare) is "maybe", never silently false.
 */

export type Labels = Readonly<Record<string, string>>;
export type Predicate = (labels: Labels) => boolean;

/** Three-valued truth: Kleene logic over labels some of whose values are unknown. */
export type Tri = "yes" | "no" | "maybe";

/** What a selector may ask of an endpoint: a label's value, undefined when absent, UNKNOWN when nobody knows. */
export const UNKNOWN: unique symbol = Symbol("unknown label value");
export type LabelLookup = (key: string) => string | undefined | typeof UNKNOWN;

export type SelectorNode =
  | { op: "all" }
  | { op: "none" }
  | { op: "has"; key: string }
  | { op: "test"; key: string; test: (value: string) => boolean; absent: boolean; equals?: string }
  | { op: "not"; inner: SelectorNode }
  | { op: "and" | "or"; left: SelectorNode; right: SelectorNode };

export type ParsedSelector =
  | {
      ok: true;
      node: SelectorNode;
      /** True when every label is known and the selector matches them. */
      matches: Predicate;
      evaluate(lookup: LabelLookup): Tri;
      /** `key == 'value'` conjuncts every match needs: what policies are indexed by. */
      requires: [string, string][];
    }
  | { ok: false; error: string };

type Token =
  { kind: "op"; text: string; at: number } | { kind: "word"; text: string; at: number } | { kind: "string"; text: string; at: number };

const OPERATORS = ["&&", "||", "==", "!=", "!", "(", ")", "{", "}", ","];
const WORD = /[A-Za-z0-9_./-]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string starting at offset ${i}`);
      tokens.push({ kind: "string", text: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: "op", text: op, at: i });
      i += op.length;
      continue;
    }
    if (WORD.test(c)) {
      let end = i;
      while (end < text.length && WORD.test(text[end])) end++;
      tokens.push({ kind: "word", text: text.slice(i, end), at: i });
      i = end;
      continue;
    }
    throw new Error(`unexpected character ${JSON.stringify(c)} at offset ${i}`);
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): SelectorNode {
    const node = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw new Error(`unexpected ${JSON.stringify(extra.text)} at offset ${extra.at}`);
    return node;
  }

  private peek(text: string): boolean {
    const t = this.tokens[this.i];
    return t !== undefined && t.kind !== "string" && t.text === text;
  }

  private expect(text: string): void {
    if (!this.peek(text)) throw new Error(`expected ${JSON.stringify(text)} ${this.where()}`);
    this.i++;
  }

  private where(): string {
    const t = this.tokens[this.i];
    return t ? `at offset ${t.at} (found ${JSON.stringify(t.text)})` : "at the end";
  }

  private string(): string {
    const t = this.tokens[this.i];
    if (t?.kind !== "string") throw new Error(`expected a quoted value ${this.where()}`);
    this.i++;
    return t.text;
  }

  private or(): SelectorNode {
    let left = this.and();
    while (this.peek("||")) {
      this.i++;
      left = { op: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): SelectorNode {
    let left = this.unary();
    while (this.peek("&&")) {
      this.i++;
      left = { op: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): SelectorNode {
    if (this.peek("!")) {
      this.i++;
      return { op: "not", inner: this.unary() };
    }
    return this.primary();
  }

  private set(): Set<string> {
    this.expect("{");
    const values = new Set<string>();
    if (!this.peek("}")) {
      values.add(this.string());
      while (this.peek(",")) {
        this.i++;
        values.add(this.string());
      }
    }
    this.expect("}");
    return values;
  }

  private primary(): SelectorNode {
    if (this.peek("(")) {
      this.i++;
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    const t = this.tokens[this.i];
    if (t?.kind !== "word") throw new Error(`expected a label key or function ${this.where()}`);
    this.i++;
    if (this.peek("(")) {
      this.i++;
      if (t.text === "all" || t.text === "global") {
        this.expect(")");
        // global() matches non-namespaced resources only; workload endpoints always live in a namespace.
        return { op: t.text === "all" ? "all" : "none" };
      }
      if (t.text === "has") {
        const k = this.tokens[this.i];
        if (k?.kind !== "word") throw new Error(`expected a label key in has() ${this.where()}`);
        this.i++;
        this.expect(")");
        return { op: "has", key: k.text };
      }
      throw new Error(`unknown function ${t.text}() at offset ${t.at}`);
    }
    const key = t.text;
    if (this.peek("==")) {
      this.i++;
      const v = this.string();
      return { op: "test", key, test: (value) => value === v, absent: false, equals: v };
    }
    if (this.peek("!=")) {
      this.i++;
      const v = this.string();
      // Calico: != also matches endpoints that lack the label.
      return { op: "test", key, test: (value) => value !== v, absent: true };
    }
    if (this.peek("in")) {
      this.i++;
      const values = this.set();
      return {
        op: "test",
        key,
        test: (value) => values.has(value),
        absent: false,
        ...(values.size === 1 ? { equals: [...values][0] } : {}),
      };
    }
    if (this.peek("not")) {
      this.i++;
      this.expect("in");
      const values = this.set();
      return { op: "test", key, test: (value) => !values.has(value), absent: true };
    }
    if (this.peek("contains")) {
      this.i++;
      const s = this.string();
      return { op: "test", key, test: (value) => value.includes(s), absent: false };
    }
    for (const side of ["starts", "ends"] as const) {
      if (this.peek(side)) {
        this.i++;
        this.expect("with");
        const s = this.string();
        return { op: "test", key, test: side === "starts" ? (value) => value.startsWith(s) : (value) => value.endsWith(s), absent: false };
      }
    }
    throw new Error(`expected an operator after label key ${JSON.stringify(key)} ${this.where()}`);
  }
}

const NOT: Record<Tri, Tri> = { yes: "no", no: "yes", maybe: "maybe" };

/** Kleene evaluation of a selector tree over partially known labels. */
export function evaluateNode(node: SelectorNode, lookup: LabelLookup): Tri {
  switch (node.op) {
    case "all":
      return "yes";
    case "none":
      return "no";
    case "has": {
      const value = lookup(node.key);
      return value === UNKNOWN ? "maybe" : value === undefined ? "no" : "yes";
    }
    case "test": {
      const value = lookup(node.key);
      if (value === UNKNOWN) return "maybe";
      if (value === undefined) return node.absent ? "yes" : "no";
      return node.test(value) ? "yes" : "no";
    }
    case "not":
      return NOT[evaluateNode(node.inner, lookup)];
    case "and": {
      const left = evaluateNode(node.left, lookup);
      if (left === "no") return "no";
      const right = evaluateNode(node.right, lookup);
      return right === "no" ? "no" : left === "yes" && right === "yes" ? "yes" : "maybe";
    }
    case "or": {
      const left = evaluateNode(node.left, lookup);
      if (left === "yes") return "yes";
      const right = evaluateNode(node.right, lookup);
      return right === "yes" ? "yes" : left === "no" && right === "no" ? "no" : "maybe";
    }
  }
}

/** The `key == 'value'` facts a match needs (conjuncts of the top-level `&&` chain). */
function requiredEqualities(node: SelectorNode): [string, string][] {
  if (node.op === "and") return [...requiredEqualities(node.left), ...requiredEqualities(node.right)];
  if (node.op === "test" && node.equals !== undefined) return [[node.key, node.equals]];
  return [];
}

const knownLookup =
  (labels: Labels): LabelLookup =>
  (key) =>
    Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;

/** A parsed selector from its tree. */
export function selectorOf(node: SelectorNode): ParsedSelector {
  return {
    ok: true,
    node,
    matches: (labels) => evaluateNode(node, knownLookup(labels)) === "yes",
    evaluate: (lookup) => evaluateNode(node, lookup),
    requires: requiredEqualities(node),
  };
}

const ALL = selectorOf({ op: "all" });
/** Parsed selectors by text: immutable, and a stack (and every view of it) repeats the same texts. */
const parsedByText = new Map<string, ParsedSelector>();

/** Parses a Calico selector; an empty or missing selector selects everything (Calico's default). */
export function parseSelector(text: string | undefined): ParsedSelector {
  if (text === undefined || text.trim() === "") return ALL;
  let parsed = parsedByText.get(text);
  if (!parsed) {
    try {
      parsed = selectorOf(new Parser(tokenize(text)).parse());
    } catch (error) {
      parsed = { ok: false, error: (error as Error).message };
    }
    parsedByText.set(text, parsed);
  }
  return parsed;
}
