import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { queryError, StatesError } from './errors';

/** What `$states` holds while a JSONata expression runs. */
export interface StatesBinding {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

export type AsyncCompiled = (states: StatesBinding, vars: Record<string, unknown>) => Promise<unknown>;

const EXPR = /^\s*\{%([\s\S]*)%\}\s*$/;

export const isJsonataExpr = (v: unknown): v is string => typeof v === 'string' && EXPR.test(v);

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** AWS's additions to JSONata in Step Functions. */
function registerAwsFunctions(expr: jsonata.Expression): void {
  expr.registerFunction(
    'partition',
    (arr: unknown[], size: number) => {
      if (!Array.isArray(arr) || !(size > 0)) throw queryError('$partition needs an array and a positive size');
      const out: unknown[][] = [];
      for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
      return out;
    },
    '<an:a>',
  );
  expr.registerFunction(
    'range',
    (start: number, end: number, step: number) => {
      const out: number[] = [];
      if (!step) throw queryError('$range step must not be 0');
      for (let x = start; step > 0 ? x <= end : x >= end; x += step) out.push(x);
      return out;
    },
    '<nnn:a>',
  );
  expr.registerFunction(
    'hash',
    (data: unknown, algo: string) => {
      const a = HASHES[algo];
      if (!a) throw queryError(`$hash: unsupported algorithm '${algo}'`);
      return createHash(a)
        .update(typeof data === 'string' ? data : JSON.stringify(data))
        .digest('hex');
    },
    '<xs:s>',
  );
  expr.registerFunction('random', (seed?: number) => seededOrRandom(seed), '<n?:n>');
  expr.registerFunction('uuid', () => randomUUID(), '<:s>');
  expr.registerFunction(
    'parse',
    (s: string) => {
      try {
        return JSON.parse(s);
      } catch {
        throw queryError('$parse: the string is not valid JSON');
      }
    },
    '<s:x>',
  );
}

function seededOrRandom(seed?: number): number {
  if (seed === undefined) return Math.random();
  // mulberry32: the same seed gives the same number, as AWS documents for $random(seed)
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Compiles one `{% expr %}` string. */
export function compileExpression(src: string, where: string): AsyncCompiled {
  const body = EXPR.exec(src)![1];
  let expr: jsonata.Expression;
  try {
    expr = jsonata(body);
  } catch (e) {
    throw new Error(`${where}: invalid JSONata expression '${body.trim()}': ${(e as Error).message}`);
  }
  registerAwsFunctions(expr);
  return async (states, vars) => {
    let v: unknown;
    try {
      v = await expr.evaluate(states.input, { ...vars, states });
    } catch (e) {
      if (e instanceof StatesError) throw e;
      throw queryError(`An error occurred while evaluating the JSONata expression '${body.trim()}' for field '${where}': ${(e as Error).message}`);
    }
    return normalise(v);
  };
}

/** JSONata sequences carry a hidden flag and may be frozen-ish; hand back plain JSON values. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return (v as unknown[]).map(normalise);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = normalise(x);
    return out;
  }
  if (typeof v === 'function') return undefined;
  return v;
}

/**
 * Compiles a value that may contain `{% %}` strings anywhere (Arguments, Output, Assign, ItemSelector…).
 * Constant parts are returned as-is; an expression yielding nothing is an error, as in AWS.
 */
export function compileJsonataTemplate(tmpl: unknown, where: string): AsyncCompiled {
  if (isJsonataExpr(tmpl)) {
    const f = compileExpression(tmpl, where);
    return async (s, v) => {
      const r = await f(s, v);
      if (r === undefined) throw queryError(`The JSONata expression '${tmpl}' specified for the field '${where}' returned nothing (undefined).`);
      return r;
    };
  }
  if (!hasExpr(tmpl)) return async () => tmpl;
  if (Array.isArray(tmpl)) {
    const items = tmpl.map((t, i) => compileJsonataTemplate(t, `${where}[${i}]`));
    return async (s, v) => {
      const out: unknown[] = [];
      for (const f of items) out.push(await f(s, v));
      return out;
    };
  }
  const fields = Object.entries(tmpl as object).map(([k, t]) => [k, compileJsonataTemplate(t, `${where}.${k}`)] as const);
  return async (s, v) => {
    const out: Record<string, unknown> = {};
    for (const [k, f] of fields) out[k] = await f(s, v);
    return out;
  };
}

function hasExpr(v: unknown): boolean {
  if (isJsonataExpr(v)) return true;
  if (Array.isArray(v)) return v.some(hasExpr);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasExpr);
  return false;
}
