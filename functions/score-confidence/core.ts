import { isValidCas } from '../shared/cas';
import type { Catalog, CatalogEntry } from '../shared/catalog';
import { normalizeName } from '../shared/catalog';
import { FIELD_NAMES, type FieldConfidence, type FieldName, type LabelFields, type OcrLine } from '../shared/contract';
import { formulasEquivalent, formulaWeight, tryParseFormula } from '../shared/formula';

export interface ScoreInput {
  fields: LabelFields;
  extraction: { reader?: string; selfConfidence?: Record<string, number>; evidence?: Record<string, string> } | null;
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
  molecularWeight: /\b(M\.?\s?W\.?|mol\.?\s*wt|F\.?\s?W\.?)\b|분자량|分子量/i,
  expiryDate: /\b(exp(iry|\.)?|use\s*by|best\s*before)\b|유효기간|使用期限/i,
  purity: /\b(assay|purity)\b|순도|含量/i,
};

/** Pack sizes reagents are sold in; anything else is more likely a misread digit or decimal point. */
const STANDARD_PACKS: Record<string, number[]> = {
  mg: [1, 5, 10, 25, 50, 100, 250, 500],
  g: [1, 5, 10, 25, 50, 100, 125, 200, 250, 300, 450, 500, 1000],
  kg: [1, 2, 2.5, 3, 5, 10, 15, 18, 20, 25, 50],
  mL: [1, 2, 5, 10, 25, 50, 100, 200, 250, 450, 500, 1000, 2500, 4000],
  L: [1, 2, 2.5, 3, 4, 5, 10, 18, 20, 25, 200],
};

/**
 * Width of a character relative to the line height, for a quantity printed as one token ("25L"): measured
 * on OCR boxes, such tokens run 0.44–0.62; above WIDE_TOKEN a character the OCR dropped (a decimal point)
 * is likely.
 */
const WIDE_TOKEN = 0.7;

function lostCharacter(line: OcrLine, q: { value: number; unit: string }): boolean {
  const text = line.text.trim();
  const m = /^(\d+)\s?(mL|L|g|kg|mg)$/i.exec(text);
  if (!m || Number(m[1]) !== q.value || m[2].toLowerCase() !== q.unit.toLowerCase() || /\s/.test(text)) return false;
  const h = line.box?.height ?? 0;
  return h > 0 && line.box.width / h / text.length > WIDE_TOKEN;
}

const squash = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-‐‑–—~_.,:;()[\]{}'"`/\\|]+/g, '');

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
  const nameAgreesWithCas = Boolean(byCas && byName && byCas.cas === byName.cas);

  for (const field of FIELD_NAMES) {
    const value = fields[field];
    if (value === undefined) continue;
    const reasons: string[] = [];
    let score = self[field] ?? 0.7;
    reasons.push(self[field] !== undefined ? `reader confidence ${self[field].toFixed(2)}` : 'reader gave no confidence (0.70 assumed)');

    // Shape evidence (a catalog-number pattern, a standard pack size) may lift only a value that is printed.
    let printed = !haveOcr;
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
      } else {
        score = Math.min(score, 0.5);
        reasons.push('not found in OCR text');
      }
    }

    switch (field) {
      case 'casNumber': {
        const cas = value as string;
        if (!isValidCas(cas)) {
          score = 0;
          reasons.push('fails the CAS check digit');
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
        } else {
          score = Math.min(score, 0.7);
          reasons.push(byCas ? `not a catalog name of CAS ${byCas.cas} (${byCas.name})` : 'not in the catalog');
        }
        break;
      }
      case 'productNameKo': {
        const ko = normalizeName(value as string);
        if (entry && [entry.nameKo, ...(entry.synonymsKo ?? [])].some((n) => n && normalizeName(n) === ko)) {
          score = Math.max(score, 0.95);
          reasons.push('Korean name agrees with the catalog');
        } else if (entry?.nameKo) {
          score = Math.min(score, 0.6);
          reasons.push(`catalog Korean name is ${entry.nameKo}`);
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
          } else {
            score = Math.min(score, 0.4);
            reasons.push(`${entry ? 'catalog' : 'formula'} M.W. is ${reference.toFixed(2)}`);
          }
        }
        break;
      }
      case 'catalogNumber': {
        const maker = fields.manufacturer ? catalog.manufacturers.find((m) => m.name === fields.manufacturer) : undefined;
        const fits = maker?.catalogPatterns.some((p) => new RegExp(`^(?:${p})$`, 'i').test(String(value).replace(/\s+/g, '')));
        // The shape says which positions are letters and digits, not that the digits are right (P3401 for P8401
        // fits as well), so it lifts the reader's confidence only to the threshold's neighbourhood, no further.
        if (fits) {
          if (printed) score = Math.max(score, 0.9);
          reasons.push(`has the shape of a ${maker!.name} catalog number`);
        } else if (maker?.catalogPatterns.length) {
          score = Math.min(score, 0.8);
          reasons.push(`does not have the shape of a ${maker.name} catalog number`);
        }
        break;
      }
      case 'quantity': {
        const q = value as { value: number; unit: string };
        // A lost decimal point turns one standard pack into another (2.5 L → 25 L): when the printed token is
        // wider than its characters, a character is probably missing and the pack size is no evidence.
        const lost = input.ocrLines.some((l) => lostCharacter(l, q));
        if (lost) {
          score = Math.min(score, 0.7);
          reasons.push('printed wider than the characters read: a decimal point may be lost');
        } else if (STANDARD_PACKS[q.unit]?.includes(q.value)) {
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
        }
        break;
      }
      default:
        break;
    }
    confidence[field] = { score: round(score), reasons };
  }

  // Nearly every label prints these; a record without them is more likely a misread than a bare label.
  if (!fields.manufacturer) reviewReasons.push('No manufacturer was read.');
  if (!fields.quantity) reviewReasons.push('No quantity was read.');
  if (!fields.productName) reviewReasons.push('No product name was read.');
  if (!fields.casNumber) reviewReasons.push('No CAS number was read.');
  if (fields.casNumber && !byCas) reviewReasons.push(`CAS ${fields.casNumber} is not in the catalog (a new product?).`);
  if (fields.casNumber && byCas && byName && byCas.cas !== byName.cas) {
    reviewReasons.push(`Name and CAS disagree: "${fields.productName}" is ${byName.cas} in the catalog, but the label reads ${fields.casNumber}.`);
  }
  if (haveOcr) {
    const rawText = input.ocrLines.map((l) => l.text).join('\n');
    for (const [field, re] of Object.entries(FIELD_KEYWORDS) as [FieldName, RegExp][]) {
      if (fields[field] === undefined && re.test(rawText)) reviewReasons.push(`The label mentions ${field} but no value was read.`);
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
