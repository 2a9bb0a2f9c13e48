/**
 * Chemical formula helpers: parse a label formula ("CuSO4·5H2O", "(NH4)2SO4", "CH3COOH") into element counts,
 * compute its formula weight, and compare formulas by composition so different label forms agree.
 */
import { editDistance } from './text';

/** Standard atomic weights (IUPAC conventional values, g/mol), H to U. */
export const ATOMIC_WEIGHTS: Readonly<Record<string, number>> = {
  H: 1.008, He: 4.0026, Li: 6.94, Be: 9.0122, B: 10.81, C: 12.011, N: 14.007, O: 15.999, F: 18.998, Ne: 20.18,
  Na: 22.99, Mg: 24.305, Al: 26.982, Si: 28.085, P: 30.974, S: 32.06, Cl: 35.45, Ar: 39.948, K: 39.098,
  Ca: 40.078, Sc: 44.956, Ti: 47.867, V: 50.942, Cr: 51.996, Mn: 54.938, Fe: 55.845, Co: 58.933, Ni: 58.693,
  Cu: 63.546, Zn: 65.38, Ga: 69.723, Ge: 72.63, As: 74.922, Se: 78.971, Br: 79.904, Kr: 83.798, Rb: 85.468,
  Sr: 87.62, Y: 88.906, Zr: 91.224, Nb: 92.906, Mo: 95.95, Tc: 98, Ru: 101.07, Rh: 102.91, Pd: 106.42,
  Ag: 107.87, Cd: 112.41, In: 114.82, Sn: 118.71, Sb: 121.76, Te: 127.6, I: 126.9, Xe: 131.29, Cs: 132.91,
  Ba: 137.33, La: 138.91, Ce: 140.12, Pr: 140.91, Nd: 144.24, Pm: 145, Sm: 150.36, Eu: 151.96, Gd: 157.25,
  Tb: 158.93, Dy: 162.5, Ho: 164.93, Er: 167.26, Tm: 168.93, Yb: 173.05, Lu: 174.97, Hf: 178.49, Ta: 180.95,
  W: 183.84, Re: 186.21, Os: 190.23, Ir: 192.22, Pt: 195.08, Au: 196.97, Hg: 200.59, Tl: 204.38, Pb: 207.2,
  Bi: 208.98, Po: 209, At: 210, Rn: 222, Fr: 223, Ra: 226, Ac: 227, Th: 232.04, Pa: 231.04, U: 238.03,
  // Deuterium appears in NMR solvents (CDCl3, D2O) and is printed as its own symbol.
  D: 2.014,
};

const SUBSCRIPTS: Record<string, string> = {
  '₀': '0', '₁': '1', '₂': '2', '₃': '3', '₄': '4', '₅': '5', '₆': '6', '₇': '7', '₈': '8', '₉': '9',
};

/**
 * Tidy OCR-ish formula text: subscript digits become digits, whitespace goes, hydrate dots (·, •, ∙, ⋅, *, .)
 * become "·", square/curly brackets become parentheses, and trailing charge signs ("NH4+", "SO4^2-") are dropped.
 */
export function normalizeFormula(text: string): string {
  return text
    .replace(/[₀-₉]/g, (c) => SUBSCRIPTS[c] ?? c)
    .replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]/g, '')
    .replace(/\s+/g, '')
    // A dot between digits after a hydrate dot is a decimal coefficient ("CaSO4·0.5H2O"), not a separator.
    .replace(/([·•∙⋅*]\d+)\.(\d)/g, '$1\u0000$2')
    .replace(/[·•∙⋅*.]/g, '·')
    .replace(/\u0000/g, '.')
    .replace(/[[{]/g, '(')
    .replace(/[\]}]/g, ')')
    .replace(/(?:\^\d*[+-]|[+-]+)$/, '');
}

export class FormulaParseError extends Error {
  override readonly name = 'FormulaParseError';
}

function addInto(target: Record<string, number>, src: Record<string, number>, times: number): void {
  for (const [el, n] of Object.entries(src)) target[el] = (target[el] ?? 0) + n * times;
}

/** Parse one hydrate-free part with parentheses, e.g. "(NH4)2SO4". */
function parseGroup(s: string, formula: string): Record<string, number> {
  const stack: Record<string, number>[] = [{}];
  let i = 0;
  const readNumber = (): number => {
    const m = /^\d+(?:\.\d+)?/.exec(s.slice(i));
    if (!m) return 1;
    i += m[0].length;
    return Number(m[0]);
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '(') {
      stack.push({});
      i++;
    } else if (c === ')') {
      if (stack.length < 2) throw new FormulaParseError(`Unbalanced ")" in formula "${formula}"`);
      i++;
      const inner = stack.pop()!;
      addInto(stack[stack.length - 1], inner, readNumber());
    } else {
      const m = /^[A-Z][a-z]?/.exec(s.slice(i));
      if (!m) throw new FormulaParseError(`Unexpected "${c}" in formula "${formula}"`);
      // Prefer a two-letter symbol only when it exists ("Co" vs "C"+"o" is impossible anyway; "Cl" vs "C"+"l").
      let sym = m[0];
      if (sym.length === 2 && !(sym in ATOMIC_WEIGHTS)) sym = sym[0];
      if (!(sym in ATOMIC_WEIGHTS)) throw new FormulaParseError(`Unknown element "${sym}" in formula "${formula}"`);
      i += sym.length;
      addInto(stack[stack.length - 1], { [sym]: 1 }, readNumber());
    }
  }
  if (stack.length !== 1) throw new FormulaParseError(`Unbalanced "(" in formula "${formula}"`);
  return stack[0];
}

/** Element counts of a formula; hydrate parts ("·5H2O") may carry a leading coefficient. Throws FormulaParseError. */
export function parseFormula(formula: string): Record<string, number> {
  const norm = normalizeFormula(formula);
  if (!norm) throw new FormulaParseError('Empty formula');
  const total: Record<string, number> = {};
  for (const part of norm.split('·')) {
    if (!part) throw new FormulaParseError(`Empty part in formula "${formula}"`);
    const m = /^(\d+(?:\.\d+)?)?(.*)$/.exec(part)!;
    const coeff = m[1] ? Number(m[1]) : 1;
    if (!m[2]) throw new FormulaParseError(`Missing formula after coefficient in "${formula}"`);
    addInto(total, parseGroup(m[2], formula), coeff);
  }
  return total;
}

/** Formula weight in g/mol, unrounded. Throws FormulaParseError. */
export function formulaWeight(formula: string): number {
  let w = 0;
  for (const [el, n] of Object.entries(parseFormula(formula))) w += ATOMIC_WEIGHTS[el] * n;
  return w;
}

/** parseFormula that returns undefined instead of throwing, for text of unknown quality. */
export function tryParseFormula(formula: string): Record<string, number> | undefined {
  try {
    return parseFormula(formula);
  } catch {
    return undefined;
  }
}

/**
 * Text that reads as a chemical formula of two elements or more with counts a reagent has (≤ 60 atoms of an element),
 * as printed or with OCR's 0 for O (`C14H2806`): `NaH2PO4`, `C16H20N2` — not a lot such as `CKS4280`, which parses as
 * C, K and 4280 sulfur atoms.
 */
export function plausibleFormula(text: string): boolean {
  return [text, text.replace(/0/g, 'O')].some((t) => {
    const f = tryParseFormula(t);
    return !!f && Object.keys(f).length >= 2 && Object.values(f).every((n) => n <= 60);
  });
}

/**
 * A plausible formula that is not shaped like a code: one or two letters then 5+ digits (`H6011002`, which reads as
 * H6O11O2 only through the 0-for-O) is a lot or catalog number.
 */
export function formulaNotCode(text: string): boolean {
  return plausibleFormula(text) && !/^[A-Z]{1,2}\d{5,}$/.test(text);
}

/** A canonical composition key (Hill order: C, H, then alphabetical), e.g. "C2H4O2"; undefined if unparsable. */
export function hillKey(formula: string): string | undefined {
  const counts = tryParseFormula(formula);
  if (!counts) return undefined;
  const els = Object.keys(counts).filter((e) => counts[e] > 0);
  const hasC = 'C' in counts;
  els.sort((a, b) => {
    const rank = (e: string): number => (hasC && e === 'C' ? 0 : hasC && e === 'H' ? 1 : 2);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  return els.map((e) => e + (counts[e] === 1 ? '' : String(Math.round(counts[e] * 1000) / 1000))).join('');
}

/** True when both formulas parse and have the same element counts ("CH3COOH" ≡ "C2H4O2"). */
export function formulasEquivalent(a: string, b: string): boolean {
  const ka = hillKey(a);
  return ka !== undefined && ka === hillKey(b);
}

/**
 * Edit distance between the element-symbol sequences of two formula-like texts, counts ignored, a 0 inside the
 * text read as O (`C5H,005` → C H O O) and an I after a capital as l where that makes a symbol (`CI` → Cl): one
 * symbol is one edit.
 */
export function symbolDistance(a: string, b: string): number {
  const codes = new Map<string, string>();
  const seq = (t: string) =>
    (
      t
        .replace(/(?<![1-9])0/g, 'O')
        // (an l read as I after a capital, where that makes a symbol: `CHCI2` for CH2Cl2)
        .replace(/([A-Z])I(?![a-z])/g, (m, a: string) => (`${a}l` in ATOMIC_WEIGHTS ? `${a}l` : m))
        .match(/[A-Z][a-z]?/g) ?? []
    )
      .map((x) => {
        if (!codes.has(x)) codes.set(x, String.fromCharCode(0xe000 + codes.size));
        return codes.get(x)!;
      })
      .join('');
  return editDistance(seq(a), seq(b));
}

/**
 * A code, though it parses as a formula: the label's product is known and the text is none of its formulas, by
 * composition or within one element symbol of any (`W6CS3`, a lot of a sodium acetate label, reads as W6CS3).
 */
export function codeNotProductFormula(text: string, productFormulas: string[]): boolean {
  return (
    productFormulas.length > 0 &&
    productFormulas.every((f) => !formulasEquivalent(f, text) && !formulasEquivalent(f, text.replace(/0/g, 'O')) && symbolDistance(f, text) >= 2)
  );
}
