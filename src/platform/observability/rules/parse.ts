/**
 * A parser for the PromQL the telemetry generator writes (selectors, range selectors, the arithmetic, comparison
 * and set operators with `bool`, `on`, `ignoring` and `group_left`, aggregations with `by`/`without`, and the
 * functions its rules call). Anything else is a parse error: the rules are ours, so an unknown construct is a
 * generator change this evaluator must learn, not something to guess at.
 */
export type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };

export type Expr =
  | { type: 'number'; value: number }
  | { type: 'selector'; name: string; matchers: Matcher[]; range?: number }
  | { type: 'call'; name: string; args: Expr[] }
  | { type: 'aggregate'; op: string; by?: string[]; without?: string[]; expr: Expr }
  | { type: 'binary'; op: string; lhs: Expr; rhs: Expr; bool: boolean; on?: string[]; ignoring?: string[]; groupLeft?: string[] }
  | { type: 'negate'; expr: Expr };

const AGGREGATIONS = new Set(['sum', 'max', 'min', 'count', 'avg']);
export const FUNCTIONS = new Set(['rate', 'increase', 'histogram_quantile', 'absent', 'vector', 'time', 'changes', 'avg_over_time']);
/** Binary operators by precedence, lowest first (as Prometheus ranks them). */
const LEVELS = [['or'], ['and', 'unless'], ['==', '!=', '<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];
const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

type Token = { kind: 'ident' | 'number' | 'string' | 'duration' | 'punct'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\[\s*\d+(?:ms|[smhdwy])\s*\])|(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|("(?:[^"\\]|\\.)*")|([A-Za-z_:][A-Za-z0-9_:]*)|(==|!=|<=|>=|=~|!~|[-+*/%<>=(){},]))/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new Error(`cannot read PromQL at "${source.slice(index, index + 20)}"`);
    index = pattern.lastIndex;
    if (match[1]) tokens.push({ kind: 'duration', text: match[1].replace(/[[\]\s]/g, '') });
    else if (match[2]) tokens.push({ kind: 'number', text: match[2] });
    else if (match[3]) tokens.push({ kind: 'string', text: JSON.parse(match[3]) });
    else if (match[4]) tokens.push({ kind: 'ident', text: match[4] });
    else tokens.push({ kind: 'punct', text: match[5]! });
  }
  return tokens;
}

export function durationSeconds(text: string): number {
  const match = /^(\d+)(ms|[smhdwy])$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

export function parsePromql(source: string): Expr {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (!token) throw new Error(`unexpected end of PromQL: ${source}`);
    return token;
  };
  const expect = (text: string) => {
    const token = next();
    if (token.text !== text) throw new Error(`expected "${text}", got "${token.text}" in ${source}`);
  };
  const isPunct = (text: string) => peek()?.kind === 'punct' && peek()?.text === text;

  const labelList = (): string[] => {
    expect('(');
    const labels: string[] = [];
    while (!isPunct(')')) {
      labels.push(next().text);
      if (isPunct(',')) next();
    }
    expect(')');
    return labels;
  };

  const binary = (level: number): Expr => {
    if (level === LEVELS.length) return unary();
    let lhs = binary(level + 1);
    while (peek() && LEVELS[level]!.includes(peek()!.text)) {
      const op = next().text;
      const node: Extract<Expr, { type: 'binary' }> = { type: 'binary', op, lhs, rhs: lhs, bool: false };
      if (peek()?.text === 'bool') {
        next();
        node.bool = true;
      }
      if (peek()?.text === 'on' || peek()?.text === 'ignoring') {
        const keyword = next().text;
        node[keyword === 'on' ? 'on' : 'ignoring'] = labelList();
      }
      if (peek()?.text === 'group_left') {
        next();
        node.groupLeft = isPunct('(') ? labelList() : [];
      }
      node.rhs = binary(level + 1);
      lhs = node;
    }
    return lhs;
  };

  const unary = (): Expr => {
    if (isPunct('-')) {
      next();
      return { type: 'negate', expr: unary() };
    }
    return primary();
  };

  const selector = (name: string): Expr => {
    const matchers: Matcher[] = [];
    if (isPunct('{')) {
      next();
      while (!isPunct('}')) {
        const label = next().text;
        const op = next().text as Matcher['op'];
        if (!['=', '!=', '=~', '!~'].includes(op)) throw new Error(`bad matcher operator ${op} in ${source}`);
        const value = next();
        if (value.kind !== 'string') throw new Error(`matcher value must be a string in ${source}`);
        matchers.push({ label, op, value: value.text });
        if (isPunct(',')) next();
      }
      expect('}');
    }
    const node: Extract<Expr, { type: 'selector' }> = { type: 'selector', name, matchers };
    if (peek()?.kind === 'duration') node.range = durationSeconds(next().text);
    return node;
  };

  const primary = (): Expr => {
    const token = next();
    if (token.kind === 'number') return { type: 'number', value: Number(token.text) };
    if (token.kind === 'punct' && token.text === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (token.kind === 'punct' && token.text === '{') {
      position--;
      return selector('');
    }
    if (token.kind !== 'ident') throw new Error(`unexpected "${token.text}" in ${source}`);
    if (AGGREGATIONS.has(token.text)) {
      const node: Extract<Expr, { type: 'aggregate' }> = { type: 'aggregate', op: token.text, expr: { type: 'number', value: 0 } };
      const grouping = () => {
        if (peek()?.text === 'by' || peek()?.text === 'without') {
          const keyword = next().text;
          node[keyword === 'by' ? 'by' : 'without'] = labelList();
        }
      };
      grouping();
      expect('(');
      node.expr = binary(0);
      expect(')');
      grouping();
      return node;
    }
    if (isPunct('(')) {
      if (!FUNCTIONS.has(token.text)) throw new Error(`unsupported PromQL function ${token.text}`);
      next();
      const args: Expr[] = [];
      while (!isPunct(')')) {
        args.push(binary(0));
        if (isPunct(',')) next();
      }
      expect(')');
      return { type: 'call', name: token.text, args };
    }
    return selector(token.text);
  };

  const expr = binary(0);
  if (position < tokens.length) throw new Error(`unexpected "${tokens[position]!.text}" in ${source}`);
  return expr;
}
