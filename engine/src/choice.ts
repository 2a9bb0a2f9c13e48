import { evalPath, pathPresent, type PathScope } from './jsonpath';

export type Rule = (input: unknown, scope: PathScope) => boolean;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const ts = (v: unknown): number | undefined =>
  typeof v === 'string' && RFC3339.test(v) ? Date.parse(v) : undefined;

type Cmp = (a: unknown, b: unknown) => boolean;
const str = (f: (a: string, b: string) => boolean): Cmp => (a, b) => typeof a === 'string' && typeof b === 'string' && f(a, b);
const num = (f: (a: number, b: number) => boolean): Cmp => (a, b) => typeof a === 'number' && typeof b === 'number' && f(a, b);
const time = (f: (a: number, b: number) => boolean): Cmp => (a, b) => {
  const x = ts(a);
  const y = ts(b);
  return x !== undefined && y !== undefined && f(x, y);
};

const COMPARATORS: Record<string, Cmp> = {
  StringEquals: str((a, b) => a === b),
  StringLessThan: str((a, b) => a < b),
  StringGreaterThan: str((a, b) => a > b),
  StringLessThanEquals: str((a, b) => a <= b),
  StringGreaterThanEquals: str((a, b) => a >= b),
  NumericEquals: num((a, b) => a === b),
  NumericLessThan: num((a, b) => a < b),
  NumericGreaterThan: num((a, b) => a > b),
  NumericLessThanEquals: num((a, b) => a <= b),
  NumericGreaterThanEquals: num((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === 'boolean' && a === b,
  TimestampEquals: time((a, b) => a === b),
  TimestampLessThan: time((a, b) => a < b),
  TimestampGreaterThan: time((a, b) => a > b),
  TimestampLessThanEquals: time((a, b) => a <= b),
  TimestampGreaterThanEquals: time((a, b) => a >= b),
};

/** `*` matches any run of characters; `\*` and `\\` are literal, as in AWS StringMatches. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]);
    else if (c === '*') re += '[\\s\\S]*';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export const CHOICE_OPERATORS = [
  ...Object.keys(COMPARATORS),
  ...Object.keys(COMPARATORS).map((k) => k + 'Path'),
  'StringMatches',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
];

/** Compiles a JSONPath-mode Choice rule (top-level rules and nested And/Or/Not). */
export function compileRule(rule: any, where: string): Rule {
  if (Array.isArray(rule.And)) {
    const parts = rule.And.map((r: unknown, i: number) => compileRule(r, `${where}.And[${i}]`));
    return (inp, s) => parts.every((p: Rule) => p(inp, s));
  }
  if (Array.isArray(rule.Or)) {
    const parts = rule.Or.map((r: unknown, i: number) => compileRule(r, `${where}.Or[${i}]`));
    return (inp, s) => parts.some((p: Rule) => p(inp, s));
  }
  if (rule.Not) {
    const inner = compileRule(rule.Not, `${where}.Not`);
    return (inp, s) => !inner(inp, s);
  }
  const variable: string = rule.Variable;
  if (typeof variable !== 'string') throw new Error(`${where}: a choice rule needs 'Variable' (or And/Or/Not)`);
  const op = CHOICE_OPERATORS.find((k) => k in rule);
  if (!op) throw new Error(`${where}: no comparison operator in choice rule`);
  const operand = rule[op];
  if (op === 'IsPresent') return (inp, s) => pathPresent(variable, inp, s) === operand;
  const get = (inp: unknown, s: PathScope) => evalPath(variable, inp, s);
  switch (op) {
    case 'IsNull':
      return (inp, s) => (get(inp, s) === null) === operand;
    case 'IsNumeric':
      return (inp, s) => (typeof get(inp, s) === 'number') === operand;
    case 'IsString':
      return (inp, s) => (typeof get(inp, s) === 'string') === operand;
    case 'IsBoolean':
      return (inp, s) => (typeof get(inp, s) === 'boolean') === operand;
    case 'IsTimestamp':
      return (inp, s) => (ts(get(inp, s)) !== undefined) === operand;
    case 'StringMatches': {
      const re = globToRegExp(String(operand));
      return (inp, s) => {
        const v = get(inp, s);
        return typeof v === 'string' && re.test(v);
      };
    }
  }
  if (op.endsWith('Path')) {
    const cmp = COMPARATORS[op.slice(0, -4)];
    return (inp, s) => cmp(get(inp, s), evalPath(String(operand), inp, s));
  }
  const cmp = COMPARATORS[op];
  return (inp, s) => cmp(get(inp, s), operand);
}
