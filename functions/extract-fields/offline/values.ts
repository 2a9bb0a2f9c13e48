/**
 * Value grammars of reagent labels: CAS numbers, quantities, purities, dates, molecular weights, formulas,
 * catalog/lot tokens. Each parser takes OCR text of unknown quality and returns the value with the exact
 * substring it came from, or undefined. Nothing here knows about a particular manufacturer or layout.
 */
import { isValidCas } from '../../shared/cas';
import { normalizeFormula, tryParseFormula, formulaWeight } from '../../shared/formula';
import type { Quantity } from '../../shared/contract';

export interface Parsed<T> {
  value: T;
  raw: string;
}

const HANGUL = '\\u1100-\\u11FF\\u3130-\\u318F\\uAC00-\\uD7A3';
const HANGUL_GAP = new RegExp(`([${HANGUL}]) +(?=[${HANGUL}])`, 'g');

/** OCR text tidied for matching: NFKC (full-width → ASCII), unified dashes, Hangul letter-spacing removed. */
export function tidy(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[“”„]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(HANGUL_GAP, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function hasHangul(s: string): boolean {
  return new RegExp(`[${HANGUL}]`).test(s);
}

export function hangulShare(s: string): number {
  const letters = s.replace(/[^\p{L}]/gu, '');
  if (!letters) return 0;
  return (letters.match(new RegExp(`[${HANGUL}]`, 'g')) ?? []).length / letters.length;
}

// --- CAS ---------------------------------------------------------------------------------------------------

/** Letters OCR commonly returns for digits inside a numeric token. */
const DIGIT_LOOKALIKE: Record<string, string> = { O: '0', o: '0', D: '0', Q: '0', I: '1', l: '1', i: '1', '|': '1', '!': '1', Z: '2', z: '2', S: '5', s: '5', B: '8', G: '6', b: '6', g: '9', T: '7', A: '4' };

function digitsOnly(s: string): string {
  return s.replace(/[A-Za-z|!]/g, (c) => DIGIT_LOOKALIKE[c] ?? c);
}

export interface CasCandidate {
  cas: string;
  raw: string;
  valid: boolean;
  /** True when lookalike letters were read as digits or separators were guessed. */
  repaired: boolean;
}

/** Every CAS-shaped token in `text`, valid check digit or not (callers may repair invalid ones with the catalog). */
export function findCasCandidates(text: string): CasCandidate[] {
  const out: CasCandidate[] = [];
  const t = tidy(text);
  const re = /(?<![\dA-Za-z])([\dOoDQIl|SBZ]{2,7})\s?[-~.,_ ]\s?([\dOoDQIl|SBZ]{2})\s?[-~.,_ ]\s?([\dOoDQIl|SBZ])(?![\d])/g;
  for (const m of t.matchAll(re)) {
    const a = digitsOnly(m[1]);
    const b = digitsOnly(m[2]);
    const c = digitsOnly(m[3]);
    if (!/^\d+$/.test(a + b + c)) continue;
    // Dates like 2027-03-3x or 12.05.2 are not CAS numbers; require at least one real digit group.
    if (!/\d/.test(m[1]) || !/\d/.test(m[2])) continue;
    const sepOk = /^[\dOoDQIl|SBZ]{2,7}\s?-\s?[\dOoDQIl|SBZ]{2}\s?-\s?[\dOoDQIl|SBZ]$/.test(m[0]);
    const cas = `${a.replace(/^0+(?=\d{2})/, '')}-${b}-${c}`;
    const repaired = a + b + c !== m[1] + m[2] + m[3] || !sepOk;
    out.push({ cas, raw: m[0], valid: isValidCas(cas), repaired });
  }
  // Hyphens lost entirely: "7647010" is too ambiguous to split without a key, so only the keyed path uses this.
  return out;
}

/** Digits-only CAS reading ("64197" → "64-19-7") when the key says a CAS follows. Valid check digit required. */
export function casFromDigits(text: string): CasCandidate | undefined {
  const m = /(?<!\d)(\d{5,10})(?!\d)/.exec(digitsOnly(tidy(text)).replace(/[\s-]/g, ''));
  if (!m) return undefined;
  const d = m[1];
  const cas = `${d.slice(0, -3)}-${d.slice(-3, -1)}-${d.slice(-1)}`;
  return isValidCas(cas) ? { cas, raw: m[1], valid: true, repaired: true } : undefined;
}

// --- Quantity ------------------------------------------------------------------------------------------------

const UNIT_MAP: Record<string, Quantity['unit']> = {
  ml: 'mL', 'ml.': 'mL', mL: 'mL', ML: 'mL', Ml: 'mL', ℓ: 'L', l: 'L', L: 'L', lt: 'L', ltr: 'L', liter: 'L', litre: 'L', g: 'g', G: 'g', gr: 'g', kg: 'kg', KG: 'kg', Kg: 'kg', mg: 'mg', MG: 'mg', Mg: 'mg',
};

/** Number + unit ("500 mL", "1L", "2.5 kg", "500ML"); not "g/mol", not "mg/L" concentrations. */
export function findQuantities(text: string): Parsed<Quantity>[] {
  const out: Parsed<Quantity>[] = [];
  const t = tidy(text);
  const re = /(?<![\w.,/])(\d{1,4}(?:[.,]\d{1,3})?)\s?(ml|mL|ML|Ml|ℓ|l|L|lt|ltr|liters?|litres?|kg|KG|Kg|mg|MG|g|G|gr)(?![\p{L}\d/])/gu;
  for (const m of t.matchAll(re)) {
    const value = Number(m[1].replace(',', '.'));
    let unitKey = m[2].toLowerCase();
    if (unitKey.startsWith('lit')) unitKey = 'l';
    const unit = UNIT_MAP[m[2]] ?? UNIT_MAP[unitKey];
    if (!unit || !(value > 0)) continue;
    // "1 l" is fine, but a lone "l" after a number is often OCR for "1"; require L to be uppercase or spaced.
    if (m[2] === 'l' && !/\s/.test(m[0])) continue;
    out.push({ value: { value, unit }, raw: m[0] });
  }
  return out;
}

/**
 * A pack size printed alone under its key but misread: a stray mark before it (`t1L`) or its 1 read as I, l or |
 * (`IL`). Only for a value that is that one token; the caller lowers confidence and says what was read.
 */
export function repairLoneQuantity(text: string): Parsed<Quantity> | undefined {
  const m = /^[^\w\s]?[a-z]?([Il|]|\d{1,4}(?:[.,]\d{1,3})?)\s?(mL|ml|ML|L|g|kg)$/.exec(text.trim());
  if (!m) return undefined;
  const q = findQuantities(`${/^[Il|]$/.test(m[1]) ? '1' : m[1]} ${m[2]}`)[0];
  return q && { value: q.value, raw: text.trim() };
}

// --- Purity --------------------------------------------------------------------------------------------------

const NUM = String.raw`\d{1,3}(?:[.,]\d{1,3})?`;
const METHOD = String.raw`(?:\s*\([A-Za-z/ .]{1,14}\))?`;
/** "or more" / "or less" after the number in Japanese and Korean (`99.5%以上`, `99.5% 이상`). */
const BOUND = String.raw`(?:\s*(?:以上|以下|이상|이하))?`;
const PURITY_RE = new RegExp(
  String.raw`(?:(?:min(?:imum)?|max(?:imum)?)\.?\s*)?(?:[≥≧>≤<]=?\s*|(?:NLT|NMT)\s*)?${NUM}\s*(?:%\s*)?(?:[-~]|to)\s*${NUM}\s*%${METHOD}(?:\s*min(?:imum)?\.?)?` +
    // `97+%`: Alfa Aesar's "97 % or more".
    String.raw`|(?:(?:min(?:imum)?|max(?:imum)?)\.?\s*)?(?:[≥≧>≤<]=?\s*|(?:NLT|NMT)\s*)?\d{1,3}(?:[.,]\d{1,3})?\+?\s*%${METHOD}(?:\s*(?:min(?:imum)?|max)\.?)?${BOUND}`,
  'gi',
);

/** Purity/assay expressions as printed: "≥99.5%", ">97.0%(GC)", "99% min.", "35.0~37.0%", "99.0-102.0%". */
export function findPurities(text: string): Parsed<string>[] {
  // OCR reads "≥" as "2" or "=" ("299.0%"): a leading 2 that makes the value exceed 100 is the sign.
  const t = tidy(text)
    .replace(/≧/g, '≥')
    .replace(/(?<![\d.])2\s?(\d{2}(?:[.,]\d{1,3})?\s*%)/g, (m, rest: string) => (Number(rest.replace(/[^\d.]/g, '')) <= 100 && Number(m.replace(/[^\d.]/g, '')) > 100 ? `≥${rest}` : m))
    .replace(/(?<![\d.])=\s?(\d{2}(?:[.,]\d{1,3})?\s*%)/g, '≥$1')
    // tesseract reads a % as `9%` in some type (`98.09% min.`, `28.0~30.09%` for 98.0 % and 30.0 %): two decimals
    // ending in 9 below 99.9 are that misreading (labels print 98.0 %, 99.95 %, 99.99 %; never 98.09 %). The
    // reading then differs from the OCR text, which keeps it below the threshold.
    .replace(/(?<![\d.])(\d{2})\.(\d)9(\s*%)/g, (m, whole: string, dec: string, pct: string) => (Number(`${whole}.${dec}`) < 99.9 ? `${whole}.${dec}${pct}` : m))
    // (and without decimals: `979% min.` for 97 %, over 100 as read)
    .replace(/(?<![\d.])([1-9]\d)9(\s*%)/g, (m, whole: string, pct: string) => (Number(`${whole}9`) > 100 ? `${whole}${pct}` : m));
  const out: Parsed<string>[] = [];
  for (const m of t.matchAll(PURITY_RE)) {
    const raw = m[0].trim();
    const num = Number((/\d{1,3}(?:[.,]\d+)?/.exec(raw)?.[0] ?? '0').replace(',', '.'));
    if (num > 100 || num <= 0) continue;
    out.push({ value: spacePurity(raw), raw: m[0] });
  }
  return out;
}

/** Conventional spacing of `min.` / `max.` beside the number, which OCR often drops (`99%min.`, `min.99.0%`). */
export function spacePurity(v: string): string {
  return v
    .replace(/\s{2,}/g, ' ')
    // Japanese sets 以上 / 以下 right after the %, without a space (OCR often reads one).
    .replace(/%\s+(以上|以下)/g, '%$1')
    .replace(/%(?=(?:min|max)\b)/gi, '% ')
    .replace(/\b(min|max)\.(?=\d)/gi, '$1. ');
}

// --- Molecular weight ----------------------------------------------------------------------------------------

export function findNumber(text: string): Parsed<number> | undefined {
  const t = tidy(text);
  // A percentage is a purity or a concentration, never a molecular weight read under its key.
  if (/\d\s*%/.test(t)) return undefined;
  const m = /(?<![\d.])(\d{1,4}(?:[.,]\d{1,4})?)(?![\d])/.exec(t);
  if (!m) return undefined;
  const value = Number(m[1].replace(',', '.'));
  return value > 0 ? { value, raw: m[1] } : undefined;
}

// --- Dates ---------------------------------------------------------------------------------------------------

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

function lastDay(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function iso(y: number, m: number, d?: number): string | undefined {
  if (y < 1990 || y > 2100 || m < 1 || m > 12) return undefined;
  const day = d ?? lastDay(y, m);
  if (day < 1 || day > lastDay(y, m)) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A date as printed after an expiry key → ISO; a month-only date means the last day of that month. */
export function parseDate(text: string): Parsed<string> | undefined {
  const t = tidy(text)
    .replace(/(\d)\s*([./-])\s*(?=\d)/g, '$1$2')
    // The O of OCT and NOV read as a zero, glued to the day (`310CT2030`).
    // (no space added where none was glued: `16 0CT 2028` keeps its day)
    .replace(/(?<!\d)(\d{1,2})?0(CT|ct)(?=[\s.,-]?\d{4}(?!\d))/g, (_m, d: string | undefined, ct: string) => (d ? `${d} O${ct}` : `O${ct}`))
    .replace(/\bN0V(?=[\s.,-]?\d)/gi, 'NOV');
  let m: RegExpExecArray | null;
  if ((m = /(?<!\d)(\d{4})[-./年 ](\d{1,2})[-./月 ](\d{1,2})(?!\d)/.exec(t))) {
    const v = iso(+m[1], +m[2], +m[3]);
    if (v) return { value: v, raw: m[0] };
  }
  if ((m = /(?<!\d)(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})(?!\d)/.exec(t))) {
    const a = +m[1];
    const b = +m[2];
    // Dots and dashes are day-first (European); a slash is month-first unless the first part cannot be a month.
    const dayFirst = m[0].includes('/') ? a > 12 : !(b > 12);
    const v = dayFirst ? iso(+m[3], b, a) : iso(+m[3], a, b);
    if (v) return { value: v, raw: m[0] };
  }
  if ((m = /(?<!\d)(\d{1,2})[ .-]?([A-Za-z]{3,9})\.?[ .,-]?(\d{4})(?!\d)/.exec(t))) {
    const mon = MONTHS[m[2].toLowerCase().slice(0, m[2].toLowerCase().startsWith('sept') ? 4 : 3)];
    const v = mon ? iso(+m[3], mon, +m[1]) : undefined;
    if (v) return { value: v, raw: m[0] };
  }
  if ((m = /([A-Za-z]{3,9})\.?[ .,-]?(\d{1,2}),?[ ](\d{4})(?!\d)/.exec(t))) {
    const mon = MONTHS[m[1].toLowerCase().slice(0, 3)];
    const v = mon ? iso(+m[3], mon, +m[2]) : undefined;
    if (v) return { value: v, raw: m[0] };
  }
  if ((m = /([A-Za-z]{3,9})\.?[ .,/-]?(\d{4})(?!\d)/.exec(t))) {
    const mon = MONTHS[m[1].toLowerCase().slice(0, 3)];
    const v = mon ? iso(+m[2], mon) : undefined;
    if (v) return { value: v, raw: m[0] };
  }
  if ((m = /(?<!\d)(\d{4})[-./年 ](\d{1,2})(?:月)?(?![\d])/.exec(t))) {
    const v = iso(+m[1], +m[2]);
    if (v) return { value: v, raw: m[0] };
  }
  if ((m = /(?<!\d)(\d{1,2})[-./ ](\d{4})(?!\d)/.exec(t))) {
    const v = iso(+m[2], +m[1]);
    if (v) return { value: v, raw: m[0] };
  }
  return undefined;
}

// --- Formula -------------------------------------------------------------------------------------------------

/**
 * A chemical formula token as OCR reads it: subscripts come out as plain digits, sometimes as "," or "." or
 * lost. Returns the cleaned formula when it parses into known elements.
 */
export function parseFormulaText(text: string): Parsed<string> | undefined {
  const t = tidy(text).replace(/[₀-₉]/g, (c) => String(c.charCodeAt(0) - 0x2080));
  const m = /[([]?[A-Z][A-Za-z0-9()[\]·•∙⋅.*]*(?:\s?[·•∙⋅*]\s?\d*[A-Z][A-Za-z0-9()]*)*/.exec(t);
  if (!m) return undefined;
  let f = m[0].replace(/[.]$/, '');
  f = normalizeFormula(f);
  if (f.length < 1 || f.length > 40) return undefined;
  // Element symbols only: reject ordinary words ("Formula", "Danger") that happen to parse as elements.
  const counts = tryParseFormula(f);
  if (!counts) return undefined;
  if (/[a-z]{2,}/.test(f.replace(/\((?:[^)]*)\)/g, ''))) return undefined;
  return { value: f, raw: m[0] };
}

/** Looks like a formula on its own (at least one digit or two elements, no lowercase runs). */
export function looksLikeStandaloneFormula(token: string): boolean {
  const p = parseFormulaText(token);
  if (!p || p.raw.length !== token.trim().length) return false;
  const counts = tryParseFormula(p.value)!;
  return Object.keys(counts).length >= 2 && /\d/.test(p.value);
}

export function weightOf(formula: string): number | undefined {
  try {
    return formulaWeight(formula);
  } catch {
    return undefined;
  }
}

// --- Codes ---------------------------------------------------------------------------------------------------

/** First code-like token: letters/digits with at most inner "-", "." or "/" (catalog and lot numbers). */
export function firstCode(text: string): Parsed<string> | undefined {
  const t = tidy(text).replace(/^[\s:#.,;|]+/, '');
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9]|[-./](?=[A-Za-z0-9])){1,24})/.exec(t);
  if (!m) return undefined;
  if (!/\d/.test(m[1]) && m[1].length < 4) return undefined;
  return { value: m[1], raw: m[1] };
}
