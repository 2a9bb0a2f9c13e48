/**
 * Rule-based label reading: keys and their values by text and geometry, value grammars for unkeyed fields,
 * and the reagent catalog as a cross-check. The catalog is the source of a field only as a `proposed` value —
 * the CAS or Korean name of the product the label names, when OCR read none — which the scorer keeps in review.
 */
import type { Catalog, CatalogEntry, Manufacturer, NameWords } from '../../shared/catalog';
import type { FieldName, LabelFields, OcrLine } from '../../shared/contract';
import { isValidCas } from '../../shared/cas';
import { codeText, editDistance } from '../../shared/text';
import { formulaNotCode, formulasEquivalent, normalizeFormula } from '../../shared/formula';
import { findKeys, type KeyField, type KeyHit } from './keys';
import { below, evidenceOf, isInjection, rightOf, toLines, type Line } from './layout';
import { findGrade, nearGrade } from './grades';
import { formulaShape, readFormula } from './formula-ocr';
import { fitsPatterns, repairToPattern } from './code-repair';
import {
  casFromDigits,
  findCasCandidates,
  findNumber,
  findPurities,
  findQuantities,
  repairLoneQuantity,
  firstCode,
  hangulShare,
  hasHangul,
  looksLikeStandaloneFormula,
  parseDate,
  weightOf,
  type CasCandidate,
} from './values';

export interface Found<T> {
  value: T;
  confidence: number;
  evidence: string;
  /** Not read: proposed from the catalog for the product the label names (see ReaderResult.proposed). */
  proposed?: boolean;
}

export type Extraction = { [K in FieldName]?: Found<NonNullable<LabelFields[K]>> };

export interface ExtractResult {
  fields: Extraction;
  noLabelFound: boolean;
}

interface KeyedValue {
  field: KeyField;
  text: string;
  line: Line;
  keyLine: Line;
  key: KeyHit;
  where: 'same line' | 'right' | 'below';
}

const clamp = (x: number) => Math.max(0, Math.min(0.99, Math.round(x * 100) / 100));

/** Confidence from OCR confidence (0..100) and how the value was located. */
/** Gram pack sizes reagents are sold in (a large lone "2509" is 250 g, not a number). */
const GRAM_PACKS = [1, 5, 10, 25, 50, 100, 125, 250, 500];
/** Litre and millilitre pack sizes (a large lone "11" is "1 l", but "100"/"250" read alone are not litres). */
const LITRE_PACKS = [1, 2, 2.5, 4, 5];
const ML_PACKS = [1, 5, 10, 25, 50, 100, 250, 500, 1000];

function conf(line: Line, factor: number): number {
  return clamp((0.55 + 0.45 * Math.min(1, line.conf / 95)) * factor);
}

export function extractFields(ocr: OcrLine[], catalog: Catalog, now: Date = new Date()): ExtractResult {
  const lines = toLines(ocr).filter((l) => !isInjection(l.text));
  const fields: Extraction = {};
  if (lines.length === 0) return { fields, noLabelFound: true };

  const allText = lines.map((l) => l.text).join('\n');
  const keyed = collectKeyedValues(lines);
  const keyLines = new Set(keyed.map((k) => k.keyLine));
  const valueLines = new Set(keyed.map((k) => k.line));

  // --- CAS -------------------------------------------------------------------------------------------------
  const casCands: { c: CasCandidate; line: Line; keyed: boolean }[] = [];
  for (const kv of keyed.filter((k) => k.field === 'casNumber')) {
    const c = findCasCandidates(kv.text)[0] ?? casFromDigits(kv.text);
    if (c) casCands.push({ c, line: kv.line, keyed: true });
  }
  for (const line of lines) for (const c of findCasCandidates(line.text)) casCands.push({ c, line, keyed: false });
  // Last resort: a digits-and-dashes token with its dashes misplaced or lost (`10034-852`) that, dashed as a CAS,
  // passes the check digit and is a catalog CAS.
  for (const line of lines) {
    for (const tok of line.text.split(/\s+/)) {
      const c = /^\d[\d-]{4,12}\d$/.test(tok) && tok.includes('-') ? casFromDigits(tok) : undefined;
      if (c && catalog.byCas(c.cas) && !casCands.some((x) => x.c.cas === c.cas)) casCands.push({ c, line, keyed: false });
    }
  }

  // --- Manufacturer ----------------------------------------------------------------------------------------
  let mfr = catalog.findManufacturer(allText);
  if (mfr) {
    const found = mfr;
    const line = lines.find((l) => catalog.findManufacturer(l.text)?.manufacturer === found.manufacturer) ?? lines[0];
    fields.manufacturer = { value: mfr.manufacturer.name, confidence: conf(line, 0.97), evidence: evidenceOf(line, `matches "${mfr.matched}"`) };
  } else {
    const byCode = manufacturerByCatalogShape(lines, catalog);
    if (byCode) {
      mfr = { manufacturer: byCode.manufacturer, matched: byCode.token };
      fields.manufacturer = { value: byCode.manufacturer.name, confidence: conf(byCode.line, 0.7), evidence: evidenceOf(byCode.line, byCode.note) };
    }
  }

  // --- Product name (needs the CAS for catalog agreement) ----------------------------------------------------
  const validCas = casCands.filter((x) => x.c.valid);
  const bestCas = validCas.find((x) => x.keyed) ?? validCas[0];
  const casEntry = bestCas ? catalog.byCas(bestCas.c.cas) : undefined;
  const unknownCas = bestCas && !casEntry ? bestCas.c.cas : undefined;
  const name = findProductName(lines, catalog, casEntry, keyLines, valueLines, unknownCas);

  // CAS: keyed+valid first, then any valid; otherwise a catalog repair backed by the printed name.
  if (bestCas) {
    let note = bestCas.keyed ? 'after CAS key, check digit ok' : 'CAS pattern, check digit ok';
    let f = bestCas.keyed ? 0.99 : 0.9;
    if (bestCas.c.repaired) {
      note += ', OCR lookalikes read as digits';
      f *= 0.9;
    }
    if (casEntry && name?.entry === casEntry) {
      note += `, catalog agrees with name "${name.value}"`;
      f = Math.max(f, 0.99);
    }
    fields.casNumber = { value: bestCas.c.cas, confidence: conf(bestCas.line, f), evidence: evidenceOf(bestCas.line, note) };
  } else {
    const invalid = casCands.filter((x) => !x.c.valid).sort((a, b) => Number(b.keyed) - Number(a.keyed));
    for (const x of invalid) {
      const neighbours = catalog.casNeighbours(x.c.cas);
      const printedNameEntries = neighbours.filter((e) => nameEvidence(e, lines, catalog));
      if (printedNameEntries.length === 1) {
        const e = printedNameEntries[0];
        fields.casNumber = {
          value: e.cas,
          confidence: conf(x.line, 0.8),
          evidence: evidenceOf(x.line, `read "${x.c.cas}" fails the check digit; repaired to ${e.cas}, the catalog CAS of "${e.name}" printed on the label`),
        };
        break;
      }
    }
  }
  // A character glued in front of the CAS (`C5110-71-4` for `CAS 110-71-4`) can still pass the check digit: a read
  // CAS the catalog does not know that ends with the CAS of the product named on the label is that CAS.
  const tail = name?.entry?.cas;
  if (fields.casNumber && tail && !catalog.byCas(fields.casNumber.value) && fields.casNumber.value.replace(/-/g, '').endsWith(tail.replace(/-/g, '')) && fields.casNumber.value !== tail) {
    const read = fields.casNumber.value;
    fields.casNumber = { value: tail, confidence: Math.min(fields.casNumber.confidence, 0.8), evidence: `${fields.casNumber.evidence}; read "${read}", whose tail is the catalog CAS of "${name!.value}" printed on the label` };
  }
  let finalCasEntry = fields.casNumber ? catalog.byCas(fields.casNumber.value) : undefined;
  const nameFinal = finalCasEntry && name?.entry !== finalCasEntry ? findProductName(lines, catalog, finalCasEntry, keyLines, valueLines) ?? name : name;
  if (nameFinal) fields.productName = { value: nameFinal.value, confidence: nameFinal.confidence, evidence: nameFinal.evidence };
  // No CAS read, but the printed name identifies a catalog product. Every reagent label prints its CAS, so the
  // product's catalog CAS is proposed — inside a glued token it is printed (`C5110-71-4`); otherwise it is not read
  // at all and is only a proposal for the reviewer (the scorer keeps an unprinted CAS below any threshold).
  if (!fields.casNumber && nameFinal?.entry) {
    const e = nameFinal.entry;
    const glued = lines.find((l) => l.text.includes(e.cas));
    fields.casNumber = glued
      ? { value: e.cas, confidence: conf(glued, 0.8), evidence: evidenceOf(glued, `the catalog CAS of "${nameFinal.value}", printed inside "${glued.text}"`) }
      : { value: e.cas, confidence: 0.45, evidence: `not read on the label: the catalog CAS of "${nameFinal.value}", the product named on it (check it against the bottle)`, proposed: true };
    finalCasEntry = e;
  }

  // A maker the catalog does not know: named as the label prints it, for the reviewer to confirm (and to add).
  if (!fields.manufacturer) {
    const maker = findUnknownMaker(lines, new Set([...keyLines, ...valueLines, ...(nameFinal ? [nameFinal.line] : [])]));
    if (maker) fields.manufacturer = maker;
  }

  // --- Korean name ---------------------------------------------------------------------------------------------
  const ko = findKoreanName(lines, catalog, finalCasEntry ?? nameFinal?.entry, nameFinal?.line, keyLines);
  if (ko) fields.productNameKo = ko;
  // A Korean label (a Korean maker, or confident Hangul text) prints the Korean name of its product. When none was
  // read — or only a fragment that is not the identified product's name — the catalog's is proposed.
  const koEntry = finalCasEntry ?? nameFinal?.entry;
  const hangulRead = lines.filter((l) => l.conf >= 80).reduce((n, l) => n + (l.text.match(/[\uAC00-\uD7A3]/g) ?? []).length, 0);
  const koreanLabel = mfr?.manufacturer.country === 'KR' || hangulRead >= 6;
  if (koEntry?.nameKo && !koreanLabel && ko && ![koEntry.nameKo, ...(koEntry.synonymsKo ?? [])].includes(ko.value)) {
    // Hangul that is not the identified product's Korean name, on a label that is not Korean: OCR noise.
    delete fields.productNameKo;
  }
  if (koEntry?.nameKo && koreanLabel) {
    const names = [koEntry.nameKo, ...(koEntry.synonymsKo ?? [])];
    // (a raw reading below OCR ~90 or much shorter than the catalog name is taken for a fragment)
    const fragment = ko && !names.includes(ko.value) && (ko.confidence < 0.74 || ko.value.replace(/\s/g, '').length < 0.7 * koEntry.nameKo.replace(/\s/g, '').length);
    if (!ko || fragment) {
      const read = ko ? `; read only "${ko.value}"` : '';
      fields.productNameKo = { value: koEntry.nameKo, confidence: 0.4, evidence: `not read on the label${read}: the catalog Korean name of ${koEntry.name}, the product named on it (check it against the bottle)`, proposed: true };
    }
  }

  // --- Keyed simple fields ---------------------------------------------------------------------------------
  const formulaTexts: { text: string; line: Line; keyed: boolean; ev: string }[] = [];
  for (const kv of keyed) {
    const f = kv.where === 'same line' ? 0.97 : 0.93;
    const ev = (note?: string) => (kv.line === kv.keyLine ? evidenceOf(kv.line, note) : `${evidenceOf(kv.keyLine)} → ${evidenceOf(kv.line, note)}`);
    switch (kv.field) {
      case 'catalogNumber': {
        const c = firstCode(kv.text);
        if (c && /\d/.test(c.value) && !fields.catalogNumber && !isValidCas(c.value)) {
          const fix = repairToPattern(c.value, mfr?.manufacturer.catalogPatterns ?? [], 2, nameInitials(name?.entry));
          fields.catalogNumber = fix
            ? { value: fix.value, confidence: conf(kv.line, f * 0.9), evidence: ev(`read "${c.value}"; ${fix.changes.join(', ')} is the only lookalike reading with the shape of a ${mfr!.manufacturer.name} catalog number`) }
            : { value: c.value, confidence: conf(kv.line, f), evidence: ev() };
        }
        break;
      }
      case 'lotNumber': {
        const c = firstCode(kv.text);
        if (c && !fields.lotNumber && !/^\d{2,7}-\d{2}-\d$/.test(c.value) && (/\d/.test(c.value) || /^[A-Z]{4,}$/i.test(c.value))) {
          // (a CAS-number shape under a lot key is the next column's value in a table, not a lot)
          // Letters alone are a lot when printed in capitals on the key's own line (TCI's `LOT LUPZQ`); elsewhere
          // they may be a word of the next column.
          const code = /\d/.test(c.value) || (kv.where === 'same line' && /^[A-Z]{4,8}$/.test(c.value));
          const lot = tidyLot(c.value);
          // A lot that fails the maker's well-known lot shape, with one look-alike reading that fits (`SHBAS964`).
          const fix = repairToPattern(lot, mfr?.manufacturer.lotPatterns ?? [], 1);
          fields.lotNumber = fix
            ? { value: fix.value, confidence: conf(kv.line, f * 0.85), evidence: ev(`read "${lot}"; ${fix.changes.join(', ')} is the only look-alike reading with the shape of a ${mfr!.manufacturer.name} lot`) }
            : { value: lot, confidence: conf(kv.line, f * (code ? 1 : 0.85)), evidence: ev() };
        }
        break;
      }
      case 'purity': {
        const p = findPurities(kv.text)[0];
        if (p && !fields.purity) fields.purity = { value: p.value, confidence: conf(kv.line, f), evidence: ev() };
        break;
      }
      case 'quantity': {
        const q = findQuantities(kv.text)[0];
        if (q && !fields.quantity) fields.quantity = { value: q.value, confidence: conf(kv.line, f), evidence: ev() };
        // A pack size alone under its key, with a stray mark before it (`t1L`) or its 1 read as I/l/| (`IL`).
        const fixed = !q && !fields.quantity ? repairLoneQuantity(kv.text) : undefined;
        if (fixed) {
          const v = fixed.value;
          fields.quantity = { value: v, confidence: conf(kv.line, f * 0.6), evidence: ev(`read "${fixed.raw}" as ${v.value} ${v.unit}: a stray mark or a 1 read as a letter`) };
        }
        break;
      }
      case 'molecularWeight': {
        const n = findNumber(kv.text);
        if (n && n.value >= 1 && n.value < 5000 && !fields.molecularWeight) fields.molecularWeight = { value: n.value, confidence: conf(kv.line, f * 0.95), evidence: ev() };
        break;
      }
      case 'formula':
        formulaTexts.push({ text: kv.text, line: kv.line, keyed: true, ev: ev() });
        break;
      case 'grade': {
        const g = findGrade(kv.text);
        const v = g?.value ?? kv.text.split(/[,;]/)[0].trim();
        // An unknown grade word is taken as printed, but no code with digits (`UT9770-071` is the next row's value).
        if (v && !fields.grade && v.length <= 40 && (g || !/\d/.test(v))) fields.grade = { value: v, confidence: conf(kv.line, g ? f : 0.7), evidence: ev() };
        break;
      }
      case 'expiryDate': {
        const d = parseDate(kv.text);
        if (d && !fields.expiryDate) fields.expiryDate = { value: d.value, confidence: conf(kv.line, f), evidence: ev() };
        break;
      }
      default:
        break;
    }
  }

  // --- Unkeyed fallbacks -----------------------------------------------------------------------------------
  const prose = (l: Line) => l.text.split(' ').length > 9;
  // The label's body-text height (median line height): large type is measured against it.
  const heights = lines.map((l) => l.h).sort((a, b) => a - b);
  const body = heights[Math.floor(heights.length / 2)] ?? 0;
  if (!fields.quantity) {
    const qs = lines
      .filter((l) => !prose(l) && !findKeys(l.text).some((k) => k.fields.includes('molecularWeight')))
      .flatMap((l) => findQuantities(l.text).map((q) => ({ q, l })))
      .sort((a, b) => b.l.h - a.l.h);
    if (qs[0]) fields.quantity = { value: qs[0].q.value, confidence: conf(qs[0].l, 0.85), evidence: evidenceOf(qs[0].l, 'number with unit') };
  }
  if (!fields.quantity) {
    // A pack size glued to the end of a garbled key (`PSa250g` for "Pack Size 250 g"): a standard pack only, at
    // the end of a short line, after a few letters and nothing else.
    for (const l of lines) {
      const m = /^([A-Za-z]{1,4}[.:]?)(\d{1,4}(?:\.\d)?)\s?(mL|ml|L|g|kg)$/.exec(l.text.trim());
      const q = m ? findQuantities(`${m[2]} ${m[3]}`)[0] : undefined;
      const packs = q ? (q.value.unit === 'g' ? GRAM_PACKS : q.value.unit === 'mL' ? ML_PACKS : q.value.unit === 'L' ? LITRE_PACKS : [1, 2.5, 5, 10, 25]) : [];
      if (m && q && packs.includes(q.value.value) && !/^(?:mg|kg|ml|no)$/i.test(m[1])) {
        fields.quantity = { value: q.value, confidence: conf(l, 0.6), evidence: evidenceOf(l, `pack size glued to "${m[1]}" (a key misread?)`) };
        break;
      }
    }
  }
  if (!fields.quantity) {
    // A pack size in large type printed alone ("250g" in a box, "100 g" beside the hazard pictograms): tesseract
    // reads the big "g" as 9, q or 0 ("2509", "100 0"). Taken only when the line is that one token, in type
    // larger than the body text, and the number is a pack size grams are sold in.
    // (bars of a barcode read as `|`, `I` and `11` in one tall row are no pack size)
    const barRow = (l: Line) =>
      ocr.some(
        (o) =>
          Math.abs(o.box.top + o.box.height / 2 - l.cy) < 0.3 * l.h &&
          Math.abs(o.box.height - l.h) < 0.2 * l.h &&
          Math.max(o.box.left - l.right, l.left - (o.box.left + o.box.width)) < 1.5 * l.h &&
          /\|/.test(o.text) &&
          /^[|Il1!\[\]\s]+$/.test(o.text.trim()),
      );
    for (const l of [...lines].sort((a, b) => b.h - a.h)) {
      if (l.h < body * 1.25) break;
      if (barRow(l)) continue;
      const m = /^(\d{1,3})(?:([9q])|\s([9q0]))$/.exec(l.text.trim());
      if (m && GRAM_PACKS.includes(Number(m[1]))) {
        fields.quantity = { value: { value: Number(m[1]), unit: 'g' }, confidence: conf(l, 0.6), evidence: evidenceOf(l, `large-type pack size, '${m[2] ?? m[3]}' read as 'g'`) };
        break;
      }
      // A one-litre pack in large type with its 1 read as a letter or bar (`IL`, `|L`, beside the catalog number).
      if (/^[Il|]\s?L$/.test(l.text.trim())) {
        fields.quantity = { value: { value: 1, unit: 'L' }, confidence: conf(l, 0.55), evidence: evidenceOf(l, `large-type pack size, read "${l.text.trim()}" as 1 L`) };
        break;
      }
      // A litre pack printed with a lower-case "l" ("1 l", "2.5 l") read as a digit or bar ("11", "2.5|"): only
      // when the whole token is no pack size itself and the number before it is one litres are sold in.
      const lm = /^(\d{1,2}(?:[.,]\d)?)\s?([1Il|])$/.exec(l.text.trim());
      const whole = Number(l.text.trim().replace(/\s/g, '').replace(/[Il|]$/, '1'));
      if (lm && LITRE_PACKS.includes(Number(lm[1].replace(',', '.'))) && !GRAM_PACKS.includes(whole) && !ML_PACKS.includes(whole)) {
        fields.quantity = { value: { value: Number(lm[1].replace(',', '.')), unit: 'L' }, confidence: conf(l, 0.55), evidence: evidenceOf(l, `large-type pack size, '${lm[2]}' read as 'l'`) };
        break;
      }
    }
  }
  if (!fields.quantity) {
    // The same `IL` in type no larger than the body text (a pack-size box beside the catalog number): nothing else
    // on a label is a lone I or l followed by a unit. (The scorer lifts it to the threshold only when read at 90+.)
    const l = lines.find((x) => /^[Il|]\s?(?:L|kg)$/.test(x.text.trim()) && x.h >= body && x.conf >= 80);
    if (l) {
      const unit = /kg$/.test(l.text.trim()) ? 'kg' : 'L';
      fields.quantity = { value: { value: 1, unit }, confidence: conf(l, 0.55), evidence: evidenceOf(l, `pack size, read "${l.text.trim()}" as 1 ${unit}`) };
    }
  }
  if (!fields.expiryDate) {
    // A date printed without a readable key that is still to come cannot be a manufacturing date: when the label
    // has exactly one such date, it is the expiry (or a retest date, hence the low confidence).
    const today = now.toISOString().slice(0, 10);
    const future = lines
      .filter((l) => !keyLines.has(l) && !findKeys(l.text).some((k) => k.fields.includes('ignore')))
      .map((l) => ({ l, d: parseDate(l.text) }))
      .filter((x): x is { l: Line; d: NonNullable<ReturnType<typeof parseDate>> } => !!x.d && x.d.value.length === 10 && x.d.value > today);
    const distinct = new Set(future.map((x) => x.d.value));
    if (distinct.size === 1) fields.expiryDate = { value: future[0].d.value, confidence: conf(future[0].l, 0.55), evidence: evidenceOf(future[0].l, `the one date on the label still to come (after ${today}), its key not read`) };
  }
  if (!fields.molecularWeight) {
    for (const l of lines) {
      const m = /(\d{1,4}[.,]\d{1,3})\s*g\s*\/\s*mol/i.exec(l.text);
      if (m) {
        fields.molecularWeight = { value: Number(m[1].replace(',', '.')), confidence: conf(l, 0.9), evidence: evidenceOf(l, 'g/mol') };
        break;
      }
    }
  }
  // The identified product's M.W. printed as a number of its own (its key unread): printed and catalog-confirmed.
  const mwEntry = finalCasEntry ?? nameFinal?.entry;
  if (!fields.molecularWeight && mwEntry?.molecularWeight) {
    const want = mwEntry.molecularWeight.toFixed(2);
    const l = lines.find((x) => new RegExp(`(?<![\\d.])${want.replace('.', '\\.')}(?![\\d])`).test(x.text));
    if (l) fields.molecularWeight = { value: Number(want), confidence: conf(l, 0.8), evidence: evidenceOf(l, `the catalog M.W. of ${mwEntry.name}, printed without a readable key`) };
  }
  if (!fields.grade) {
    const hits = lines
      .filter((l) => !prose(l) && l !== nameFinal?.line && l !== nameFinal?.next)
      // "(GC)", "(HPLC)" after a purity name the assay method, not the grade.
      .map((l) => ({ l, g: findGrade(findPurities(l.text).reduce((t, p) => t.replace(p.raw, ' '), l.text)) }))
      .filter((x): x is { l: Line; g: NonNullable<ReturnType<typeof findGrade>> } => !!x.g)
      .sort((a, b) => b.g.value.length - a.g.value.length);
    if (hits[0]) fields.grade = { value: hits[0].g.value, confidence: conf(hits[0].l, 0.85), evidence: evidenceOf(hits[0].l, 'grade vocabulary') };
  }
  if (!fields.grade) {
    for (const l of lines) {
      const g = l.conf >= 70 && !keyLines.has(l) && l !== nameFinal?.line && l !== nameFinal?.next ? nearGrade(l.text) : undefined;
      if (g) {
        fields.grade = { value: g, confidence: conf(l, 0.6), evidence: evidenceOf(l, `the grade "${g}" with one character misread`) };
        break;
      }
    }
  }
  if (!fields.purity) {
    // A purity printed without a key sits in a short line near the name ("puriss. p.a., 99.8% min.").
    const near = lines.filter((l) => !prose(l) && !keyLines.has(l) && (!nameFinal || Math.abs(l.cy - nameFinal.line.cy) < 6 * nameFinal.line.h));
    for (const l of near) {
      const p = findPurities(l.text)[0];
      if (p) {
        fields.purity = { value: p.value, confidence: conf(l, 0.8), evidence: evidenceOf(l, 'percentage near the name') };
        break;
      }
    }
  }
  if (!fields.purity) {
    // Farther down, a line that is one purity expression and nothing else: the value of a key the OCR did not
    // read (a table with its Korean keys lost), or garbled into letters before a colon (`새요: 98.0-102.0%` for a
    // Japanese `含量：`). Only one such line; lower confidence, as no key names it.
    const valuePart = (t: string) => {
      const m = /^([^\d:：,]{1,8})[:：,](.*)$/.exec(t);
      return m ? m[2] : t;
    };
    const alone = lines
      .filter((l) => !keyLines.has(l))
      .map((l) => ({ l, v: valuePart(l.text) }))
      .map(({ l, v }) => ({ l, p: findPurities(v).find((p) => p.raw.replace(/\s/g, '').length >= v.replace(/\s/g, '').length - 1) }))
      .filter((x) => x.p);
    if (alone.length === 1) {
      const { l, p } = alone[0];
      fields.purity = { value: p!.value, confidence: conf(l, 0.7), evidence: evidenceOf(l, 'a line that is only a percentage, its key not read') };
    }
  }
  const entryForChecks = finalCasEntry ?? nameFinal?.entry;
  const catalogForms = entryForChecks ? [entryForChecks.formula, ...(entryForChecks.formulaSynonyms ?? [])] : [];
  if (fields.molecularWeight) repairMolecularWeight(fields.molecularWeight, formulaTexts, catalogForms, entryForChecks);
  {
    for (const l of lines) {
      // (a maker's line is no formula: `Co.,` of "Duksan Pure Chemicals Co., Ltd." filled to C9 by the M.W.)
      if (keyLines.has(l) || valueLines.has(l) || prose(l) || COMPANY_LINE.test(l.text)) continue;
      const tok = l.text.split(/\s+/).find(
        (t) =>
          looksLikeStandaloneFormula(t) ||
          // (a word is no formula: no element symbol has three lower-case letters in a row — `Phosphorus,` of
          // "Phosphorus, red" is not P)
          (/^[A-Z(]/.test(t) && /[A-Z].*[,;¢]/.test(t) && !/[a-z]{3}/.test(t) && t.length >= 3 && readFormula(t, fields.molecularWeight?.value, catalogForms)) ||
          // A formula printed without a key ("HBr" under the name, "((CH3)2CH)2O"): any formula-shaped token
          // whose reading the printed M.W. or the identified product's catalog formula confirms.
          (/^[A-Z(][A-Za-z0-9(),.]+$/.test(t) && /[A-Z].*[A-Z0-9]/.test(t) && formulaConfirmed(readFormula(t, fields.molecularWeight?.value, catalogForms), fields.molecularWeight?.value, catalogForms)),
      );
      if (tok) formulaTexts.push({ text: tok, line: l, keyed: false, ev: evidenceOf(l) });
    }
    const mw = fields.molecularWeight?.value;
    for (const ft of formulaTexts) {
      const r = readFormula(ft.text, mw, catalogForms);
      if (!r) continue;
      const w = weightOf(r.formula);
      const agreesMw = mw !== undefined && w !== undefined && Math.abs(w - mw) < 0.1;
      const agreesCatalog = catalogForms.some((f) => formulasEquivalent(f, r.formula));
      if (!ft.keyed && !agreesMw && !agreesCatalog && !(/C\d*.*H/.test(r.formula) && !/\d{3,}/.test(r.formula))) continue;
      if (/\d{3,}/.test(r.formula)) continue;
      const lookalike = r.read ? `read as "${r.read.replace(/~/g, '?')}" (look-alike characters); ` : '';
      const note =
        lookalike +
        (r.how === 'mw'
          ? `${r.slots} unreadable subscript(s) in "${ft.text}" filled to match the printed M.W. ${mw}`
          : r.how === 'catalog'
            ? `OCR "${ft.text}" has the element sequence of catalog formula ${r.formula}`
            : agreesMw
              ? 'formula weight agrees with M.W.'
              : agreesCatalog
                ? 'agrees with catalog'
                : ft.keyed
                  ? 'after formula key'
                  : 'formula-shaped token');
      // A formula read as printed whose weight is not the printed M.W. has most likely lost a subscript.
      const exactFactor = agreesMw || agreesCatalog ? 0.98 : mw !== undefined ? 0.6 : ft.keyed ? 0.9 : 0.75;
      const factor = (r.how === 'exact' ? exactFactor : r.how === 'mw' ? 0.88 : 0.85) * (r.read ? 0.95 : 1);
      fields.formula = { value: r.formula, confidence: conf(ft.line, factor), evidence: ft.ev.replace(/\)?$/, (m) => (ft.ev.endsWith(')') ? `; ${note})` : ` (${note})`)) };
      break;
    }
  }
  if (!fields.formula && catalogForms.length) {
    // The identified product's formula read with one element letter wrong or lost (`CNONa` for CH3ONa,
    // `CX.COOC,H` for CH3COOC2H5): a short line whose letters are one edit from the catalog formula's element
    // sequence. Four letters at least, so one edit cannot reach it from unrelated text; never counted as printed.
    const shapes = catalogForms.map((f) => ({ f, shape: formulaShape(f).replace(/[()]/g, '') })).filter((x) => x.shape.length >= 4);
    for (const l of lines) {
      if (keyLines.has(l) || l === nameFinal?.line || l.text.trim().split(/\s+/).length > 2) continue;
      const letters = l.text.split(/\s+/)[0].replace(/[^A-Za-z]/g, '');
      if ((letters.match(/[A-Z]/g) ?? []).length < 2) continue;
      const hit = shapes.find((x) => editDistance(letters, x.shape) <= 1);
      if (hit) {
        fields.formula = { value: normalizeFormula(hit.f), confidence: conf(l, 0.55), evidence: evidenceOf(l, `one letter from the element sequence of catalog formula ${hit.f} of the identified product`) };
        break;
      }
    }
  }
  // A formula read as the identified product's catalog formula is written with that formula's brackets when the
  // label prints brackets too (`Na2[Fe(CN)5NO]·2H2O`: readings are compared with brackets as parentheses).
  const bracketed = fields.formula && catalogForms.find((f) => /[[\]]/.test(f) && normalizeFormula(f) === fields.formula!.value);
  if (fields.formula && bracketed && lines.some((l) => /\[.*\]/.test(l.text))) fields.formula.value = bracketed;
  if (!fields.catalogNumber) {
    const cat = findUnkeyedCatalogNumber(lines, mfr?.manufacturer.catalogPatterns ?? [], fields, keyLines, valueLines, nameInitials(entryForChecks));
    if (cat) fields.catalogNumber = cat;
  }
  if (!fields.lotNumber) {
    // A lot printed without a readable key (the key lost to glare, small Hangul or katakana): a line that is one
    // letters-and-digits code, 6–12 characters with at least 4 digits and a letter read at OCR >= 60, or 5–12
    // characters with a digit and a letter read at OCR >= 90 (`K6AT1`); no CAS, date, formula or the catalog
    // number — taken only when exactly one line on the label is such a code.
    const used = new Set([fields.catalogNumber?.value, fields.casNumber?.value].filter(Boolean).map((v) => String(v).replace(/[^A-Z0-9]/gi, '').toUpperCase()));
    const codes = lines
      .map((l) => {
        const t = codeText(l.text);
        return { l, t, long: t.length >= 6 && (t.match(/\d/g) ?? []).length >= 4 };
      })
      .filter(({ l, t, long }) => {
        if (keyLines.has(l) || !/^[A-Z0-9]{5,12}$/.test(t) || !/[A-Z]/.test(t) || !/\d/.test(t)) return false;
        if (l.conf < (long ? 60 : 90)) return false;
        if (used.has(t) || parseDate(t) || findCasCandidates(t).length) return false;
        return !formulaNotCode(t);
      });
    if (codes.length === 1) {
      const { l, t, long } = codes[0];
      // Trusted as a keyed lot only where the label's other code, the catalog number, is accounted for and the code
      // has a lot's shape (6+ characters, 4+ digits, a letter) read crisply; 87 of 87 unkeyed lots on the devset
      // and the twelve synthetic sets were right, but those labels all print a lot.
      const lotShaped = fields.catalogNumber && long && l.conf >= 95;
      fields.lotNumber = {
        value: t,
        confidence: conf(l, lotShaped ? 0.92 : 0.6),
        evidence: evidenceOf(l, `the one unkeyed letters-and-digits code on the label${lotShaped ? ' besides the catalog number' : ''}, read as the lot`),
      };
    }
  }

  // Lot codes are printed without I and O, the letters that pass for 1 and 0 (none of the 56 devset lots has one):
  // a letters-and-digits lot read with one is a 1 or 0 misread, as OCR often does in sans-serif type (`NIFH8`).
  const lot = fields.lotNumber;
  if (lot && /\d/.test(lot.value) && /^[A-Z0-9-]+$/.test(lot.value) && /[IO]/.test(lot.value)) {
    const fixed = lot.value.replace(/I/g, '1').replace(/O/g, '0');
    fields.lotNumber = { value: fixed, confidence: Math.min(lot.confidence, 0.8), evidence: `${lot.evidence}; read "${lot.value}": lots print no I or O, so they are a 1 and a 0` };
  }

  // --- Cross-checks ----------------------------------------------------------------------------------------
  const entry = finalCasEntry;
  if (entry && fields.molecularWeight) {
    if (Math.abs(entry.molecularWeight - fields.molecularWeight.value) <= 0.05) {
      fields.molecularWeight.confidence = Math.max(fields.molecularWeight.confidence, 0.97);
      fields.molecularWeight.evidence += `, agrees with catalog ${entry.molecularWeight}`;
    } else {
      fields.molecularWeight.confidence = clamp(fields.molecularWeight.confidence * 0.7);
      fields.molecularWeight.evidence += `, catalog says ${entry.molecularWeight}`;
    }
  }
  if (fields.formula && fields.molecularWeight) {
    const w = weightOf(fields.formula.value);
    if (w !== undefined && Math.abs(w - fields.molecularWeight.value) < 0.3) {
      fields.formula.confidence = Math.max(fields.formula.confidence, 0.95);
      fields.molecularWeight.confidence = Math.max(fields.molecularWeight.confidence, 0.95);
    }
  }

  const substantive = (['casNumber', 'catalogNumber', 'lotNumber', 'quantity', 'purity', 'molecularWeight', 'formula', 'manufacturer'] as const).some((k) => fields[k]);
  const noLabelFound = !substantive && !(nameFinal?.entry);
  if (noLabelFound) return { fields: {}, noLabelFound: true };
  return { fields, noLabelFound: false };
}

/**
 * No maker's name was read (cut off, glare): a code in a catalog-number shape with punctuation that exactly one
 * manufacturer uses (`1.02288.0250` is Merck's, `5209-7110` Daejung's) names the maker, at most one lookalike
 * character repaired (`1.O5588.0100`). Shapes without punctuation (`A1234`, `123456`) are shared by several makers
 * and by lots, so they name nobody.
 */
function manufacturerByCatalogShape(lines: Line[], catalog: Catalog): { manufacturer: Manufacturer; token: string; line: Line; note: string } | undefined {
  const distinctive = catalog.manufacturers.map((m) => ({ m, patterns: m.catalogPatterns.filter((p) => /[.\-/]/.test(p.replace(/\\[dDsSwW]/g, ''))) })).filter((x) => x.patterns.length);
  const hits = new Map<Manufacturer, { token: string; line: Line; note: string }>();
  for (const line of lines) {
    for (const raw of line.text.split(/\s+/)) {
      const token = raw.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
      if (token.length < 6 || !/[.\-/]/.test(token) || findCasCandidates(token).length || parseDate(token)) continue;
      const exact = distinctive.filter((x) => fitsPatterns(token, x.patterns));
      const repaired = exact.length ? [] : distinctive.map((x) => ({ x, fix: repairToPattern(token, x.patterns, 1) })).filter((r) => r.fix);
      const who = exact.length ? exact.map((x) => ({ x, note: `"${token}" has the shape of a ${x.m.name} catalog number` })) : repaired.map((r) => ({ x: r.x, note: `"${token}" read as "${r.fix!.value}" (${r.fix!.changes.join(', ')}), the shape of a ${r.x.m.name} catalog number` }));
      if (who.length === 1 && !hits.has(who[0].x.m)) hits.set(who[0].x.m, { token, line, note: `${who[0].note}; the maker's name was not read` });
    }
  }
  if (hits.size !== 1) return undefined;
  const [[manufacturer, hit]] = [...hits];
  return { manufacturer, ...hit };
}

function formulaConfirmed(r: ReturnType<typeof readFormula>, mw: number | undefined, catalogForms: string[]): boolean {
  if (!r || /\d{3,}/.test(r.formula)) return false;
  const w = weightOf(r.formula);
  return catalogForms.some((f) => formulasEquivalent(f, r.formula)) || (mw !== undefined && w !== undefined && Math.abs(w - mw) < 0.06);
}

/**
 * A M.W. one stray leading "1" too long (a table rule read as a digit: "1127.91") is repaired when the formula
 * weight or the catalog says the shorter number.
 */
function repairMolecularWeight(mw: Found<number>, formulaTexts: { text: string }[], catalogForms: string[], entry: CatalogEntry | undefined): void {
  const refs: number[] = [];
  if (entry) refs.push(entry.molecularWeight);
  for (const ft of formulaTexts) {
    const r = readFormula(ft.text, undefined, catalogForms);
    const w = r ? weightOf(r.formula) : undefined;
    if (w !== undefined) refs.push(w);
  }
  if (refs.some((w) => Math.abs(w - mw.value) <= 0.06)) return;
  const s = String(mw.value);
  for (const alt of [s.replace(/^1/, ''), s.replace(/^7/, '')]) {
    const v = Number(alt);
    if (alt !== s && v > 0 && refs.some((w) => Math.abs(w - v) <= 0.06)) {
      mw.evidence += `; read ${s}, a stray leading digit removed to agree with the formula weight`;
      mw.value = v;
      mw.confidence = clamp(mw.confidence * 0.9);
      return;
    }
  }
}

/** A line naming a company (`… Co., Ltd.`, `GmbH`, `株式会社`, `(주)`). */
const COMPANY_LINE = /\b(?:co\.?,?\s*ltd|ltd\.?|inc\.?|gmbh|corporation|corp\.|chemicals?|industries)(?![A-Za-z])|株式会社|\(주\)/i;

/** A company's legal form at the end of its name (`Co., Ltd.`, `Inc.`, `GmbH`, `株式会社`, `(주)`). */
const LEGAL_FORM = /[\s,.·]*(?:co\.?,?\s*ltd\.?|co\.?,?\s*inc\.?|ltd\.?|inc\.?|gmbh(?:\s*&\s*co\.?\s*kg)?|kgaa|corporation|corp\.?|llc|株式会社|\(주\)|주식회사)\s*$/i;

/** Words of the safety and storage sentences on a label (no product name, no company line is one of them). */
const SAFETY_WORDS = 'danger|warning|caution|store|keep|read|protect|avoid|wear|flammable|toxic|corrosive|irritant|harmful';

/** A safety or storage sentence, which may name a company's products but is no company line. */
const SAFETY_PROSE = new RegExp(String.raw`\b(?:${SAFETY_WORDS}|use)\b`, 'i');

/** `SIGMA-ALDRICH` → `Sigma-Aldrich`; short acronyms (`TCI`) and mixed case stay as printed. */
function brandCase(text: string): string {
  return /[a-z]/.test(text) ? text : text.replace(/[A-Z]{4,}/g, (w) => w[0] + w.slice(1).toLowerCase());
}

/**
 * A maker the catalog does not know, read off the label: the brand a company line starts with, where a larger
 * line prints that brand alone (its logo: `SAMCHUN` over `SAMCHUN PURE CHEMICAL CO., LTD.`); else the first
 * short company line without its legal form (`Kanto Chemical` of `KANTO CHEMICAL CO., INC.`).
 */
function findUnknownMaker(lines: Line[], exclude: Set<Line>): Found<string> | undefined {
  const company = lines
    .filter((l) => !exclude.has(l) && COMPANY_LINE.test(l.text) && /[A-Za-z]{3}/.test(l.text) && l.text.trim().split(/\s+/).length <= 8 && !SAFETY_PROSE.test(l.text))
    .sort((a, b) => a.top - b.top);
  const compact = (t: string) => t.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const c of company) {
    const first = c.text.trim().match(/^[A-Za-z][A-Za-z-]{2,}/)?.[0];
    const logo = first && lines.find((l) => l !== c && !exclude.has(l) && l.h >= 1.2 * c.h && compact(l.text) === compact(first));
    if (logo) {
      return { value: brandCase(logo.text.trim()), confidence: conf(logo, 0.5), evidence: evidenceOf(logo, `also starts the company line "${c.text.trim()}": a maker the catalog does not know`) };
    }
  }
  const c = company[0];
  if (!c) return undefined;
  // (the part of the line that is the company, not its web address; glued words set apart; the trade's
  // descriptors dropped: `Duksan Pure Chemicals` is Duksan, `Daejung Chemicals & Metals` Daejung)
  const part = c.text.split(/\s*[·|]\s*/).find((p) => COMPANY_LINE.test(p)) ?? c.text;
  const name = part
    .replace(/\s*(?:www\.|https?:)\S*/gi, '')
    .replace(/(?<=[a-z])(?=pure|chemical|metals|industr)/gi, ' ')
    .replace(/^[^A-Za-z]+/, '')
    .replace(LEGAL_FORM, '')
    .replace(/\s+(?:pure\s+chemicals?|chemicals?\s*&\s*metals|chemicals)$/i, '')
    .replace(/[\s,.·&]+$/, '')
    .trim();
  if (!/^[A-Za-z][A-Za-z.&' -]{2,40}$/.test(name)) return undefined;
  return { value: brandCase(name), confidence: conf(c, 0.4), evidence: evidenceOf(c, 'company line without its legal form: a maker the catalog does not know') };
}

function tidyLot(v: string): string {
  // Lots are printed in capitals; OCR often lowercases a letter in a capital run ("LuPZQ").
  const letters = v.replace(/[^A-Za-z]/g, '');
  const upper = letters.replace(/[^A-Z]/g, '').length;
  return letters.length > 0 && upper / letters.length >= 0.6 ? v.toUpperCase() : v;
}

/** Keys and their values: rest of the line, else the nearest line to the right, else the line below. */
function collectKeyedValues(lines: Line[]): KeyedValue[] {
  const out: KeyedValue[] = [];
  for (const line of lines) {
    const keys = findKeys(line.text);
    if (keys.length === 0) continue;
    // A key must start the line or follow a separator or CJK text (`克LotNo.`: a Korean key Paddle read as Han);
    // keys inside prose ("the size of") are ignored.
    const usable = keys
      .filter((k, i) => i > 0 || k.start <= 2 || /[\s:;|,\u3400-\u9fff\uac00-\ud7a3]$/.test(line.text.slice(0, k.start)))
      // "Reagent Grade", "HPLC grade": the word is part of a grade printed on the line, not a grade key.
      .filter((k) => !(k.fields.includes('grade') && insideGrade(line.text, k)));
    if (line.text.split(' ').length > 12) continue;
    for (let i = 0; i < usable.length; i++) {
      const k = usable[i];
      const next = usable[i + 1];
      let seg = line.text.slice(k.end, next ? next.start : undefined).replace(/^[\s:：#.)\]|-]+/, '').trim();
      if (!seg) {
        // Adjacent keys of the same field ("제품번호 Code No.") share the value that follows the last one.
        if (next && next.fields.some((f) => k.fields.includes(f))) continue;
      }
      // The value printed on the key's own line names the field of a key that names several (`Content: min. 95.0%`
      // is the purity, not a pack size to be looked for on the lines below).
      const sameLine = seg ? k.fields.find((field) => valueFits(field, seg)) : undefined;
      if (sameLine) {
        out.push({ field: sameLine, text: seg, line, keyLine: line, key: k, where: 'same line' });
        continue;
      }
      for (const field of k.fields) {
        if (seg && next) continue;
        if (next && !seg) {
          // Another key follows on the same line with nothing between: the values are likely below (table header).
        }
        const x = line.left + (line.right - line.left) * (k.start / Math.max(1, line.text.length));
        const candidates = [...(next ? [] : rightOf(line, lines).slice(0, 1)), ...below(line, lines, x).slice(0, 2)];
        let hit = candidates.find((c) => !startsWithKey(c.text) && valueFits(field, c.text));
        if (!hit && !next) {
          // A photographed table bends (perspective, curvature): the value column drifts up or down from its
          // key by more than the row test allows. Take the line whose middle is nearest the key's row, within
          // one line height and a few heights to the right, read with some confidence, when nothing else was found.
          hit = rightOf(line, lines, 6, 1.0)
            .filter((c) => c.conf >= 50 && !startsWithKey(c.text) && valueFits(field, c.text))
            // …and no other key to its left sits nearer its row (that key's value it is).
            .filter((c) => !lines.some((o) => o !== line && o.right <= c.left + o.h && startsWithKey(o.text) && Math.abs(o.cy - c.cy) < Math.abs(line.cy - c.cy)))
            .sort((a, b) => Math.abs(a.cy - line.cy) - Math.abs(b.cy - line.cy))[0];
        }
        if (hit) {
          out.push({ field, text: hit.text, line: hit, keyLine: line, key: k, where: hit.left >= line.right - line.h ? 'right' : 'below' });
          break;
        }
      }
    }
  }
  return out;
}

function insideGrade(text: string, k: KeyHit): boolean {
  const g = findGrade(text);
  return !!g && g.start <= k.start && g.end >= k.end && g.end - g.start > k.end - k.start;
}

function startsWithKey(text: string): boolean {
  const k = findKeys(text)[0];
  return !!k && k.start <= 1;
}

function valueFits(field: KeyField, text: string): boolean {
  switch (field) {
    case 'casNumber':
      return findCasCandidates(text).length > 0 || !!casFromDigits(text);
    case 'catalogNumber':
    case 'lotNumber': {
      // A CAS-number shape beside a lot or code key is the next column's value in a table, not this key's.
      const c = firstCode(text);
      return !!c && c.value.length >= 3 && !/^\d{2,7}-\d{2}-\d$/.test(c.value);
    }
    case 'purity':
      return findPurities(text).length > 0;
    case 'quantity':
      return findQuantities(text).length > 0 || !!repairLoneQuantity(text);
    case 'molecularWeight':
      // (no reagent weighs under 2 g/mol: a lone `1` is a bar or a stray mark, `| 1` under the key)
      return (findNumber(text)?.value ?? 0) >= 2;
    case 'formula':
      // (or a short formula read in lower case: `c` for the C of activated carbon)
      return /[A-Z]/.test(text) || /^[a-z]{1,3}$/.test(text.trim());
    case 'grade':
      return /\p{L}/u.test(text);
    case 'expiryDate':
      return !!parseDate(text);
    default:
      return false;
  }
}

interface NameResult {
  value: string;
  confidence: number;
  evidence: string;
  line: Line;
  /** The second line of a name printed over two (`Sodium acetate` / `anhydrous`): part of the name, no grade. */
  next?: Line;
  entry?: CatalogEntry;
}

/** True when a name or synonym of `e` is printed (exactly or within OCR distance) on the label. */
function nameEvidence(e: CatalogEntry, lines: Line[], catalog: Catalog): boolean {
  return lines.some((l) => catalog.searchName(l.text, 5, 0.8).some((m) => m.entry === e) || catalog.findNamesInText(l.text).some((m) => m.entry === e));
}

const NOT_A_NAME = new RegExp(
  String.raw`\b(?:${SAFETY_WORDS}|co\.?,?\s*ltd|inc\b|gmbh|kgaa|corporation|llc|chemicals?\b.*\b(?:co|ltd|inc|industr)|www\.|\.com|tel\b|fax\b)`,
  'i',
);

/**
 * The product name: the most prominent name-like line, snapped to a catalog name where one matches. `unknownCas` is a
 * printed, valid CAS the catalog does not know: the label is then most likely of a product the catalog lacks, and only
 * a line that *is* a catalog name, whole and exact, names a catalog product. A near match or a name's end is that
 * product's catalog neighbour (`Potassium iodate` for `Potassium iodide`, `2,2'-Bipyridine` for `Pyridine`).
 */
function findProductName(
  lines: Line[],
  catalog: Catalog,
  casEntry: CatalogEntry | undefined,
  keyLines: Set<Line>,
  valueLines: Set<Line>,
  unknownCas?: string,
): NameResult | undefined {
  const top = Math.min(...lines.map((l) => l.top));
  const bottom = Math.max(...lines.map((l) => l.bottom));
  const span = Math.max(1, bottom - top);
  const candidates: { line: Line; text: string; score: number }[] = [];
  for (const line of lines) {
    if (keyLines.has(line) || valueLines.has(line)) continue;
    let text = line.text;
    // Drop a trailing purity or grade printed on the name line ("… dihydrate 99.0-102.0%").
    const p = findPurities(text)[0];
    if (p) text = text.replace(p.raw, ' ');
    text = text.replace(/\s+/g, ' ').replace(/[\s,;:|-]+$/, '').replace(/^[\s,;:|.'"-]+/, '').trim();
    const letters = text.replace(/[^A-Za-z]/g, '').length;
    if (letters < 3 || hangulShare(text) > 0.3) continue;
    if (letters / text.replace(/\s/g, '').length < 0.6) continue;
    if (NOT_A_NAME.test(text) || text.split(' ').length > 7) continue;
    if (catalog.canonicalManufacturer(text) && catalog.findManufacturer(text)?.matched.length! >= text.replace(/[^A-Za-z]/g, '').length * 0.6) continue;
    const g = findGrade(text);
    if (g && g.value.length >= text.length * 0.6) continue;
    const pos = 1 - 0.5 * ((line.top - top) / span);
    const caseFactor = /[a-z]/.test(text) ? 1 : 0.8;
    const confFactor = 0.5 + 0.5 * Math.min(1, line.conf / 90);
    candidates.push({ line, text, score: line.h * pos * caseFactor * confFactor });
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => b.score - a.score);
  // A line that continues another candidate (`acetate trihydrate` right of `Lead(Il)`) is tried after the line it
  // continues, so the name is read from its start rather than matched from its end.
  for (let i = 0; i < candidates.length; i++) {
    const head = candidates.findIndex((h, j) => j > i && continuesName(h.line, candidates[i].line));
    if (head > i) candidates.splice(i, 0, ...candidates.splice(head, 1));
  }

  // A name printed over two lines (or split by a wide gap): the line joined with the next one below it, or to its
  // right on the same row, is tried first — kept only when the join is a catalog name (`Trimethylsilyl` + `chloride`).
  const continuation = (first: Line) => lines.find((l) => l !== first && !keyLines.has(l) && !valueLines.has(l) && continuesName(first, l));
  const joinText = (first: string, next: Line) => `${first} ${nameStart(next.text).replace(/[\s,;:|-]+$/, '')}`.replace(/\s+/g, ' ').trim();
  // With an unknown printed CAS only a whole, exact catalog name counts (see above).
  const whole = (m: { score: number; matched: string }, text: string) => !unknownCas || (m.score >= 0.99 && normalizedLen(m.matched) >= normalizedLen(text) * 0.95);
  const words = catalog.nameWords();
  const chemical = (c: { text: string }) => nameLikeness(c.text, words) === 1 && !findGrade(c.text);
  const nameContinues = (first: Line) => candidates.some((n) => n.line !== first && chemical(n) && continuesName(first, n.line));
  const joined = (c: { line: Line; text: string }) => {
    const next = continuation(c.line);
    if (!next) return undefined;
    const text = joinText(c.text, next);
    const exact = catalog.findNamesInText(text).filter((m) => normalizedLen(m.matched) >= normalizedLen(text) * 0.85 && normalizedLen(m.matched) > normalizedLen(c.text));
    if (exact.length) {
      const m = exact.find((x) => x.entry === casEntry) ?? exact[0];
      return whole(m, text) ? { exact: m, next } : undefined;
    }
    // One OCR slip in the joined name (`lsopropyl` + `alcohol`): a clear, unique near match only.
    const near = catalog.searchName(text, 3, 0.9);
    const top = near[0];
    if (top && top.score >= 0.9 && (near.length === 1 || top.score - near[1].score > 0.05) && normalizedLen(top.matched) > normalizedLen(c.text) && whole(top, text)) return { exact: top, next };
    return undefined;
  };
  // A catalog name matching a prominent line wins; prefer the entry of the printed CAS.
  for (const c of candidates.slice(0, 4)) {
    const two = joined(c);
    if (two) {
      const agree = casEntry === two.exact.entry;
      return {
        value: two.exact.matched,
        confidence: conf(c.line, agree ? 0.99 : 0.9) * Math.min(1, 0.5 + 0.5 * Math.min(1, two.next.conf / 90)),
        evidence: `${evidenceOf(c.line)} + ${evidenceOf(two.next, `catalog name "${two.exact.matched}" printed over two lines${two.exact.score < 1 ? ` (OCR similarity ${two.exact.score.toFixed(2)})` : ''}${agree ? ', agrees with CAS' : ''}`)}`,
        line: c.line,
        next: two.next,
        entry: two.exact.entry,
      };
    }
    const matches = catalog.searchName(c.text, 5, 0.75);
    const exact = catalog.findNamesInText(c.text).filter((m) => normalizedLen(m.matched) >= normalizedLen(c.text) * 0.7);
    const pick = (casEntry && [...exact, ...matches].find((m) => m.entry === casEntry)) || exact[0] || (matches[0] && (matches.length === 1 || matches[0].score - matches[1].score > 0.05) && matches[0].score >= 0.85 ? matches[0] : undefined);
    // (With an unknown CAS, a catalog name continued by another name-like line is the start of a longer name:
    // `Magnesium sulfate` / `heptahydrate`, `Sodium` + `benzoate`.)
    if (pick && whole(pick, c.text) && !(unknownCas && nameContinues(c.line))) {
      const agree = casEntry === pick.entry;
      return {
        value: pick.matched,
        confidence: conf(c.line, agree ? 0.99 : pick.score >= 0.99 ? 0.95 : 0.85),
        evidence: evidenceOf(c.line, `catalog name "${pick.matched}"${pick.score < 1 ? ` (OCR similarity ${pick.score.toFixed(2)})` : ''}${agree ? ', agrees with CAS' : ''}`),
        line: c.line,
        entry: pick.entry,
      };
    }
  }
  // A name whose start is cut off (label edge out of the frame, glare): a clear, unique catalog name it is the end of.
  for (const c of unknownCas ? [] : candidates.slice(0, 4)) {
    const tails = catalog.searchNameTail(c.text, 3, 0.85);
    const top = (casEntry && tails.find((m) => m.entry === casEntry)) || (tails[0] && (tails.length === 1 || tails[0].score - tails[1].score > 0.05) ? tails[0] : undefined);
    if (top) {
      return {
        value: top.matched,
        confidence: conf(c.line, 0.6),
        evidence: evidenceOf(c.line, `the end of catalog name "${top.matched}" (OCR similarity ${top.score.toFixed(2)}): its start was not read`),
        line: c.line,
        entry: top.entry,
      };
    }
  }
  // No catalog name: the most prominent line that reads like a chemical name (a pictogram read as `HHO` does not),
  // with the line continuing it (`Trimethylsilyl` / `chloride`), or the line it continues, where that reads as one too.
  const ranked = candidates.map((c) => ({ c, s: c.score * (0.4 + 0.6 * nameLikeness(c.text, words)) })).sort((a, b) => b.s - a.s);
  let best = ranked[0].c;
  for (let k = 0; k < 2; k++) {
    const b = best;
    const above = chemical(b) ? candidates.find((a) => a !== b && chemical(a) && continuesName(a.line, b.line)) : undefined;
    if (!above) break;
    best = above;
  }
  const parts = [best];
  for (let k = 0; k < 2 && chemical(parts[parts.length - 1]); k++) {
    const last = parts[parts.length - 1];
    const next = candidates.find((n) => !parts.includes(n) && chemical(n) && continuesName(last.line, n.line));
    if (!next) break;
    parts.push(next);
  }
  const unknown = unknownCas ? `; CAS ${unknownCas} is not in the catalog: a product it does not know?` : '';
  const value = repairNameText(parts.map((p) => p.text).join(' '), words);
  const minConf = Math.min(...parts.map((p) => p.line.conf));
  return {
    value,
    confidence: conf(best.line, 0.8) * Math.min(1, 0.5 + 0.5 * Math.min(1, minConf / 90)),
    evidence: parts.length > 1
      ? `${parts.map((p) => evidenceOf(p.line)).join(' + ')} (a name printed over ${parts.length} lines, not in the catalog${unknown})`
      : evidenceOf(best.line, `most prominent name-like line${unknown}`),
    line: best.line,
    next: parts[1]?.line,
  };
}

/**
 * OCR slips in a name read off the label rather than taken from the catalog: `l`/`1` for `I` in a Roman-numeral
 * oxidation state (`Mercury(ll)`), a word-initial `l` for `I` where the catalog's words have the `I` spelling
 * (`lsopropyl`, `lodoacetamide`), and two words glued together (`Potassiumsulfate`) split where the catalog prints
 * the first before a space and the second after one (so `Bromobenzene` stays whole).
 */
export function repairNameText(text: string, words: NameWords): string {
  return romanNumerals(text)
    .replace(/\bl([a-z]{3,})/g, (m, rest: string) => (words.all.has(`i${rest}`) || /^(?:s|d|od)/.test(rest) ? `I${rest}` : m))
    .replace(/(\([IVX]{1,4}\))(?=[a-z]{3})/g, '$1 ')
    .replace(/([a-z]{3,}ic)(acid)\b/gi, '$1 $2')
    .replace(/[A-Za-z]{7,}/g, (w) => {
      const lower = w.toLowerCase();
      if (words.all.has(lower)) return w;
      for (let i = 3; i <= w.length - 3; i++) if (words.leading.has(lower.slice(0, i)) && words.trailing.has(lower.slice(i))) return `${w.slice(0, i)} ${w.slice(i)}`;
      return w;
    });
}

/** An oxidation state read with `l` or `1` for I (`Mercury(ll)`, `망간(11)`) written in Roman numerals. */
function romanNumerals(text: string): string {
  return text.replace(/\(([IVXivxl1]{1,4})\)/g, (_m, r: string) => `(${r.toUpperCase().replace(/[L1]/g, 'I')})`);
}

/** Word endings of chemical names (`-ene`, `-ide`, `-ate`, `-ol`, …), for names the catalog's words do not cover. */
const CHEMICAL_ENDING = /(?:ane|ene|yne|ol|al|one|ide|ate|ite|ine|yl|ium|ic|ous|ose|in|ether|ester|hydrate)$/;

/** Element names that do not end like one (`-ium`, `-ine`, `-ic` are covered by CHEMICAL_ENDING). */
const ELEMENT_NAME = /^(?:hydrogen|aluminum|boron|carbon|nitrogen|oxygen|neon|silicon|phosphorus|sulfur|sulphur|argon|iron|cobalt|nickel|copper|zinc|krypton|molybdenum|silver|tin|antimony|xenon|lanthanum|tantalum|tungsten|platinum|gold|mercury|lead|bismuth)$/;

/** Share of a line's words (3+ letters) that are catalog name words, element names or end like chemical names. */
function nameLikeness(text: string, words: NameWords): number {
  const ws = text
    .toLowerCase()
    .replace(/\([ivxl1]{1,4}\)/g, ' ')
    .split(/[^a-z]+/)
    .filter((w) => w.length >= 3);
  return ws.length ? ws.filter((w) => words.all.has(w) || CHEMICAL_ENDING.test(w) || ELEMENT_NAME.test(w)).length / ws.length : 0;
}

/**
 * True when `l` continues a name begun on `first`: a line of about its height just below it and left-aligned, or to
 * its right on the same row past a wide gap. (Detector boxes are grown around the ink, so the second word's box may
 * start a little inside the first's.)
 */
function continuesName(first: Line, l: Line): boolean {
  return (
    /^[A-Za-z(]/.test(nameStart(l.text)) &&
    Math.abs(l.h - first.h) <= 0.4 * first.h &&
    ((l.top > first.top + 0.5 * first.h && l.top - first.bottom < 0.8 * first.h && Math.abs(l.left - first.left) < 2 * first.h) ||
      (Math.abs(l.cy - first.cy) < 0.3 * first.h && l.left > first.right - 0.8 * first.h && l.left - first.right < 2.5 * first.h))
  );
}

/** A continuation line's text without a stray mark OCR put before it (`1 dichromate`, `| chloride`). */
function nameStart(text: string): string {
  return text.replace(/^[^A-Za-z(\s]{1,2}\s+(?=[A-Za-z(])/, '');
}

function normalizedLen(s: string): number {
  return s.replace(/[^\p{L}\p{N}]/gu, '').length;
}

/** Letter-level (jamo) similarity at which a Hangul line is a near spelling of the identified entry's Korean name. */
const JAMO_SIMILARITY = 0.72;

const KO_STOP = /위험|경고|주의|용량|순도|분자|제조|제품|번호|유효|기간|시약|연구|화학|주식|회사|\(주\)|공업|약품|보관|사용|함량|등급|코드|번호|신호어|그림/;

function findKoreanName(lines: Line[], catalog: Catalog, entry: CatalogEntry | undefined, nameLine: Line | undefined, keyLines: Set<Line>): Found<string> | undefined {
  const cands = lines.filter((l) => {
    // Below OCR 50 a Hangul "name" is tesseract's Korean model reading noise (every printed name on the devset read ≥ 83).
    if (keyLines.has(l) || !hasHangul(l.text) || hangulShare(l.text) < 0.8 || l.conf < 50) return false;
    const compact = l.text.replace(/[^\p{L}\p{N}()]/gu, '');
    const syllables = (compact.match(/[\uAC00-\uD7A3]/g) ?? []).length;
    if (syllables < 2 || syllables < compact.length * 0.7) return false;
    return compact.length >= 2 && compact.length <= 24 && l.text.split(' ').length <= 3 && !KO_STOP.test(compact);
  });
  if (cands.length === 0) return undefined;
  // The identified entry's Korean name printed as such wins over any larger Hangul line (tesseract reads barcodes
  // and pictograms as big Hangul noise, `삐끼`).
  const koNames = entry ? [entry.nameKo, ...(entry.synonymsKo ?? [])].filter((x): x is string => !!x) : [];
  for (const l of cands) {
    const hit = koNames.find((n) => n.replace(/\s+/g, '') === l.text.replace(/\s+/g, ''));
    if (hit) return { value: hit, confidence: conf(l, 0.97), evidence: evidenceOf(l, `catalog Korean name "${hit}"`) };
  }
  const score = (l: Line) => l.h / (1 + (nameLine ? Math.abs(l.cy - nameLine.cy) / Math.max(nameLine.h, 1) : 0));
  cands.sort((a, b) => score(b) - score(a));
  const best = cands[0];
  const text = best.text.replace(/\s+/g, '');
  if (entry) {
    const m = catalog.searchName(text, 5, 0.6).find((x) => x.entry === entry && koNames.includes(x.matched));
    if (m) return { value: m.matched, confidence: conf(best, m.score >= 0.99 ? 0.97 : 0.9), evidence: evidenceOf(best, `catalog Korean name "${m.matched}"`) };
    // The English name/CAS already identify the entry: a Hangul line (with the rest of its row, where a long name
    // is split) that is a near spelling of the entry's Korean name is that name, small print having lost
    // final consonants or syllables. The catalog spelling is the printed one.
    const row = cands.filter((l) => Math.abs(l.cy - best.cy) < best.h * 0.6).sort((a, b) => a.left - b.left);
    const readings = [text, row.map((l) => l.text.replace(/\s+/g, '')).join('')];
    let fuzzy: { name: string; sim: number } | undefined;
    for (const name of koNames) {
      const target = name.replace(/\s+/g, '');
      for (const r of readings) {
        const sim = 1 - editDistance(r, target) / Math.max(r.length, target.length);
        if (sim >= 0.6 && (!fuzzy || sim > fuzzy.sim)) fuzzy = { name, sim };
      }
    }
    // Else letter by letter (NFD splits a syllable into its jamo): a lost final consonant is one letter, not a whole
    // syllable (`타사프로픽레` for `탄산프로필렌`: 4 of 6 syllables differ, 4 of 16 letters). Only as a second
    // resort: between two catalog spellings of one name (`1수화물` / `일수화물`) letters favour the wrong one.
    for (const name of fuzzy ? [] : koNames) {
      const target = name.replace(/\s+/g, '').normalize('NFD');
      for (const r of readings) {
        const a = r.normalize('NFD');
        const jamo = 1 - editDistance(a, target) / Math.max(a.length, target.length);
        if (jamo >= JAMO_SIMILARITY && (!fuzzy || jamo > fuzzy.sim)) fuzzy = { name, sim: jamo };
      }
    }
    if (fuzzy) return { value: fuzzy.name, confidence: conf(best, 0.8), evidence: evidenceOf(best, `near spelling (${fuzzy.sim.toFixed(2)}) of the catalog Korean name "${fuzzy.name}" of the identified entry`) };
  }
  // A catalog Korean name that is (nearly) the whole line; one inside a longer name is part of a product the catalog
  // does not know (`인산` of `인산이수소나트륨 일수화물`): the row as read is then the name.
  // (With an identified entry, a short reading is left to be taken for a fragment and the catalog's name proposed.)
  const row = entry ? [best] : cands.filter((l) => Math.abs(l.cy - best.cy) < best.h * 0.6).sort((a, b) => a.left - b.left);
  const rowText = row.map((l) => l.text.replace(/\s+/g, '')).join('');
  const exact = catalog.findNamesInText(text)[0];
  if (exact && hasHangul(exact.matched) && normalizedLen(exact.matched) >= 0.9 * normalizedLen(rowText)) return { value: exact.matched, confidence: conf(best, 0.9), evidence: evidenceOf(best, 'catalog Korean name') };
  if (nameLine && Math.abs(best.cy - nameLine.cy) > 5 * nameLine.h) return undefined;
  // No catalog name to check it against: Hangul that is not made of the syllables of Korean chemical names is
  // tesseract reading a pictogram or barcode (`삐삐삐`) or a misread word (`이요기한`), not a name.
  if (koreanLikeness(rowText, catalog.nameWords()) < 0.5) return undefined;
  // Korean names print a space before the hydrate word (`옥살산칼륨 일수화물`), which the syllable-spaced Korean
  // OCR loses with its other spaces; Roman numerals get the same repair as in English names (`망간(11)`).
  const value = romanNumerals(rowText).replace(/([^\s])((?:십이|일|이|삼|사|오|육|칠|팔|구|십|반|\d+)수화물)$/, '$1 $2');
  return { value, confidence: conf(best, 0.75), evidence: evidenceOf(best, 'Hangul line near the name') };
}

/** Share of a text's adjacent Hangul syllable pairs that occur in the catalog's Korean names. */
function koreanLikeness(text: string, words: NameWords): number {
  const syllables = text.replace(/[^\uAC00-\uD7A3]/g, '');
  if (syllables.length < 2) return 0;
  let known = 0;
  for (let i = 0; i + 1 < syllables.length; i++) if (words.koreanPairs.has(syllables.slice(i, i + 2))) known++;
  return known / (syllables.length - 1);
}

const GENERIC_CATALOG_RE = /^(?:\d\.\d{5}\.\d{3,4}|[A-Z]{1,3}-?\d{3,6}(?:-[A-Z0-9]{1,6})?|\d{4,6}(?:-\d{1,5})?[A-Z]?|[A-Z]\d{4})$/;

/** A code printed alone (no key), in the manufacturer's catalog-number shape or a common one. */
/** First letter of the main word of a catalog product name ("1,2-Dimethoxyethane" → D, "n-Hexane" → H). */
function nameInitials(entry: CatalogEntry | undefined): string[] {
  const w = entry?.name.match(/[A-Za-z]{3,}/)?.[0];
  return w ? [w[0]] : [];
}

function findUnkeyedCatalogNumber(lines: Line[], patterns: string[], fields: Extraction, keyLines: Set<Line>, valueLines: Set<Line>, initials: string[] = []): Found<string> | undefined {
  const regs = patterns.map((p) => new RegExp(`^(?:${p})$`));
  const used = new Set([fields.casNumber?.value, fields.lotNumber?.value].filter(Boolean));
  const top = Math.min(...lines.map((l) => l.top));
  const bottom = Math.max(...lines.map((l) => l.bottom));
  const cands: { line: Line; token: string; score: number; byPattern: boolean; note?: string }[] = [];
  for (const l of lines) {
    if (keyLines.has(l) || valueLines.has(l)) continue;
    // (a colon glues a value to a key OCR could not read: `一F番号：874-37279`)
    const tokens = l.text.split(/[\s:：]+/).filter(Boolean);
    for (const raw of tokens) {
      const token = raw.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
      if (token.length < 4 || !/\d/.test(token) || used.has(token) || isValidCas(token)) continue;
      if (fields.casNumber && token.replace(/-/g, '') === fields.casNumber.value.replace(/-/g, '')) continue;
      if (findQuantities(token).length || findPurities(token).length || parseDate(token)) continue;
      const byPattern = regs.some((r) => r.test(token));
      const fix = byPattern ? undefined : repairToPattern(token, patterns, 2, initials);
      const generic = GENERIC_CATALOG_RE.test(token) && tokens.length <= 3;
      if (!byPattern && !fix && !generic) continue;
      const pos = 1 - (l.top - top) / Math.max(1, bottom - top);
      const note = fix ? `read "${token}"; ${fix.changes.join(', ')} is the only lookalike reading in the manufacturer's catalog-number pattern` : undefined;
      cands.push({ line: l, token: fix?.value ?? token, byPattern: byPattern || !!fix, note, score: (byPattern || fix ? 2 : 1) * (0.5 + pos) * (tokens.length === 1 ? 1.5 : 1) });
    }
  }
  cands.sort((a, b) => b.score - a.score);
  const c = cands[0];
  if (!c) return undefined;
  if (c.note) return { value: c.token, confidence: conf(c.line, 0.78), evidence: evidenceOf(c.line, c.note) };
  return { value: c.token, confidence: conf(c.line, c.byPattern ? 0.85 : 0.7), evidence: evidenceOf(c.line, c.byPattern ? "manufacturer's catalog-number pattern" : 'code printed alone') };
}
