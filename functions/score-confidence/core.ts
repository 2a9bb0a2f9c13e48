import { isValidCas } from '../shared/cas';
import type { Catalog, CatalogEntry, Manufacturer } from '../shared/catalog';
import { normalizeName } from '../shared/catalog';
import { FIELD_NAMES, type FieldConfidence, type FieldName, type LabelFields, type OcrLine } from '../shared/contract';
import { codeNotProductFormula, formulaNotCode, formulasEquivalent, formulaWeight, symbolDistance, tryParseFormula } from '../shared/formula';
import { sameReading } from '../shared/readings';
import { codeText, editDistance } from '../shared/text';

export interface ScoreInput {
  fields: LabelFields;
  extraction: {
    reader?: string;
    selfConfidence?: Record<string, number>;
    evidence?: Record<string, string>;
    /** Fields the reader proposed from the catalog without reading them (never above 0.5, always a review reason). */
    proposed?: string[];
    /** The optional second reader's answer (functions/extract-fields/second-opinion.ts). */
    secondOpinion?: { model: string; fields?: Record<string, unknown>; error?: string };
  } | null;
  ocrLines: OcrLine[];
  ocrFailed?: boolean;
}

export interface ScoreResult {
  fields: LabelFields;
  confidence: Partial<Record<FieldName, FieldConfidence>>;
  overall: number;
  decision: 'ACCEPT' | 'REVIEW';
  reviewReasons: string[];
  catalogMatch?: { cas: string; name: string; source: CatalogEntry['source'] };
}

/** Printed words that announce a field; when the label has the word but we have no value, a person should look. */
const FIELD_KEYWORDS: Partial<Record<FieldName, RegExp>> = {
  casNumber: /\bCAS\b/i,
  lotNumber: /\b(lot|batch)\b|제조번호|ロット/i,
  catalogNumber: /\b(cat(alog)?\.?\s*no|code\s*no|prod(uct)?\.?\s*no|art\.?\s*no|item\s*no)\b|제품번호|品番/i,
  molecularWeight: /\b(M\.?\s?W\.?|mol\.?\s*wt|F\.?\s?W\.?|formula\s*(?:wt|weight))\b|분자량|分子量/i,
  expiryDate: /\b(exp(iry|\.)?|use\s*by|best\s*before)\b|유효기간|使用期限/i,
  purity: /\b(assay|purity)\b|순도|含量/i,
  // (`Formula Wt.` / `Formula Weight` is the M.W. key)
  formula: /\b(formula(?!\s*(?:wt|weight)\b)|M\.\s?F\.|mol\.?\s*formula)|분자식|分子式|化学式|組成式/i,
};

/**
 * Grade words a label prints on their own (a badge, a line under the name); when one is printed and no grade was
 * read, the grade was missed. Two-letter codes count only in capitals and standing alone on their line.
 */
// No closing \b: OCR glues the next word on (`spectrophotometricgrade`).
const GRADE_WORDS = /\b(anhydrous|puriss|purum|for analysis|p\.\s?a\.|extra pure|ACS reagent|reagent ?plus|spectrophotometric|HPLC|LC-?MS|EMSURE|EMPLURA|EMPARTA|SUPRAPUR|LiChrosolv|CHROMASOLV|BioReagent|special grade|guaranteed reagent)|특급|일급|1급/i;
const GRADE_CODES = /^\W*(GR|EP|CP|AR|LR|USP|BP|ACS)\W*$/;

/** Pack sizes reagents are sold in; anything else is more likely a misread digit or decimal point. */
const STANDARD_PACKS: Record<string, number[]> = {
  mg: [1, 5, 10, 25, 50, 100, 250, 500],
  g: [1, 5, 10, 25, 50, 100, 125, 200, 250, 300, 450, 500, 1000],
  kg: [1, 2, 2.5, 3, 5, 10, 15, 18, 20, 25, 50],
  mL: [1, 2, 5, 10, 25, 50, 100, 200, 250, 450, 500, 1000, 2500, 4000],
  L: [1, 2, 2.5, 3, 4, 5, 10, 18, 20, 25, 200],
};

/**
 * Width of a character relative to the line height, for a quantity printed as one token ("25L"). On tesseract's
 * tight boxes such tokens ran 0.44–0.62 and the misread `25L` (for 2.5 L) 0.75; PaddleOCR's boxes carry a margin
 * and its right readings run 0.44–0.83 (devset, round 7): a token wider per character than the limit for its
 * engine's boxes counts as one that lost a character.
 */
const WIDE_TOKEN: Record<'tight' | 'padded', number> = { tight: 0.7, padded: 0.9 };

function lostCharacter(line: OcrLine, q: { value: number; unit: string }): boolean {
  const text = line.text.trim();
  const m = /^(\d+)\s?(mL|L|g|kg|mg)$/i.exec(text);
  // A decimal point can only be lost between two digits ('2.5L' → '25L'); '1L' has nowhere to lose one.
  if (!m || m[1].length < 2 || Number(m[1]) !== q.value || m[2].toLowerCase() !== q.unit.toLowerCase() || /\s/.test(text)) return false;
  // ...and only where the point would make another pack as labels print it: `25L` may be 2.5 L, but `250mL` is not
  // a `2.50`/`25.0` mL, which no label prints.
  const digits = m[1];
  const withPoint = Array.from({ length: digits.length - 1 }, (_, i) => `${digits.slice(0, i + 1)}.${digits.slice(i + 1)}`);
  if (!withPoint.some((d) => !d.endsWith('0') && STANDARD_PACKS[q.unit]?.includes(Number(d)))) return false;
  const h = line.box?.height ?? 0;
  return h > 0 && line.box.width / h / text.length > WIDE_TOKEN[line.engine === 'paddle' ? 'padded' : 'tight'];
}


/**
 * OCR confidence (0..100) of the most confident line that prints `value` (squashed comparison), or undefined
 * when no single line prints it. Line confidence is tesseract's mean word confidence: the closest thing to
 * character confidence the OCR contract carries.
 */
function lineConfidence(value: string, lines: OcrLine[]): number | undefined {
  const v = squash(value);
  if (!v) return undefined;
  let best: number | undefined;
  for (const l of lines) if (squash(l.text).includes(v)) best = Math.max(best ?? 0, l.confidence);
  return best;
}

/** Characters OCR confuses with one another (0/O/D/Q, 1/I/l, 5/S, 8/B, 2/Z, 6/G, T/7, 4/A). */
const LOOKALIKE = /[0ODQ1Il5S8B2Z6GT74A]/;
/** Below this OCR line confidence a look-alike character in a code is as likely misread as not. */
const CODE_CONF = 90;
/** Below this OCR line confidence a catalog-number shape lifts nothing (P3401 for P8401 was read at ~35). */
const SHAPE_CONF = 70;
/** Japanese and Korean grade words (the whole grade, as the reader writes it). */
const CJK_GRADE = /^(?:試薬)?(?:特級|特级|一級|一级|특급|1급|일급)$/;
/** Digits (and `l`) as the lower-case letter OCR confuses them with, to compare readings with look-alikes folded. */
const FOLDED_LOOKALIKE: Record<string, string> = { '0': 'o', '1': 'i', l: 'i', '5': 's', '9': 'g', '8': 'b', '2': 'z' };
/** OCR confidence from which a lone `IL` / `lkg` is read as 1 L / 1 kg with confidence (see the quantity rule). */
const LONE_ONE_CONF = 75;

/**
 * A letters-and-digits line read at this confidence or more that no field came from is a code the reader missed.
 * (90 let a lot read at 89.6, `X8UV2`, slip through on a held-out synthetic label: the record was accepted without it.)
 */
const STRAY_CODE_CONF = 75;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** A date printed as one token with the month in letters (`JAN2027`, `10MAY2030`, `31-OCT-2029`): no lot or code. */
const MONTH_DATE = new RegExp(String.raw`^(?:\d{1,2}-?)?(?:${MONTHS.join('|')})[a-z]*-?(?:\d{2}|\d{4})$`, 'i');

/**
 * How an ISO date is printed on the label: 'ymd' (year first), 'day-first' / 'month-first' (numeric, the day
 * > 12 so the order is clear), 'dmy' / 'mdy' (numeric day and month both ≤ 12 and different: the order is a
 * guess), 'named' (month as a word), 'ym' (no day printed), or undefined when no OCR line prints it. Returns
 * the printing line's OCR confidence too.
 */
export type DateForm = 'ymd' | 'day-first' | 'month-first' | 'dmy' | 'mdy' | 'named' | 'ym';
export function datePrinted(iso: string, lines: OcrLine[]): { form: DateForm; conf: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return undefined;
  const [y, mo, d] = [m[1], Number(m[2]), Number(m[3])];
  const yy = y.slice(2);
  const num = (n: number) => `0?${n}`;
  const sep = String.raw`\s*[-./]\s*`;
  const b = (re: string) => new RegExp(String.raw`(?<![\d])${re}(?![\d])`, 'i');
  const mon = String.raw`${MONTHS[mo - 1]}[a-z]*\.?`;
  const ambiguous = d <= 12 && d !== mo;
  const forms: [RegExp, DateForm][] = [
    [b(`${y}${sep}${num(mo)}${sep}${num(d)}`), 'ymd'],
    [b(`${y}\\s*[년年]\\s*${num(mo)}\\s*[월月]\\s*${num(d)}\\s*[일日]`), 'ymd'],
    [b(`${num(d)}${sep}${num(mo)}${sep}(?:${y}|${yy})`), ambiguous ? 'dmy' : 'day-first'],
    [b(`${num(d)}\\s*${mon}\\s*,?\\s*${y}`), 'named'],
    [b(`${mon}\\s*${num(d)}\\s*,?\\s*${y}`), 'named'],
    [b(`${y}${sep}${num(mo)}`), 'ym'],
    [b(`${y}\\s*[년年]\\s*${num(mo)}\\s*[월月]`), 'ym'],
    [b(`${num(mo)}${sep}${y}`), 'ym'],
    [b(`${mon}\\s*${y}`), 'ym'],
  ];
  for (const [re, form] of forms) {
    const hit = lines.filter((l) => re.test(l.text));
    if (!hit.length) continue;
    return { form, conf: Math.max(...hit.map((l) => l.confidence)) };
  }
  // Month-first numeric dates (US): only when the day-first reading did not match.
  const us = lines.filter((l) => b(`${num(mo)}${sep}${num(d)}${sep}(?:${y}|${yy})`).test(l.text));
  if (us.length) return { form: ambiguous ? 'mdy' : 'month-first', conf: Math.max(...us.map((l) => l.confidence)) };
  return undefined;
}

/** Trademarked grade names are printed with ® or ™; without one, the OCR probably lost it. */
const TRADEMARK_GRADES = /\b(emsure|emplura|emparta|reagentplus|suprapur|ultrapur|uvasol|lichrosolv|lichropur|chromasolv|bioreagent|bioultra|sigmaultra|hipersolv|normapur|rectapur)\b/i;

/**
 * The token printed right before a bare assay on its line when it is a short one holding a digit (`010.` before
 * `99.8%`), else undefined.
 */
function garbledBefore(value: string, lines: OcrLine[]): string | undefined {
  for (const l of lines) {
    const t = l.text.normalize('NFKC').replace(/\s+/g, ' ');
    const i = t.indexOf(value.trim());
    if (i <= 0) continue;
    const prev = t.slice(0, i).trim().split(' ').pop() ?? '';
    if (/\d/.test(prev) && prev.length <= 5) return prev;
  }
  return undefined;
}

/** Grade text compared in NFKC, ™ as ® (NFKC would spell it `TM`, glued to the word before). */
const gradeText = (s: string) => s.replace(/™/g, '®').normalize('NFKC');

/** Grade words a grade may be glued to when OCR drops the space (`EMSURE ACS,ISOReag.Ph Eur`), squashed. */
const GLUED_GRADE_WORDS = 'emsure|emplura|emparta|suprapur|acs|iso|usp|puriss|purum|reagent|reag|pheur|analysis|extrapure|hplc';
const ENDS_IN_GRADE_WORD = new RegExp(`(${GLUED_GRADE_WORDS})$`);
const STARTS_WITH_GRADE_WORD = new RegExp(`^(${GLUED_GRADE_WORDS})`);

/**
 * Where a grade is printed in `text` (in gradeText form; spaces and ® optional) as words of its own or glued to
 * other grade words: `EP` inside "Keep container…" or `GR` inside a "Grade" key is not the grade.
 */
function gradeSpans(grade: string, text: string): { start: number; end: number }[] {
  const chars = [...gradeText(grade).replace(/[\s®]+/g, '')];
  if (!chars.length) return [];
  const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const alnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  const re = new RegExp(`${chars.map(esc).join('[\\s®]*')}®?`, 'giu');
  const found: { start: number; end: number }[] = [];
  for (const m of text.matchAll(re)) {
    const start = m.index, end = m.index + m[0].length;
    const gluedBefore = alnum(chars[0]) && alnum(text[start - 1]);
    const gluedAfter = alnum(chars[chars.length - 1]) && alnum(text[end]);
    if (gluedBefore && !ENDS_IN_GRADE_WORD.test(squash(text.slice(0, start)))) continue;
    if (gluedAfter && !STARTS_WITH_GRADE_WORD.test(squash(text.slice(end)))) continue;
    found.push({ start, end });
  }
  return found;
}

/**
 * The text printed right after a grade on its line, when it looks like more grade words ("EMSURE® ACS,ISO,
 * Reag. Ph Eur" read as "EMSURE® ACS"): a purity ("99.8% min.", "≥99%") or nothing is fine.
 */
function gradeContinues(grade: string, lines: OcrLine[]): string | undefined {
  for (const l of lines) {
    const t = gradeText(l.text).replace(/\s+/g, ' ').trim();
    for (const at of gradeSpans(grade, t)) {
      const rest = t.slice(at.end).replace(/^[\s,;:/]+/, '');
      if (!rest) continue;
      if (/^([<>≥≤=~]|min\.?|max\.?|\d|\(|purity|assay)/i.test(rest)) continue;
      if (/^[A-Za-z][A-Za-z.\-]*/.test(rest)) return rest.slice(0, 30);
    }
  }
  return undefined;
}

/** Grade words printed before the grade on its line (`EMSURE ACS,ISO` before a `Reag. Ph Eur` read alone): the grade may be cut short at its start. */
function gradePrecededBy(grade: string, lines: OcrLine[]): string | undefined {
  for (const l of lines) {
    const t = gradeText(l.text);
    for (const at of gradeSpans(grade, t)) {
      const word = ENDS_IN_GRADE_WORD.exec(squash(t.slice(0, at.start)));
      if (word) return word[1];
    }
  }
  return undefined;
}

/**
 * Below this mean PaddleOCR confidence the photo is blurred or its print too small to trust (devset: 11 of 18 hard
 * photos, none of the 42 clean or ordinary photos, whose means run 85–98). Says "retake" to the reviewer.
 */
const RETAKE_BELOW = 84;

/** Character-weighted mean confidence of PaddleOCR's lines of 3+ characters (its scale: tesseract's differs). */
function paddleLegibility(lines: OcrLine[]): number | undefined {
  const p = lines.filter((l) => l.engine === 'paddle' && l.text.length >= 3);
  const n = p.reduce((s, l) => s + l.text.length, 0);
  return n >= 20 ? p.reduce((s, l) => s + l.confidence * l.text.length, 0) / n : undefined;
}

/**
 * Mean PaddleOCR confidence at and above which a label counts as crisply read (devset: clean renders 95–98, photos
 * 84–96, blurred photos below 84), where small signs such as `≥` are not lost.
 */
const CRISP_LABEL = 95;

/** Second opinion: a field both readers read alike gains this much, up to the cap; one they read differently drops to ≤ DISAGREE. */
const SECOND_OPINION_LIFT = 0.1;
const SECOND_OPINION_CAP = 0.97;
const SECOND_OPINION_DISAGREE = 0.5;

const squash = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    // ® and ™ are small marks OCR drops or reads as `?`; the reader writes them in the conventional spelling.
    .replace(/[\s\-‐‑–—~_.,:;()[\]{}'"`/\\|?®™]+/g, '')
    // Paddle's Chinese recogniser reads the Japanese 級 of 特級 / 一級 as its simplified form 级.
    .replace(/级/g, '級');

/** Levenshtein distance, bounded: enough to tell "found with one OCR slip" from "not there". */
function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return false;
    prev = cur;
  }
  return prev[b.length] <= max;
}

/** The pack amount (g or mL) a maker's catalog number encodes (`packInCatalogNumber` in data/manufacturers.json). */
function packFromCatalogNumber(maker: Manufacturer | undefined, code: string | undefined): number | undefined {
  const re = maker?.packInCatalogNumber;
  const m = re && code ? new RegExp(`^(?:${re})$`).exec(code.replace(/\s+/g, '')) : null;
  const amount = m ? Number(m[1]) : NaN;
  return amount > 0 ? amount : undefined;
}

/** Is `value` printed in the OCR text: exactly, or (for longer values) with one slip? */
function foundInText(value: string, squashedText: string): 'exact' | 'near' | 'absent' {
  const v = squash(value);
  if (!v) return 'absent';
  if (squashedText.includes(v)) return 'exact';
  if (v.length < 5) return 'absent';
  for (let i = 0; i + v.length - 1 <= squashedText.length; i++) {
    if (withinEdits(v, squashedText.slice(i, i + v.length), 1)) return 'near';
  }
  return 'absent';
}

/** Letters and digits only, lower case: how a value and a line are compared (`values` in scoreConfidence). */
const alnumText = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

function valueText(field: FieldName, value: unknown): string {
  if (field === 'quantity') {
    const q = value as { value: number; unit: string };
    return `${q.value}${q.unit}`;
  }
  return String(value);
}

/**
 * Per-field confidence from evidence, not the reader's say-so alone: is the value printed (in the OCR text),
 * does the CAS pass its check digit, do name, CAS, formula and M.W. agree with the catalog, is the
 * manufacturer known. Overall confidence is the weakest field: a record is only as right as its worst field.
 */
export function scoreConfidence(input: ScoreInput, catalog: Catalog, threshold: number): ScoreResult {
  const { fields } = input;
  const self = input.extraction?.selfConfidence ?? {};
  const ocrText = squash(input.ocrLines.map((l) => l.text).join(' '));
  const haveOcr = input.ocrLines.length > 0;
  const reviewReasons: string[] = [];
  const confidence: Partial<Record<FieldName, FieldConfidence>> = {};

  const byCas = fields.casNumber ? catalog.byCas(fields.casNumber) : undefined;
  const byName = fields.productName ? catalog.byName(fields.productName) : undefined;
  const entry = byCas ?? byName;
  // A CAS the OCR text does not show confirms no name: a reader may have taken it from the catalog by that name.
  const casPrinted = !haveOcr || (fields.casNumber !== undefined && foundInText(fields.casNumber, ocrText) !== 'absent');
  // Mean Paddle confidence of the label: how crisply it was read (bare assays, the retake reason).
  const legibility = paddleLegibility(input.ocrLines);
  // The manufacturer's data (catalog-number shapes, pack code, country), looked up once.
  const maker = fields.manufacturer ? catalog.manufacturers.find((m) => m.name === fields.manufacturer) : undefined;
  const nameAgreesWithCas = Boolean(byCas && byName && byCas.cas === byName.cas && casPrinted);
  // The optional second reader (another model asked the same question): agreement raises, disagreement lowers.
  const second = input.extraction?.secondOpinion;

  for (const field of FIELD_NAMES) {
    const value = fields[field];
    if (value === undefined) continue;
    const reasons: string[] = [];
    let score = self[field] ?? 0.7;
    reasons.push(self[field] !== undefined ? `reader confidence ${self[field].toFixed(2)}` : 'reader gave no confidence (0.70 assumed)');

    // Shape evidence (a catalog-number pattern, a standard pack size) may lift only a value that is printed.
    let printed = !haveOcr;
    let unseen = false;
    const ocrConf = haveOcr ? lineConfidence(valueText(field, value), input.ocrLines) : undefined;
    const dated = field === 'expiryDate' && haveOcr ? datePrinted(value as string, input.ocrLines) : undefined;
    if (haveOcr && field !== 'manufacturer') {
      const seen = foundInText(valueText(field, value), ocrText);
      printed = seen === 'exact';
      if (seen === 'exact') {
        reasons.push('printed on the label (found in OCR text)');
      } else if (seen === 'near') {
        score = Math.min(score, 0.85);
        reasons.push('found in OCR text with one character different');
      } else if (field === 'productName' && entry && nameAgreesWithCas) {
        reasons.push('name not found verbatim in OCR text, but it is the catalog name of the printed CAS');
      } else if (dated) {
        printed = true;
        reasons.push('printed on the label in another date format');
      } else {
        score = Math.min(score, 0.5);
        unseen = true;
        reasons.push('not found in OCR text');
      }
    }

    const proposed = input.extraction?.proposed?.includes(field) ?? false;
    switch (field) {
      case 'casNumber': {
        const cas = value as string;
        if (!isValidCas(cas)) {
          score = 0;
          reasons.push('fails the CAS check digit');
        } else if (unseen) {
          // The catalog knows every CAS a reader can propose from a product name: agreement proves nothing unprinted.
          reasons.push(byCas ? `the catalog CAS of ${byCas.name}, but not printed in the OCR text: check it against the bottle` : 'not printed in the OCR text');
        } else if (byCas) {
          score = Math.max(score, 0.9);
          reasons.push(`CAS is in the catalog (${byCas.name})`);
          if (byName && byName.cas !== cas) {
            score = Math.min(score, 0.3);
            reasons.push(`but the product name is the catalog name of CAS ${byName.cas}`);
          } else if (nameAgreesWithCas) {
            score = Math.max(score, 0.98);
            reasons.push('name and CAS agree with the catalog');
          }
        } else {
          score = Math.min(score, 0.75);
          reasons.push('check digit valid, but the CAS is not in the catalog');
        }
        break;
      }
      case 'productName': {
        if (byName) {
          reasons.push(`known product (${byName.name})`);
          if (byCas && byCas.cas !== byName.cas) {
            score = Math.min(score, 0.3);
            reasons.push(`the printed CAS belongs to ${byCas.name}`);
          } else if (nameAgreesWithCas) score = Math.max(score, 0.97);
          else {
            // A known name with no CAS to confirm it may be the start of a longer name ("Zinc" of "Zinc oxide").
            const n = normalizeName(value as string);
            const longer = catalog.entries.find((e) => e.cas !== byName.cas && [e.name, ...e.synonyms].some((x) => normalizeName(x).startsWith(`${n} `)));
            if (longer) {
              score = Math.min(score, 0.7);
              reasons.push(`may be the start of a longer name (${longer.name}); no CAS confirms it`);
            }
          }
        } else {
          // Measured: names the catalog does not know were OCR fragments ("irate tnbasic dihydrate", "D-Man").
          score = Math.min(score, byCas ? 0.3 : 0.4);
          reasons.push(byCas ? `not a catalog name of CAS ${byCas.cas} (${byCas.name}): a fragment or misreading?` : 'not in the catalog');
        }
        break;
      }
      case 'productNameKo': {
        const ko = normalizeName(value as string);
        if (entry && [entry.nameKo, ...(entry.synonymsKo ?? [])].some((n) => n && normalizeName(n) === ko)) {
          // Printed in full, the catalog confirms it. Read only in part (a near spelling), the reader chose among
          // the catalog's spellings — word order and hydrate suffixes vary (`타르타르산칼륨나트륨` is also printed
          // `타르타르산나트륨칼륨`), so the choice is not confirmed by the catalog it came from.
          score = unseen ? Math.min(Math.max(score, 0.8), 0.85) : Math.max(score, 0.95);
          reasons.push(unseen ? 'the catalog spelling of a Korean name read only in part' : 'Korean name agrees with the catalog');
        } else if (entry?.nameKo) {
          score = Math.min(score, 0.3);
          reasons.push(`catalog Korean name is ${entry.nameKo}`);
        } else {
          // Nothing to check it against: a Hangul line near the name is as often a fragment of other text.
          score = Math.min(score, 0.4);
          reasons.push('no catalog Korean name to check it against');
        }
        break;
      }
      case 'formula': {
        if (!tryParseFormula(value as string)) {
          score = Math.min(score, 0.3);
          reasons.push('not a parseable chemical formula');
        } else if (entry?.formula) {
          const agrees = [entry.formula, ...(entry.formulaSynonyms ?? [])].some((f) => formulasEquivalent(f, value as string));
          if (agrees) {
            score = Math.max(score, 0.95);
            reasons.push('formula agrees with the catalog');
          } else {
            score = Math.min(score, 0.4);
            reasons.push(`catalog formula is ${entry.formula}`);
          }
        } else if (typeof fields.molecularWeight === 'number') {
          // A product the catalog does not know: the printed M.W. is the one check (OCR drops subscripts).
          const w = formulaWeight(value as string);
          if (Math.abs(w - fields.molecularWeight) <= 0.06) {
            reasons.push('formula weight agrees with the printed M.W.');
          } else {
            score = Math.min(score, 0.5);
            reasons.push(`formula weight ${w.toFixed(2)} is not the printed M.W.: a subscript lost?`);
          }
        } else {
          score = Math.min(score, 0.75);
          reasons.push('no catalog formula or M.W. to check it against');
        }
        break;
      }
      case 'molecularWeight': {
        const mw = value as number;
        const reference = entry?.molecularWeight || (fields.formula && tryParseFormula(fields.formula) ? formulaWeight(fields.formula) : undefined);
        if (reference !== undefined) {
          if (Math.abs(reference - mw) <= 0.05 || Math.abs(Math.round(reference) - mw) < 1e-9) {
            score = Math.max(score, 0.95);
            reasons.push(`M.W. agrees with ${entry ? 'the catalog' : 'the formula'} (${reference.toFixed(2)})`);
          } else if (entry) {
            score = Math.min(score, 0.4);
            reasons.push(`catalog M.W. is ${reference.toFixed(2)}`);
          } else {
            // Against a formula read off the label the disagreement is more often the formula's (a lost subscript).
            score = Math.min(score, 0.7);
            reasons.push(`formula M.W. is ${reference.toFixed(2)}`);
          }
        }
        break;
      }
      case 'catalogNumber': {
        const fits = maker?.catalogPatterns.some((p) => new RegExp(`^(?:${p})$`, 'i').test(String(value).replace(/\s+/g, '')));
        // The shape says which positions are letters and digits, not that the digits are right (P3401 for P8401
        // fits as well), so it lifts the reader's confidence only to the threshold's neighbourhood, no further.
        if (fits) {
          if (printed && (ocrConf ?? 0) >= SHAPE_CONF) {
            score = Math.max(score, 0.9);
            reasons.push(`has the shape of a ${maker!.name} catalog number`);
          } else if (printed) {
            score = Math.min(score, 0.8);
            reasons.push(`has the shape of a ${maker!.name} catalog number, but OCR confidence ${Math.round(ocrConf ?? 0)} is low: a digit may be misread`);
          } else reasons.push(`has the shape of a ${maker!.name} catalog number`);
        } else if (maker?.catalogPatterns.length) {
          score = Math.min(score, 0.8);
          reasons.push(`does not have the shape of a ${maker.name} catalog number`);
        } else if (/^[0125678]\d{3,}$/.test(String(value))) {
          // No shape to check against, and digits only, starting with one a letter prefix is read as (S8838 as
          // 58838 at OCR 96, D2622 as 02622): the first character may be a letter.
          score = Math.min(score, 0.85);
          reasons.push('digits only, with no known catalog-number shape to check: its first character may be a letter read as a digit');
        }
        break;
      }
      case 'quantity': {
        const q = value as { value: number; unit: string };
        // A lost decimal point turns one standard pack into another (2.5 L → 25 L): when the printed token is
        // wider than its characters, a character is probably missing and the pack size is no evidence.
        const lost = input.ocrLines.some((l) => lostCharacter(l, q));
        // (CJK before the number is a key — Paddle reads the Korean `용량` as Han, `营500 mL` — and a full-width colon
        // its separator, `内容量：500mL`: neither is a stray mark.)
        const glued = input.ocrLines.some((l) => new RegExp(String.raw`[^\s\w.,:;()\u3400-\u9fff\uac00-\ud7a3\uff1a\uff1b]${String(q.value).replace('.', '\\.')}\s?${q.unit}`, 'i').test(l.text));
        const repaired = /read as/.test(input.extraction?.evidence?.quantity ?? '');
        const loneToken = /read "([Il|]\s?(?:mL|L|g|kg))" as 1 /.exec(input.extraction?.evidence?.quantity ?? '')?.[1];
        const loneOne = loneToken ? input.ocrLines.find((l) => l.text.trim() === loneToken && l.confidence >= LONE_ONE_CONF) : undefined;
        const pack = packFromCatalogNumber(maker, fields.catalogNumber);
        const inPack = q.unit === 'L' || q.unit === 'kg' ? q.value * 1000 : q.unit === 'mg' ? q.value / 1000 : q.value;
        if (pack !== undefined && Math.abs(pack - inPack) > 1e-6) {
          score = Math.min(score, 0.5);
          reasons.push(`the catalog number ${fields.catalogNumber} is the pack of ${pack} g or mL`);
        } else if (pack !== undefined && !glued && !lost) {
          // Two printed values agree: the large-type pack size and the pack code at the end of the catalog number.
          score = Math.max(score, 0.9);
          reasons.push(`agrees with the pack size in the catalog number ${fields.catalogNumber}`);
        } else if (glued) {
          score = Math.min(score, 0.6);
          reasons.push('a stray mark is glued to the number: a digit may be misread or added');
        } else if (loneOne && q.value === 1) {
          // A token that is only a look-alike of 1 and a unit (`IL`, `lkg`: the bar-shaped 1 of large type): the
          // reading is forced, as no other character before a unit makes a pack size. Measured: 8 of 8 right
          // (devset and synthetic designs), then 25 of 25 on seeds 1-12, read at OCR 79-89 as often as above 90
          // (PaddleOCR is unsure between I and 1, not about the token). A clear print only.
          score = 0.9;
          reasons.push(`the printed "${loneOne.text.trim()}" can only be 1 ${q.unit}: a 1 read as I or l`);
        } else if (repaired && !printed) {
          // A large lone '2509' read as 250 g: the unit was repaired, so the printed text does not confirm it.
          score = Math.min(Math.max(score, 0.75), 0.8);
          reasons.push('unit repaired from a look-alike character (see evidence)');
        } else if (lost) {
          score = Math.min(score, 0.7);
          reasons.push('printed wider than the characters read: a decimal point may be lost');
        } else if (STANDARD_PACKS[q.unit]?.includes(q.value)) {
          // Unlike a catalog-number shape (any digit fits), pack sizes are a small closed set: a misread digit
          // rarely lands on another one (the lost decimal point and stray marks are checked above), so OCR
          // confidence does not gate this lift.
          if (printed) score = Math.max(score, 0.9);
          reasons.push('a standard pack size');
        } else {
          score = Math.min(score, 0.75);
          reasons.push('an unusual pack size');
        }
        break;
      }
      case 'manufacturer': {
        if (catalog.canonicalManufacturer(value as string) === value) {
          reasons.push('known manufacturer');
          // Cross-field agreement: the catalog number has this manufacturer's shape, so two printed values agree.
          const code = fields.catalogNumber?.replace(/\s+/g, '');
          // (Not when the maker was named from that shape: the reader's evidence says its name was not read.)
          const fromShape = /maker's name was not read/.test(input.extraction?.evidence?.manufacturer ?? '');
          if (code && !fromShape && maker?.catalogPatterns.some((p) => new RegExp(`^(?:${p})$`, 'i').test(code))) {
            score = Math.max(score, 0.93);
            reasons.push(`the catalog number has the shape of a ${maker.name} catalog number`);
          }
        } else {
          score = Math.min(score, 0.6);
          reasons.push('not a known manufacturer name');
        }
        break;
      }
      case 'expiryDate': {
        const d = new Date(`${value as string}T00:00:00Z`);
        if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
          score = 0;
          reasons.push('not a real calendar date');
        } else if (dated?.form === 'dmy' || dated?.form === 'mdy') {
          score = Math.min(score, 0.7);
          reasons.push('printed day and month are both ≤ 12: their order is a guess');
        } else if (dated?.form === 'ym') {
          // A label that prints only the month means the product keeps to the end of it; the reader reads it as the
          // month's last day (every expiry on the devset is a month's last day, 20 of 20). A clear print with its key
          // read is taken at 0.9; the day stays a convention, so never above.
          const monthEnd = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate() === d.getUTCDate();
          score = monthEnd && dated.conf >= SHAPE_CONF && score >= 0.8 ? 0.9 : Math.min(score, 0.85);
          reasons.push('only year and month are printed: read as the last day of that month');
        } else if (dated && dated.conf >= SHAPE_CONF) {
          score = Math.max(score, 0.95);
          reasons.push(`date printed with year first or the month in words (OCR confidence ${Math.round(dated.conf)})`);
        }
        break;
      }
      case 'lotNumber': {
        // Lots have no catalog or (in data/manufacturers.json) pattern to check against: the score rests on OCR.
        const lot = String(value);
        if (/[a-z]/.test(lot)) {
          score = Math.min(score, 0.6);
          reasons.push('lower-case letters: lots are printed in capitals, so OCR probably misread it');
        } else if (LOOKALIKE.test(lot) && (ocrConf ?? 0) < CODE_CONF) {
          score = Math.min(score, 0.8);
          reasons.push(`look-alike characters (0/O/D, 1/I, 5/S, 8/B, 2/Z, 6/G, 7/T) read at OCR confidence ${Math.round(ocrConf ?? 0)} < ${CODE_CONF}`);
        } else if (/^[\d-]+$/.test(lot)) {
          // Digits alone: every lot on the devset and on 10 synthetic sets (656) carries a letter, and PaddleOCR
          // loses or misreads a lone letter between digits even at confidence 100 (`2208185` for 2208J185,
          // `23071588` for 2307J588). Makers whose lots really are all digits get a reviewer's look.
          score = Math.min(score, 0.85);
          reasons.push('digits only: lots carry a letter, which OCR may have lost or read as a digit');
        }
        break;
      }
      case 'grade': {
        const g = String(value);
        const more = gradeContinues(g, input.ocrLines);
        const before = more ? undefined : gradePrecededBy(g, input.ocrLines);
        if (more) {
          score = Math.min(score, 0.6);
          reasons.push(`the label prints more after it ("${more}"): the grade may be cut short`);
        } else if (before) {
          score = Math.min(score, 0.6);
          reasons.push(`the label prints grade words right before it ("${before}…"): the grade may be cut short`);
        } else if (TRADEMARK_GRADES.test(g) && !/[®™]/.test(g)) {
          score = Math.min(score, 0.7);
          reasons.push('a trademarked grade name without ® or ™: a character may be lost');
        } else if (printed && (ocrConf ?? 0) >= CODE_CONF - 5 && score >= 0.75) {
          score = Math.max(score, 0.92);
          reasons.push(`printed whole at OCR confidence ${Math.round(ocrConf ?? 0)}`);
        } else if (printed && CJK_GRADE.test(g) && (ocrConf ?? 0) >= 75 && score >= 0.75) {
          // PaddleOCR reads Han and Hangul at lower confidence than Latin (77-85 for a crisp 特級); the words are a
          // small closed set unlike each other. Devset and seeds 1-13: 90 of 90 read right.
          score = Math.max(score, 0.92);
          reasons.push(`a Japanese or Korean grade word printed whole at OCR confidence ${Math.round(ocrConf ?? 0)}`);
        } else if (printed && score < 0.75) {
          // The reader took words under a grade key that are no grade it knows (it says so with ≤ 0.7): printed, but
          // a glued or misread word (`ACSreagent`) looks the same, so a reviewer sees it.
          reasons.push('printed under a grade key, but not a grade the reader knows');
        }
        break;
      }
      case 'purity': {
        const nums = String(value).match(/\d+(?:\.\d+)?/g) ?? [];
        // A bare assay of 90 % or more (no sign, min. or range), and what is printed right before it if garbled.
        const bareHigh = /^\s*\d{2,3}(?:\.\d+)?\s*%\s*$/.test(String(value)) && Number(nums[0]) >= 90;
        const garbled = bareHigh ? garbledBefore(String(value), input.ocrLines) : undefined;
        // An assay range may end above 100 % (pharmacopoeia assays on the dried substance: `99.0-102.0%`).
        const range = nums.length === 2 && /\d\s*%?\s*[-~]\s*\d/.test(String(value)) && Number(nums[0]) <= 100 && Number(nums[1]) <= 105 && Number(nums[0]) < Number(nums[1]);
        if (!range && nums.some((n) => Number(n) > 100 || /^0\d/.test(n))) {
          score = Math.min(score, 0.3);
          reasons.push('not a plausible percentage (over 100 or a leading zero)');
        } else if (printed && score >= 0.75 && (ocrConf ?? 0) >= CODE_CONF - 5 && /[≥>]|\bmin\b|\bmax\b|\d\s*[-~]\s*\d|%\s*\(|\d\+\s*%|以上|이상/i.test(String(value))) {
          // A whole purity expression (sign, min./max., a range or the assay method) printed and clearly read: the
          // reader found it beside the name rather than under a key (0.80), but its form leaves no part to miss.
          // Bare numbers stay where they are: a dropped `≥` is the one way a purity read this well is wrong.
          score = Math.max(score, 0.9);
          reasons.push('a whole purity expression, printed and clearly read');
        } else if (bareHigh && garbled) {
          // A bare assay with digits just before it on its line (`010. 99.8%` for `min. 99.8%`): a sign or `min.`
          // read as something else. No key or sign prints a digit.
          score = Math.min(score, 0.8);
          reasons.push(`read after "${garbled}" on its line: a \`≥\` or \`min.\` may have been misread`);
        } else if (bareHigh && !((legibility ?? 0) >= CRISP_LABEL)) {
          // A bare assay of 90 % or more on a photo: labels print most of these with a `≥` or `min.`, a small sign
          // photographed print loses (devset: `99.8%` read at OCR 99 under its key for `≥99.8%`; the line itself
          // looks the same as a bare `99.0%`). On a crisply read label a sign is not dropped.
          score = Math.min(score, 0.85);
          reasons.push(`a bare assay ≥ 90 % on a photo read at mean OCR confidence ${legibility?.toFixed(0) ?? '?'} < ${CRISP_LABEL}: a \`≥\` or \`min.\` may not have been read`);
        }
        break;
      }
      default:
        break;
    }
    if (proposed) {
      // Taken from the catalog by the product's name, not read: agreement with the catalog is its own doing.
      score = Math.min(score, 0.5);
      reasons.push('not read on the label: proposed from the catalog for the product named on it');
    }
    if (second?.fields && field in second.fields) {
      const other = second.fields[field];
      if (sameReading(field, value, other)) {
        score = Math.max(score, Math.min(SECOND_OPINION_CAP, score + SECOND_OPINION_LIFT));
        reasons.push(`second opinion (${second.model}) agrees`);
      } else {
        score = Math.min(score, SECOND_OPINION_DISAGREE);
        reasons.push(`second opinion (${second.model}) read ${JSON.stringify(other).slice(0, 60)}`);
      }
    }
    confidence[field] = { score: round(score), reasons };
  }
  for (const field of FIELD_NAMES) {
    const other = second?.fields?.[field];
    if (fields[field] === undefined && other !== undefined) {
      reviewReasons.push(`The second opinion (${second!.model}) read ${field} = ${JSON.stringify(other).slice(0, 60)}, which the reader did not.`);
    }
  }

  // Nearly every label prints these; a record without them is more likely a misread than a bare label.
  if (!fields.manufacturer) reviewReasons.push('No manufacturer was read.');
  if (!fields.quantity) reviewReasons.push('No quantity was read.');
  if (!fields.productName) reviewReasons.push('No product name was read.');
  if (!fields.casNumber) reviewReasons.push('No CAS number was read.');
  for (const f of input.extraction?.proposed ?? []) {
    const v = (fields as Record<string, unknown>)[f];
    if (v !== undefined) reviewReasons.push(`No ${f} was read; the catalog's ${JSON.stringify(v)} for the product named on the label is proposed: check it against the bottle.`);
  }
  if (fields.casNumber && !byCas) reviewReasons.push(`CAS ${fields.casNumber} is not in the catalog (a new product?).`);
  if (fields.casNumber && byCas && byName && byCas.cas !== byName.cas) {
    reviewReasons.push(`Name and CAS disagree: "${fields.productName}" is ${byName.cas} in the catalog, but the label reads ${fields.casNumber}.`);
  }
  if (haveOcr) {
    const rawText = input.ocrLines.map((l) => l.text).join('\n');
    for (const [field, re] of Object.entries(FIELD_KEYWORDS) as [FieldName, RegExp][]) {
      if (fields[field] === undefined && re.test(rawText)) reviewReasons.push(`The label mentions ${field} but no value was read.`);
    }
    // The identified product's own formula, M.W. or Korean name printed as a token, but not read: a missed field.
    const entryForms = entry ? [entry.formula, ...(entry.formulaSynonyms ?? [])].filter((f): f is string => !!f) : [];
    if (entry) {
      const tokens = input.ocrLines.map((l) => ` ${l.text.normalize('NFKC')} `);
      const hasToken = (t: string) => {
        const re = new RegExp(`[^A-Za-z0-9.]${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^A-Za-z0-9]`);
        return tokens.some((x) => re.test(x));
      };
      // (or a token with its element letters, the O read as 0 allowed, one letter from the formula's: `C5H,005`)
      const formulas = entryForms.filter((f) => f.length >= 2);
      const garbledFormula = fields.formula === undefined ? garbledFormulaToken(input.ocrLines.map((l) => l.text), formulas) : undefined;
      const missed: [FieldName, string | undefined][] = [
        ['formula', formulas.find(hasToken) ?? garbledFormula],
        ['molecularWeight', entry.molecularWeight ? [entry.molecularWeight.toFixed(2)].find(hasToken) : undefined],
        ['productNameKo', entry.nameKo && ocrText.includes(squash(entry.nameKo)) ? entry.nameKo : undefined],
      ];
      for (const [field, printedValue] of missed) {
        if (fields[field] === undefined && printedValue) reviewReasons.push(`The label prints the catalog ${field} of ${entry.name} ("${printedValue}") but no ${field} was read.`);
      }
    }
    // A Korean label (confident Hangul text) of a product with a catalog Korean name prints that name: not read = missed.
    // So is the label of a Korean maker (`country: KR` in data/manufacturers.json), even when OCR read no Hangul at all.
    const hangulSyllables = input.ocrLines.filter((l) => l.confidence >= 80).reduce((n, l) => n + (l.text.match(/[\uac00-\ud7a3]/g) ?? []).length, 0);
    const koreanMaker = maker?.country === 'KR';
    if (fields.productNameKo === undefined && entry?.nameKo && (hangulSyllables >= 6 || koreanMaker)) {
      reviewReasons.push(`A Korean label, but the Korean name of ${entry.name} ("${entry.nameKo}") was not read.`);
    }
    if (legibility !== undefined && legibility < RETAKE_BELOW) {
      reviewReasons.push(`The print is hard to read (mean OCR confidence ${legibility.toFixed(0)} < ${RETAKE_BELOW}): a sharper, closer photo of the label would be read better.`);
    }
    // A confident line that is one letters-and-digits code no field was read from: a lot or catalog number whose
    // key was not read (a Japanese `ロット` the OCR has no letters for). Devset: no such line on any label.
    const values = (Object.entries(fields) as [FieldName, unknown][]).map(([f, v]) => alnumText(valueText(f, v))).filter((v) => v.length >= 3);
    // (compared with look-alikes folded: the line a value was read from with 0 for O or l for 1 — `NiSO4-6H20`,
    // `TIKY9` — is that value's, not another code)
    const fold = (v: string) => v.replace(/[012589l]/g, (c) => FOLDED_LOOKALIKE[c]);
    const folded = values.map(fold);
    const stray = input.ocrLines.find((l) => {
      // (also after a key the OCR garbled to a sign or two: `卜:BGY4681`, the ト of ロット)
      const t = codeText(l.text);
      if (l.confidence < STRAY_CODE_CONF || !/^[A-Za-z0-9][A-Za-z0-9-]{3,11}$/.test(t) || !/[A-Za-z]/.test(t) || !/\d/.test(t)) return false;
      const q = fold(alnumText(t));
      return !folded.some((v) => v.includes(q) || q.includes(v)) && (!formulaNotCode(t) || codeNotProductFormula(t, entryForms)) && !MONTH_DATE.test(t);
    });
    if (stray) reviewReasons.push(`The label prints "${stray.text.trim()}", a code no field was read from (a lot or catalog number whose key was not read?).`);
    const lostRow = unreadColumnRow(input.ocrLines, values);
    if (lostRow) {
      reviewReasons.push(`A row of the label's key–value column was read only as "${lostRow.text.trim()}" (OCR confidence ${Math.round(lostRow.confidence)}): a field printed there may have been missed.`);
    }
    // No date was read, but a line holds digits that start like one and are no well-formed date (`20314858`,
    // tesseract's garbled `2031.05` beside a key it could not read): the expiry date may have been missed. (A
    // well-formed date left unread is one the reader chose not to take: a manufacturing date.)
    if (fields.expiryDate === undefined) {
      const dateLike = input.ocrLines
        .flatMap((l) => l.text.normalize('NFKC').split(/\s+/))
        .map((w) => w.replace(/^[^\d]+|[^\d]+$/g, ''))
        .find((w) => /^20[2-4]\d[\d.\-/年]{2,}$/.test(w) && !/^20\d\d([.\-/]|年)\d{1,2}(?:([.\-/]|月)\d{1,2})?$/.test(w) && !values.some((v) => v.includes(alnumText(w))));
      if (dateLike) reviewReasons.push(`The label prints "${dateLike}", which starts like a date, but no date was read.`);
    }
    // Japanese and Korean makers print the grade on most labels (特級, 一級, 1급, GR), often in a small badge the OCR
    // may miss. With no grade read, the record waits for a person when the page shows a mark no engine could read
    // (unreadMark), or when the OCR is not the local pair whose marks are known (Textract).
    if (fields.grade === undefined && (maker?.country === 'JP' || maker?.country === 'KR')) {
      const local = input.ocrLines.some((l) => l.engine === 'paddle');
      const mark = local ? unreadMark(input.ocrLines, values) : undefined;
      if (!local || mark) {
        const where = mark ? ` — the label shows a mark no engine read clearly ("${mark.text.trim()}", OCR confidence ${Math.round(mark.confidence)})` : '';
        reviewReasons.push(
          maker.country === 'JP'
            ? `A ${fields.manufacturer} label prints its grade (特級, 一級, …), but no grade was read${where}.`
            : `A ${fields.manufacturer} label usually prints its grade (특급, 1급, GR, EP, …), but no grade was read${where}.`,
        );
      }
    }
    if (fields.grade === undefined) {
      // "(HPLC)", "(GC)" right after a percentage name the assay method, not a grade.
      const g = input.ocrLines.find((l) => GRADE_WORDS.test(l.text.replace(/%\s*\([A-Za-z-]{1,6}\)/g, '%')) || GRADE_CODES.test(l.text));
      if (g) reviewReasons.push(`The label prints a grade word ("${g.text.trim().slice(0, 40)}") but no grade was read.`);
    }
  } else {
    reviewReasons.push(input.ocrFailed ? 'OCR failed, so no value could be checked against the printed text.' : 'No OCR text to check the values against.');
  }
  const scores = Object.values(confidence).map((c) => c!.score);
  const overall = round(scores.length ? Math.min(...scores) : 0);
  for (const [field, c] of Object.entries(confidence)) {
    if (c!.score < threshold) reviewReasons.push(`${field}: confidence ${c!.score.toFixed(2)} is below ${threshold} (${c!.reasons.at(-1)}).`);
  }
  const decision = overall >= threshold && reviewReasons.length === 0 ? 'ACCEPT' : 'REVIEW';
  return {
    fields,
    confidence,
    overall,
    decision,
    reviewReasons,
    ...(entry ? { catalogMatch: { cas: entry.cas, name: entry.name, source: entry.source } } : {}),
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * A token that is a formula in `formulas` read badly: it starts with a capital, carries a digit or a mark where
 * subscripts go, and its element symbols (0 read as O) are the formula's, one more, fewer or different
 * (`C5H,005` for C5H10O5). Formulas of fewer than three element symbols are left out: too many tokens match them
 * (`HClO4` is not HCl read badly).
 */
export function garbledFormulaToken(texts: string[], formulas: string[]): string | undefined {
  const checkable = formulas.filter((f) => (f.match(/[A-Z][a-z]?/g) ?? []).length >= 3);
  for (const text of texts) {
    for (const token of text.normalize('NFKC').split(/[\s:：;]+/)) {
      if (!/^[A-Z]/.test(token) || !/[\d,.'`]/.test(token) || token.length > 24) continue;
      const hit = checkable.find((f) => symbolDistance(token, f) <= 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** A grade's key: with it read and no grade, the grade was missed. */
const GRADE_KEY = /\bgrade\b|등급|規格|规格|グレード|等級|等级/i;
/** Han key words and maker-name pieces Paddle reads in short fragments (`号` of 番号, `化学`): print, not a mark. */
const HAN_LABEL_PIECES = /[号量度式限期格品番薬药試试化学社]/;
/** Least Paddle confidence for a short reading to count as a mark: below it, it is noise (a pictogram's edge). */
const MARK_MIN_CONF = 45;
/** A lone short number read at or above this confidence is print the reader placed or chose not to take. */
const MARK_MAX_CONF = 90;
/** Least tesseract confidence for a short Hangul reading to count as a mark (below it, its Hangul is noise). */
const HANGUL_MARK_MIN_CONF = 60;

/** Korean grade words as a badge prints them. */
const KOREAN_GRADES = ['특급', '일급'];
/** Edit distance between two Hangul strings over their letters (jamo): tesseract's `르그` is three from `특급`. */
function jamoDistance(a: string, b: string): number {
  return editDistance(a.normalize('NFD'), b.normalize('NFD'));
}

/**
 * Where a badge or a short mark is printed and no engine read it: a grade key (read without a grade, as this is
 * asked only then); Paddle's short Han reading of it (a `1급` badge read as `1元` or `1日`: its dictionary has no
 * Hangul) or a Han line holding 級; a short number it read unsurely (`12`, `13` for `1급`) that no field holds; or
 * tesseract Hangul within three letters of 특급 / 일급 (`르그`). On devset + seeds 1–18, each of the seven Japanese and
 * Korean labels whose printed grade went unread shows one; 103 of the 108 that print none show none.
 */
export function unreadMark(lines: OcrLine[], values: string[]): OcrLine | undefined {
  return lines.find((l) => {
    const t = alnumText(l.text);
    if (GRADE_KEY.test(l.text)) return true;
    if (l.confidence < MARK_MIN_CONF || t.length === 0) return false;
    if (l.engine === 'tesseract') return l.confidence >= HANGUL_MARK_MIN_CONF && /^[\uac00-\ud7a3]{1,3}$/.test(t) && KOREAN_GRADES.some((g) => jamoDistance(t, g) <= 3);
    if (l.engine !== 'paddle') return false;
    if (/[\u3400-\u9fff]/.test(t) && /[級级]/.test(t)) return true;
    if (/[\u3400-\u9fff]/.test(t) && t.length <= 2 && !/[a-z]{2}/.test(t)) return !HAN_LABEL_PIECES.test(t);
    return l.confidence < MARK_MAX_CONF && /^\d[\da-z]{0,2}$/.test(t) && !values.some((v) => v === t || (t.length >= 3 && v.includes(t)));
  });
}

/** Below this OCR confidence a line in the key–value column is taken as unread (tesseract's guesses at print it lost). */
const UNREAD_ROW_CONF = 60;

/**
 * A row of the label's key–value column read as (nearly) nothing: a line below UNREAD_ROW_CONF, left-aligned with
 * at least three confidently read lines of about its height and no wider than they are, on a row with no confident
 * reading and over no bare value (whose key it would be), within the column (up to one and a half row pitches past its
 * ends), holding no field's value. PaddleOCR sometimes finds no text at all on a row
 * (`分子量：138.55`), and tesseract's reading of it (`구토` at 0) is then all there is to show a field was lost.
 */
export function unreadColumnRow(lines: OcrLine[], values: string[]): OcrLine | undefined {
  const confident = lines.filter((p) => p.box && p.confidence >= 80);
  for (const l of lines) {
    if (l.confidence >= UNREAD_ROW_CONF || !l.box) continue;
    const b = l.box;
    const cy = b.top + b.height / 2;
    // (A confident reading anywhere on its row — the value of a key read alone, `CAS 번호` — means the row was read;
    // so does a bare value just below it, whose key it is in a stacked layout.)
    if (confident.some((p) => Math.abs(p.box!.top + p.box!.height / 2 - cy) < 0.6 * Math.max(b.height, p.box!.height))) continue;
    const under = confident.find((p) => p.box!.top > cy && p.box!.top - (b.top + b.height) < 0.8 * b.height && Math.abs(p.box!.left - b.left) <= b.height);
    if (under && !/[:：]/.test(under.text) && !Object.values(FIELD_KEYWORDS).some((re) => re!.test(under.text))) continue;
    const column = confident.filter((p) => Math.abs(p.box!.left - b.left) <= 0.5 * b.height && Math.abs(p.box!.height - b.height) <= 0.35 * b.height);
    // (wider than any row of the column: a sentence of small print, not a row)
    if (column.length < 3 || b.width > 1.5 * Math.max(...column.map((p) => p.box!.width))) continue;
    const peers = column.map((p) => p.box!.top + p.box!.height / 2).sort((x, y) => x - y);
    const pitches = peers.slice(1).map((p, i) => p - peers[i]).sort((x, y) => x - y);
    const pitch = pitches[Math.floor(pitches.length / 2)];
    if (cy < peers[0] - 1.5 * pitch || cy > peers[peers.length - 1] + 1.5 * pitch) continue;
    const t = alnumText(l.text);
    if (values.some((v) => t.includes(v))) continue;
    return l;
  }
  return undefined;
}
