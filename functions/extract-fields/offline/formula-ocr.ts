/**
 * Reading a printed chemical formula back from OCR. Subscript digits are small, so OCR drops them or turns
 * them into punctuation or stray lower-case letters ("C4HgO," for C₄H₈O₂, "C;Hy4" for C₇H₁₄). The text is
 * split into element symbols, digits and unreadable slots; slots are filled only when the printed M.W. (or a
 * catalog formula with the same element sequence) pins them down.
 */
import { ATOMIC_WEIGHTS, formulaWeight, normalizeFormula, tryParseFormula } from '../../shared/formula';

type Tok =
  | { k: 'el'; s: string }
  | { k: 'num'; s: string }
  | { k: 'slot' }
  | { k: 'open' }
  | { k: 'close' }
  | { k: 'dot' };

const JUNK = /[,;:'`¢£$§°^~_"!?|]/;

/** Tokenise OCR formula text; undefined when it is not formula-like at all. */
function tokenize(text: string): Tok[] | undefined {
  const s = text
    .normalize('NFKC')
    .replace(/[₀-₉]/g, (c) => String(c.charCodeAt(0) - 0x2080))
    .replace(/\s+/g, '');
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    const prev = out[out.length - 1];
    const afterAtom = !!prev && (prev.k === 'el' || prev.k === 'close' || prev.k === 'slot');
    if (/[A-Z]/.test(c)) {
      const two = s.slice(i, i + 2);
      // Prefer a two-letter symbol when it exists ("Cl", "Na"), except where the lower-case letter is a
      // classic subscript misread and the one-letter reading is also an element ("Hg" in "C4HgO").
      if (/^[A-Z][a-z]$/.test(two) && two in ATOMIC_WEIGHTS && !(/[gsyz]/.test(two[1]) && c in ATOMIC_WEIGHTS && ['Hg', 'Hs'].includes(two))) {
        out.push({ k: 'el', s: two });
        i += 2;
      } else if (c in ATOMIC_WEIGHTS) {
        out.push({ k: 'el', s: c });
        i += 1;
      } else return undefined;
      continue;
    }
    if (/\d/.test(c)) {
      // A count never starts with 0: "06" after an atom is O6, a final "0" is O.
      if (c === '0' && (afterAtom || !prev || prev.k === 'dot')) {
        out.push({ k: 'el', s: 'O' });
        i++;
        continue;
      }
      if (prev && prev.k === 'num') prev.s += c;
      else out.push({ k: 'num', s: c });
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      out.push({ k: 'open' });
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      out.push({ k: 'close' });
      i++;
      continue;
    }
    if (/[·•∙⋅*]/.test(c) || ((c === '-' || c === '.') && /[\dA-Z]/.test(s[i + 1] ?? '') && i > 0)) {
      out.push({ k: 'dot' });
      i++;
      continue;
    }
    if (JUNK.test(c) || /[a-z]/.test(c)) {
      // Unreadable subscript: only meaningful right after an atom or a closing bracket.
      if (afterAtom && prev.k !== 'slot') out.push({ k: 'slot' });
      i++;
      continue;
    }
    return undefined;
  }
  while (out.length && (out[out.length - 1].k === 'dot')) out.pop();
  return out.length ? out : undefined;
}

/** A slot right before a digit is that count's unreadable leading digit ("Hy4" = H14) or just noise. */
function slotBeforeNumber(toks: Tok[]): boolean[] {
  const out: boolean[] = [];
  toks.forEach((t, i) => {
    if (t.k === 'slot') out.push(toks[i + 1]?.k === 'num');
  });
  return out;
}

function render(toks: Tok[], fill: number[]): string {
  let j = 0;
  let s = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === 'el' || t.k === 'num') s += t.s;
    else if (t.k === 'slot') {
      const v = fill[j++];
      if (toks[i + 1]?.k === 'num') s += v > 0 ? String(v) : '';
      else if (v > 1) s += String(v);
    } else if (t.k === 'open') s += '(';
    else if (t.k === 'close') s += ')';
    else s += '·';
  }
  return s;
}

export interface FormulaReading {
  formula: string;
  /** 'exact': read as printed; 'mw': unreadable subscripts fixed by the printed M.W.; 'catalog': by the catalog formula. */
  how: 'exact' | 'mw' | 'catalog';
  slots: number;
  /** The look-alike reading of the OCR text the formula was read from, when not the text as OCR gave it. */
  read?: string;
}

function weight(f: string): number | undefined {
  try {
    return formulaWeight(f);
  } catch {
    return undefined;
  }
}

/** Letters-only shape of a formula (element sequence with brackets), for comparing OCR against the catalog. */
export function formulaShape(f: string): string {
  return normalizeFormula(f).replace(/[^A-Za-z()]/g, '');
}

/**
 * Best reading of OCR formula text. `mw` (printed molecular weight) and `catalogForms` (formulas of the catalog
 * entry the label's CAS or name points to) are the only evidence used to fill unreadable subscripts.
 */
export function readFormula(text: string, mw?: number, catalogForms: string[] = []): FormulaReading | undefined {
  const token = text.trim().split(/\s{2,}|\s(?=(?:M\.?W|MW|F\.?W|Mol|분자량)\b)/)[0];
  const first = readToken(token, mw, catalogForms);
  const agrees = (r: FormulaReading): boolean => {
    const w = weight(r.formula);
    return r.how === 'catalog' || catalogForms.some((f) => normalizeFormula(f) === r.formula) || (mw !== undefined && w !== undefined && Math.abs(w - mw) <= 0.06);
  };
  if (first && (first.how === 'catalog' || (first.how === 'exact' && agrees(first)))) return first;
  // Look-alike readings: a subscript read as a lower-case letter that makes a two-letter symbol ("CsHi4",
  // "C.HeOs", "CeH1406"), a final O read as 0 ("((CH3)2CH)20"), a capital read small or a small l read as I
  // ("Ki", "SiCI"). Such a reading is taken only when the catalog formula of the identified product or the
  // printed M.W. confirms it, and only when exactly one formula does.
  const alts = lookalikeReadings(token);
  const unique = (m: Map<string, FormulaReading>): FormulaReading | undefined => (m.size === 1 ? [...m.values()][0] : undefined);
  const byCatalog = new Map<string, FormulaReading>();
  for (const alt of alts) {
    const r = readToken(alt, undefined, catalogForms, false);
    if (r && (r.how === 'catalog' || catalogForms.some((f) => normalizeFormula(f) === r.formula))) byCatalog.set(r.formula, { ...r, how: 'catalog', read: alt });
  }
  if (byCatalog.size) return unique(byCatalog);
  if (first?.how === 'mw' || mw === undefined) return first;
  const byMw = new Map<string, FormulaReading>();
  for (const alt of alts.length > 64 ? [] : alts) {
    const r = readToken(alt, mw, [], true, 3);
    const w = r && weight(r.formula);
    if (r && w !== undefined && Math.abs(w - mw) <= 0.06) byMw.set(r.formula, { ...r, how: 'mw', read: alt });
  }
  return unique(byMw) ?? (alts.length > 64 ? undefined : lostSubscripts(token, mw)) ?? first;
}

/**
 * Subscripts lost without a trace (`CH14` for C₆H₁₄, `CH5CH3` for C₆H₅CH₃: the digit after a C is the one OCR
 * drops most): one, then two counts inserted after symbols that have none, filled to match the printed M.W.
 * Where the weight allows more than one place, the earliest is taken — the first C's count is the usual loss.
 */
function lostSubscripts(token: string, mw: number): FormulaReading | undefined {
  const s = token.normalize('NFKC').replace(/\s+/g, '');
  if (!/^[A-Z][A-Za-z0-9()·.]*$/.test(s) || !tryParseFormula(s)) return undefined;
  const gaps: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (!/[A-Z]/.test(s[i])) continue;
    const end = /[a-z]/.test(s[i + 1] ?? '') && s.slice(i, i + 2) in ATOMIC_WEIGHTS ? i + 2 : i + 1;
    if (!/\d/.test(s[end] ?? '')) gaps.push(end);
  }
  if (gaps.length === 0 || gaps.length > 10) return undefined;
  const combos: number[][] = [...gaps.map((g) => [g]), ...gaps.flatMap((g, a) => gaps.slice(a + 1).map((h) => [g, h]))];
  for (const k of [1, 2]) {
    for (const combo of combos.filter((c) => c.length === k)) {
      let variant = s;
      for (const at of [...combo].reverse()) variant = `${variant.slice(0, at)}~${variant.slice(at)}`;
      const r = readToken(variant, mw, [], true, k);
      const w = r && weight(r.formula);
      if (r && w !== undefined && Math.abs(w - mw) <= 0.06) return { ...r, how: 'mw', read: variant };
    }
  }
  return undefined;
}

const LOOKALIKE: Record<string, string[]> = {
  '0': ['O'],
  '1': ['l', 'I'],
  I: ['l', 'i'],
  l: ['I', '~'],
  i: ['I', '~'],
  c: ['C'],
  o: ['O', '~'],
  s: ['S', '~'],
  h: ['H'],
  k: ['K'],
  p: ['P'],
  v: ['V'],
  w: ['W'],
  z: ['Z', '~'],
  '.': ['~'],
};

/** Alternative spellings of an OCR formula token, each look-alike position read one of its other ways (bounded). */
function lookalikeReadings(token: string): string[] {
  const s = token.normalize('NFKC').replace(/\s+/g, '');
  const pos: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (!(c in LOOKALIKE) && !(/[a-z]/.test(c) && /[A-Z]/.test(s[i - 1] ?? ''))) continue;
    if (c === '.' && !/[A-Za-z)]/.test(s[i - 1] ?? '')) continue;
    if ((c === '0' && i === 0) || c === '1') continue;
    pos.push(i);
  }
  // A 1 for the l of a two-letter symbol (`MgC12` for MgCl2) or for a final I (`CH31` for CH3I, `K1` for KI): only
  // after a capital, or before no further digit.
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '1' && (/[A-Z]/.test(s[i - 1] ?? '') || (i > 0 && !/\d/.test(s[i + 1] ?? '')))) pos.push(i);
  }
  if (pos.length === 0 || pos.length > 8) return [];
  const opts = pos.map((i) => [s[i], ...(LOOKALIKE[s[i]] ?? ['~'])]);
  const out: string[] = [];
  const cur = s.split('');
  const rec = (j: number): void => {
    if (out.length > 2000) return;
    if (j === pos.length) {
      const v = cur.join('');
      if (v !== s) out.push(v);
      return;
    }
    for (const o of opts[j]) {
      cur[pos[j]] = o;
      rec(j + 1);
    }
    cur[pos[j]] = s[pos[j]];
  };
  rec(0);
  return out;
}

function readToken(token: string, mw: number | undefined, catalogForms: string[], fillByMw = true, maxSlots = 4): FormulaReading | undefined {
  const toks = tokenize(token);
  if (!toks || !toks.some((t) => t.k === 'el')) return undefined;
  const slots = toks.filter((t) => t.k === 'slot').length;
  const asRead = render(toks, new Array(slots).fill(1));
  const shape = formulaShape(asRead);
  // The catalog formula with the same element sequence settles everything, subscripts included.
  for (const f of catalogForms) {
    if (formulaShape(f) === shape && shape.length >= 1) {
      const clean = normalizeFormula(f);
      if (slots === 0 && tryParseFormula(asRead) && normalizeFormula(asRead) === clean) return { formula: clean, how: 'exact', slots };
      return { formula: clean, how: 'catalog', slots };
    }
  }
  if (slots === 0) {
    if (!tryParseFormula(asRead)) return undefined;
    return { formula: normalizeFormula(asRead), how: 'exact', slots };
  }
  if (mw === undefined || slots > maxSlots || !fillByMw) return undefined;
  // Fill slots with counts 2..30 (a slot is a subscript that was there, so never 1) to match the printed M.W.
  const hits: { f: string; d: number }[] = [];
  const fill = new Array<number>(slots).fill(2);
  const max = slots <= 2 ? 40 : slots === 3 ? 24 : 14;
  const prefix = slotBeforeNumber(toks);
  const seen = new Set<string>();
  const rec = (j: number, lo: number): void => {
    if (j === slots) {
      const f = render(toks, fill);
      if (seen.has(f)) return;
      seen.add(f);
      const w = weight(f);
      if (w !== undefined && Math.abs(w - mw) <= 0.06) hits.push({ f, d: Math.abs(w - mw) });
      return;
    }
    const [from, to] = prefix[j] ? [0, 9] : [lo, max];
    for (let v = from; v <= to; v++) {
      fill[j] = v;
      rec(j + 1, lo);
    }
  };
  rec(0, 2);
  // A junk mark may also be plain noise after an atom with no subscript at all.
  if (hits.length === 0) rec(0, 1);
  if (hits.length === 0) return undefined;
  hits.sort((a, b) => a.d - b.d);
  if (hits.length > 1 && hits[1].d - hits[0].d < 0.02) return undefined;
  return { formula: normalizeFormula(hits[0].f), how: 'mw', slots };
}
