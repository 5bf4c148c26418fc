/**
 * Calico label selectors (projectcalico.org selector syntax), parsed into predicates over labels:
 * `all()`, `global()`, `has(k)`, `k == 'v'`, `k != 'v'`, `k in {'a','b'}`, `k not in {...}`,
 * `k contains 's'`, `k starts with 's'`, `k ends with 's'`, `!`, `&&`, `||` and parentheses.
 * Anything else is a parse error: the caller treats that selector as selecting nothing and says so.
 */

export type Labels = Readonly<Record<string, string>>;
export type Predicate = (labels: Labels) => boolean;

export type ParsedSelector = { ok: true; matches: Predicate } | { ok: false; error: string };

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

  parse(): Predicate {
    const predicate = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw new Error(`unexpected ${JSON.stringify(extra.text)} at offset ${extra.at}`);
    return predicate;
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

  private or(): Predicate {
    let left = this.and();
    while (this.peek("||")) {
      this.i++;
      const a = left;
      const b = this.and();
      left = (labels) => a(labels) || b(labels);
    }
    return left;
  }

  private and(): Predicate {
    let left = this.unary();
    while (this.peek("&&")) {
      this.i++;
      const a = left;
      const b = this.unary();
      left = (labels) => a(labels) && b(labels);
    }
    return left;
  }

  private unary(): Predicate {
    if (this.peek("!")) {
      this.i++;
      const inner = this.unary();
      return (labels) => !inner(labels);
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

  private primary(): Predicate {
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
        // global() matches non-namespaced resources only; VMs always live in a namespace.
        return t.text === "all" ? () => true : () => false;
      }
      if (t.text === "has") {
        const k = this.tokens[this.i];
        if (k?.kind !== "word") throw new Error(`expected a label key in has() ${this.where()}`);
        this.i++;
        this.expect(")");
        return (labels) => Object.prototype.hasOwnProperty.call(labels, k.text);
      }
      throw new Error(`unknown function ${t.text}() at offset ${t.at}`);
    }
    const labelKey = t.text;
    const value = (labels: Labels): string | undefined =>
      Object.prototype.hasOwnProperty.call(labels, labelKey) ? labels[labelKey] : undefined;
    if (this.peek("==")) {
      this.i++;
      const v = this.string();
      return (labels) => value(labels) === v;
    }
    if (this.peek("!=")) {
      this.i++;
      const v = this.string();
      return (labels) => value(labels) !== v;
    }
    if (this.peek("in")) {
      this.i++;
      const values = this.set();
      return (labels) => {
        const v = value(labels);
        return v !== undefined && values.has(v);
      };
    }
    if (this.peek("not")) {
      this.i++;
      this.expect("in");
      const values = this.set();
      return (labels) => {
        const v = value(labels);
        return v === undefined || !values.has(v);
      };
    }
    if (this.peek("contains")) {
      this.i++;
      const s = this.string();
      return (labels) => value(labels)?.includes(s) ?? false;
    }
    for (const side of ["starts", "ends"] as const) {
      if (this.peek(side)) {
        this.i++;
        this.expect("with");
        const s = this.string();
        return side === "starts" ? (labels) => value(labels)?.startsWith(s) ?? false : (labels) => value(labels)?.endsWith(s) ?? false;
      }
    }
    throw new Error(`expected an operator after label key ${JSON.stringify(labelKey)} ${this.where()}`);
  }
}

/** Parses a Calico selector; an empty or missing selector selects everything (Calico's default). */
export function parseSelector(text: string | undefined): ParsedSelector {
  if (text === undefined || text.trim() === "") return { ok: true, matches: () => true };
  try {
    return { ok: true, matches: new Parser(tokenize(text)).parse() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
