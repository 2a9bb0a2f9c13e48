import { createHash, randomUUID } from 'node:crypto';
import { JSONPath } from 'jsonpath-plus';
import { runtimeError, StatesError } from './errors';

/** What `$$` and `$var` paths resolve against. */
export interface PathScope {
  context: unknown;
  vars: Record<string, unknown>;
}

const INDEFINITE = /\*|\.\.|\?\(|,|:|@/;
const VAR_PATH = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s;
/** `$.name.other[3]`: plain own-property/index steps, no wildcards, quotes or filters. */
const SIMPLE_PATH = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/;
const SIMPLE_PATHS = new Map<string, string[] | null>();
/** ResultPath steps, parsed once per path. */
const PATH_ARRAYS = new Map<string, string[]>();

/**
 * Evaluates a reference path (`$.a.b`, `$$.Execution.Id`, `$myVar.x`) with jsonpath-plus. A definite path yields
 * its single value (missing → States.Runtime, as AWS); a path with wildcards/filters yields the array of matches.
 */
export function evalPath(path: string, input: unknown, scope: PathScope): unknown {
  if (path === '$') return input;
  let keys = SIMPLE_PATHS.get(path);
  if (keys === undefined) {
    keys = SIMPLE_PATH.test(path) ? (JSONPath.toPathArray(path) as string[]).slice(1) : null;
    if (SIMPLE_PATHS.size < 10_000) SIMPLE_PATHS.set(path, keys);
  }
  if (keys !== null && input !== null && typeof input === 'object') {
    // Fast path for `$.a.b[0]`: the same lookups jsonpath-plus does (own properties only); anything unusual
    // on the way (a primitive in the middle, e.g. a string's `length`) goes to jsonpath-plus below.
    let cur: any = input;
    let i = 0;
    for (; i < keys.length; i++) {
      if (cur === null || typeof cur !== 'object') break;
      if (!Object.hasOwn(cur, keys[i])) {
        throw runtimeError(`The JSONPath '${path}' could not be found in the input '${JSON.stringify(input)}'`);
      }
      cur = cur[keys[i]];
    }
    if (i === keys.length) return cur;
  }
  if (path.startsWith('$$')) return evalPath('$' + path.slice(2), scope.context, scope);
  const m = VAR_PATH.exec(path);
  if (m) {
    if (!(m[1] in scope.vars)) throw runtimeError(`The variable '$${m[1]}' is not defined`);
    return evalPath('$' + m[2], scope.vars[m[1]], scope);
  }
  const indefinite = INDEFINITE.test(path);
  let found: unknown[] = [];
  if (input !== null && typeof input === 'object') {
    found = JSONPath({ path, json: input as object, wrap: true }) as unknown[];
  }
  if (indefinite) return found;
  if (!found || found.length === 0) {
    throw runtimeError(`The JSONPath '${path}' could not be found in the input '${JSON.stringify(input)}'`);
  }
  return found[0];
}

/** True when a definite path resolves to something (used by IsPresent). */
export function pathPresent(path: string, input: unknown, scope: PathScope): boolean {
  try {
    const v = evalPath(path, input, scope);
    return INDEFINITE.test(path) ? (v as unknown[]).length > 0 : true;
  } catch (e) {
    if (e instanceof StatesError) return false;
    throw e;
  }
}

/** ResultPath: places `value` into a shallow copy of `input` at `path` (copying only along the path). */
export function setPath(input: unknown, path: string | null | undefined, value: unknown): unknown {
  if (path === undefined || path === '$') return value;
  if (path === null) return input;
  let parts = PATH_ARRAYS.get(path);
  if (!parts) {
    parts = JSONPath.toPathArray(path) as string[];
    if (PATH_ARRAYS.size < 10_000) PATH_ARRAYS.set(path, parts);
  }
  if (parts[0] !== '$') throw runtimeError(`Invalid ResultPath '${path}'`);
  const root: any = input !== null && typeof input === 'object' ? copy(input) : {};
  let cur = root;
  for (let i = 1; i < parts.length; i++) {
    const key = parts[i];
    if (i === parts.length - 1) {
      cur[key] = value;
    } else {
      const next = cur[key];
      cur[key] = next !== null && typeof next === 'object' ? copy(next) : {};
      cur = cur[key];
    }
  }
  return root;
}

const copy = (v: object): any => (Array.isArray(v) ? [...v] : { ...v });

export type Compiled = (input: unknown, scope: PathScope) => unknown;

/** Compiles a JSONPath-mode payload template (Parameters, ResultSelector, ItemSelector, Assign). */
export function compileTemplate(tmpl: unknown, where: string): Compiled {
  if (Array.isArray(tmpl)) {
    const items = tmpl.map((t, i) => compileTemplate(t, `${where}[${i}]`));
    return (input, scope) => items.map((f) => f(input, scope));
  }
  if (tmpl !== null && typeof tmpl === 'object') {
    const fields: Array<[string, Compiled]> = [];
    for (const [k, v] of Object.entries(tmpl)) {
      if (k.endsWith('.$')) {
        if (typeof v !== 'string') throw new Error(`${where}.${k}: a '.$' field needs a path or intrinsic string`);
        fields.push([k.slice(0, -2), compileValueExpr(v, `${where}.${k}`)]);
      } else {
        fields.push([k, compileTemplate(v, `${where}.${k}`)]);
      }
    }
    return (input, scope) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of fields) out[k] = f(input, scope);
      return out;
    };
  }
  return () => tmpl;
}

/** A `.$` value: a path or an intrinsic function call. */
export function compileValueExpr(src: string, where: string): Compiled {
  const s = src.trim();
  if (s.startsWith('States.')) return compileIntrinsic(s, where);
  if (!s.startsWith('$')) throw new Error(`${where}: '${src}' is neither a JSONPath nor an intrinsic function`);
  return (input, scope) => evalPath(s, input, scope);
}

// ---- intrinsic functions: a tiny recursive-descent parser; paths inside are evaluated with evalPath ----

type Arg = { k: 'lit'; v: unknown } | { k: 'path'; p: string } | { k: 'call'; fn: string; args: Arg[] };

export function compileIntrinsic(src: string, where: string): Compiled {
  let i = 0;
  const err = (msg: string) => new Error(`${where}: invalid intrinsic function '${src}': ${msg}`);
  const ws = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const parseCall = (): Arg => {
    const m = /^States\.[A-Za-z0-9]+/.exec(src.slice(i));
    if (!m) throw err(`expected a function name at ${i}`);
    const fn = m[0].slice(7);
    if (!(fn in INTRINSICS)) throw err(`unknown function States.${fn}`);
    i += m[0].length;
    ws();
    if (src[i] !== '(') throw err(`expected '(' at ${i}`);
    i++;
    const args: Arg[] = [];
    ws();
    if (src[i] === ')') {
      i++;
      return { k: 'call', fn, args };
    }
    for (;;) {
      ws();
      args.push(parseArg());
      ws();
      if (src[i] === ',') {
        i++;
        continue;
      }
      if (src[i] === ')') {
        i++;
        return { k: 'call', fn, args };
      }
      throw err(`expected ',' or ')' at ${i}`);
    }
  };
  const parseArg = (): Arg => {
    const c = src[i];
    if (c === "'") {
      let out = '';
      i++;
      while (i < src.length && src[i] !== "'") {
        if (src[i] === '\\' && i + 1 < src.length) {
          const n = src[i + 1];
          // \{ and \} stay escaped so States.Format can tell literal braces from placeholders
          out += n === '{' || n === '}' ? '\\' + n : n;
          i += 2;
        } else out += src[i++];
      }
      if (src[i] !== "'") throw err('unterminated string');
      i++;
      return { k: 'lit', v: out };
    }
    if (c === '$') {
      const start = i;
      let depth = 0;
      let quote = '';
      while (i < src.length) {
        const ch = src[i];
        if (quote) {
          if (ch === quote) quote = '';
        } else if (ch === "'" || ch === '"') quote = ch;
        else if (ch === '[' || ch === '(') depth++;
        else if ((ch === ']' || ch === ')') && depth > 0) depth--;
        else if ((ch === ',' || ch === ')') && depth === 0) break;
        i++;
      }
      return { k: 'path', p: src.slice(start, i).trim() };
    }
    if (src.startsWith('States.', i)) return parseCall();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|null|true|false)/.exec(src.slice(i));
    if (m) {
      i += m[0].length;
      return { k: 'lit', v: JSON.parse(m[0]) };
    }
    throw err(`unexpected '${c}' at ${i}`);
  };
  const ast = parseCall();
  ws();
  if (i !== src.length) throw err(`trailing text at ${i}`);
  const run = (a: Arg, input: unknown, scope: PathScope): unknown => {
    if (a.k === 'lit') return typeof a.v === 'string' ? unescapeBraces(a.v) : a.v;
    if (a.k === 'path') return evalPath(a.p, input, scope);
    const vals = a.args.map((x) => (a.fn === 'Format' && x.k === 'lit' ? x.v : run(x, input, scope)));
    return INTRINSICS[a.fn](vals);
  };
  return (input, scope) => run(ast, input, scope);
}

const unescapeBraces = (s: string) => s.replace(/\\([{}])/g, '$1');

const fnError = (msg: string) => new StatesError('States.IntrinsicFailure', msg);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as any)[k], (b as any)[k]));
}

const needArray = (v: unknown, fn: string): unknown[] => {
  if (!Array.isArray(v)) throw fnError(`States.${fn}: expected an array argument`);
  return v;
};
const needInt = (v: unknown, fn: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw fnError(`States.${fn}: expected an integer argument`);
  return v;
};
const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export const INTRINSICS: Record<string, (a: unknown[]) => unknown> = {
  Format: ([tmpl, ...args]) => {
    if (typeof tmpl !== 'string') throw fnError('States.Format: the first argument must be a string');
    let n = 0;
    const out = tmpl.replace(/\\\{|\\\}|\{\}/g, (m) => {
      if (m !== '{}') return m.slice(1);
      if (n >= args.length) throw fnError('States.Format: not enough arguments for the template');
      const v = args[n++];
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
    if (n !== args.length) throw fnError('States.Format: more arguments than placeholders');
    return out;
  },
  StringToJson: ([s]) => {
    if (typeof s !== 'string') throw fnError('States.StringToJson: expected a string');
    try {
      return JSON.parse(s);
    } catch {
      throw fnError('States.StringToJson: the string is not valid JSON');
    }
  },
  JsonToString: ([v]) => JSON.stringify(v),
  Array: (args) => args,
  ArrayPartition: ([arr, size]) => {
    const a = needArray(arr, 'ArrayPartition');
    const n = needInt(size, 'ArrayPartition');
    if (n <= 0) throw fnError('States.ArrayPartition: chunk size must be positive');
    const out: unknown[][] = [];
    for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n));
    return out;
  },
  ArrayContains: ([arr, v]) => needArray(arr, 'ArrayContains').some((x) => deepEqual(x, v)),
  ArrayRange: ([s, e, st]) => {
    const start = needInt(s, 'ArrayRange');
    const end = needInt(e, 'ArrayRange');
    const step = needInt(st, 'ArrayRange');
    if (step === 0) throw fnError('States.ArrayRange: step must not be 0');
    const out: number[] = [];
    for (let x = start; step > 0 ? x <= end : x >= end; x += step) {
      out.push(x);
      if (out.length > 1000) throw fnError('States.ArrayRange: more than 1000 items');
    }
    return out;
  },
  ArrayGetItem: ([arr, idx]) => {
    const a = needArray(arr, 'ArrayGetItem');
    const i = needInt(idx, 'ArrayGetItem');
    if (i < 0 || i >= a.length) throw fnError('States.ArrayGetItem: index out of bounds');
    return a[i];
  },
  ArrayLength: ([arr]) => needArray(arr, 'ArrayLength').length,
  ArrayUnique: ([arr]) => {
    const out: unknown[] = [];
    for (const x of needArray(arr, 'ArrayUnique')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  Base64Encode: ([s]) => {
    if (typeof s !== 'string') throw fnError('States.Base64Encode: expected a string');
    return Buffer.from(s, 'utf8').toString('base64');
  },
  Base64Decode: ([s]) => {
    if (typeof s !== 'string') throw fnError('States.Base64Decode: expected a string');
    return Buffer.from(s, 'base64').toString('utf8');
  },
  Hash: ([data, algo]) => {
    const a = HASHES[String(algo)];
    if (!a) throw fnError(`States.Hash: unsupported algorithm '${String(algo)}'`);
    return createHash(a)
      .update(typeof data === 'string' ? data : JSON.stringify(data))
      .digest('hex');
  },
  JsonMerge: ([a, b, deep]) => {
    if (deep !== false) throw fnError('States.JsonMerge: only shallow merge (false) is supported, as in AWS');
    if (!a || !b || typeof a !== 'object' || typeof b !== 'object') throw fnError('States.JsonMerge: expected objects');
    return { ...(a as object), ...(b as object) };
  },
  MathRandom: ([s, e]) => {
    const start = needInt(s, 'MathRandom');
    const end = needInt(e, 'MathRandom');
    return start + Math.floor(Math.random() * (end - start));
  },
  MathAdd: ([a, b]) => {
    if (typeof a !== 'number' || typeof b !== 'number') throw fnError('States.MathAdd: expected numbers');
    return a + b;
  },
  StringSplit: ([s, d]) => {
    if (typeof s !== 'string' || typeof d !== 'string') throw fnError('States.StringSplit: expected strings');
    const out: string[] = [];
    let cur = '';
    for (const ch of s) {
      if (d.includes(ch)) {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    out.push(cur);
    return out.filter((x) => x !== '');
  },
  UUID: () => randomUUID(),
};
