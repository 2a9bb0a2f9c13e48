import { Catalog, type CatalogEntry, type Manufacturer } from '../../functions/shared/catalog';
import type { LabelFields, OcrLine } from '../../functions/shared/contract';
import { datePrinted, garbledFormulaToken, scoreConfidence, unreadColumnRow, type ScoreInput } from '../../functions/score-confidence/core';

const entry = (e: Omit<CatalogEntry, 'source' | 'synonyms'> & { synonyms?: string[] }): CatalogEntry => ({ synonyms: [], source: 'shipped', ...e });
const mfr = (name: string, aliases: string[], catalogPatterns: string[] = []): Manufacturer => ({ name, aliases, keywords: [], catalogPatterns, lotPatterns: [] });

const catalog = new Catalog(
  [
    entry({ name: 'Hydrochloric acid', nameKo: '염산', cas: '7647-01-0', formula: 'HCl', molecularWeight: 36.46 }),
    entry({ name: 'Sodium chloride', nameKo: '염화나트륨', cas: '7647-14-5', formula: 'NaCl', molecularWeight: 58.44 }),
    entry({ name: 'Zinc', nameKo: '아연', cas: '7440-66-6', formula: 'Zn', molecularWeight: 65.38 }),
    entry({ name: 'Zinc oxide', nameKo: '산화아연', cas: '1314-13-2', formula: 'ZnO', molecularWeight: 81.38 }),
  ],
  [mfr('Daejung', ['DAEJUNG'], ['\\d{4}-\\d{4}']), mfr('TCI', ['TCI'], ['[A-Z]\\d{4}'])],
);

const line = (text: string, confidence = 95): OcrLine => ({ text, confidence, box: { left: 0, top: 0, width: 100, height: 20 } });

/** A Daejung hydrochloric acid label as OCR read it, with the reader's own confidence for each field. */
function hclInput(over: Partial<LabelFields> = {}, self: Record<string, number> = {}): ScoreInput {
  const fields: LabelFields = {
    manufacturer: 'Daejung',
    productName: 'Hydrochloric acid',
    casNumber: '7647-01-0',
    catalogNumber: '4090-4400',
    quantity: { value: 500, unit: 'mL' },
    formula: 'HCl',
    molecularWeight: 36.46,
    ...over,
  } as LabelFields;
  const selfConfidence = { manufacturer: 0.95, productName: 0.95, casNumber: 0.97, catalogNumber: 0.93, quantity: 0.93, formula: 0.95, molecularWeight: 0.95, ...self };
  return {
    fields,
    extraction: { reader: 'offline', selfConfidence },
    ocrLines: [line('DAEJUNG'), line('Hydrochloric acid'), line('CAS No. 7647-01-0'), line('Cat. No. 4090-4400'), line('500 mL'), line('HCl M.W. 36.46')],
  };
}

describe('scoreConfidence', () => {
  it('accepts a record whose every field is printed and agrees with the catalog', () => {
    const r = scoreConfidence(hclInput(), catalog, 0.9);

    expect(r.decision).toBe('ACCEPT');
    expect(r.reviewReasons).toEqual([]);
    expect(r.confidence.casNumber!.score).toBeGreaterThanOrEqual(0.98);
    expect(r.confidence.casNumber!.reasons).toContain('name and CAS agree with the catalog');
    expect(r.overall).toBe(Math.min(...Object.values(r.confidence).map((c) => c!.score)));
    expect(r.catalogMatch).toEqual({ cas: '7647-01-0', name: 'Hydrochloric acid', source: 'shipped' });
  });

  it('scores a CAS that fails its check digit 0 and sends the record to review', () => {
    const input = hclInput({ casNumber: '7647-01-1' });
    input.ocrLines.push(line('CAS 7647-01-1'));

    const r = scoreConfidence(input, catalog, 0.9);

    expect(r.confidence.casNumber!.score).toBe(0);
    expect(r.confidence.casNumber!.reasons).toContain('fails the CAS check digit');
    expect(r.decision).toBe('REVIEW');
  });

  it('flags a name and CAS that belong to different catalog products', () => {
    const input = hclInput({ casNumber: '7647-14-5' });
    input.ocrLines.push(line('7647-14-5'));

    const r = scoreConfidence(input, catalog, 0.5);

    expect(r.confidence.casNumber!.score).toBeLessThanOrEqual(0.3);
    expect(r.confidence.productName!.score).toBeLessThanOrEqual(0.3);
    expect(r.reviewReasons.some((x) => x.includes('Name and CAS disagree'))).toBe(true);
    expect(r.decision).toBe('REVIEW');
  });

  it('distrusts a one-token pack size printed wider than its characters (2.5 L read as 25L)', () => {
    const input = hclInput({ quantity: { value: 25, unit: 'L' } }, { quantity: 0.8 });
    input.ocrLines.push({ text: '25L', confidence: 69, box: { left: 0, top: 0, width: 92, height: 41 } });

    const r = scoreConfidence(input, catalog, 0.9);

    expect(r.confidence.quantity!.score).toBe(0.7);
    expect(r.confidence.quantity!.reasons.at(-1)).toBe('printed wider than the characters read: a decimal point may be lost');
    expect(r.decision).toBe('REVIEW');
  });

  it('trusts a standard pack size whose token is as wide as its characters', () => {
    const input = hclInput({ quantity: { value: 250, unit: 'g' } }, { quantity: 0.8 });
    input.ocrLines.push({ text: '250g', confidence: 86, box: { left: 0, top: 0, width: 85, height: 45 } });

    expect(scoreConfidence(input, catalog, 0.9).confidence.quantity!.score).toBe(0.9);
  });

  it("judges a token's width by its engine's boxes: PaddleOCR's carry a margin, so 0.8 per character is normal there", () => {
    const paddle = hclInput({ quantity: { value: 25, unit: 'L' } }, { quantity: 0.85 });
    paddle.ocrLines.push({ text: '25L', confidence: 99, engine: 'paddle', box: { left: 0, top: 0, width: 98, height: 41 } });
    const tesseract = hclInput({ quantity: { value: 25, unit: 'L' } }, { quantity: 0.85 });
    tesseract.ocrLines.push({ text: '25L', confidence: 90, engine: 'tesseract', box: { left: 0, top: 0, width: 98, height: 41 } });

    expect(scoreConfidence(paddle, catalog, 0.9).confidence.quantity!.score).toBe(0.9);
    expect(scoreConfidence(tesseract, catalog, 0.9).confidence.quantity!.score).toBe(0.7);
  });

  it('calls a wide token lossy only where a point makes another pack as labels print it (25L may be 2.5 L; 250mL is no 2.50 mL)', () => {
    const wide = (text: string, value: number, unit: 'mL' | 'L' | 'g') => {
      const input = hclInput({ quantity: { value, unit } }, { quantity: 0.85 });
      input.ocrLines.push({ text, confidence: 98, engine: 'paddle', box: { left: 0, top: 0, width: Math.round(text.length * 0.95 * 70), height: 70 } });
      return scoreConfidence(input, catalog, 0.9).confidence.quantity!.score;
    };

    expect(wide('250mL', 250, 'mL')).toBe(0.9);
    expect(wide('500g', 500, 'g')).toBe(0.9);
    expect(wide('25L', 25, 'L')).toBe(0.7);
  });

  it('lowers an unusual pack size', () => {
    const input = hclInput({ quantity: { value: 37, unit: 'mL' } });
    input.ocrLines.push(line('37 mL'));

    expect(scoreConfidence(input, catalog, 0.9).confidence.quantity!.score).toBe(0.75);
  });

  it("lifts a catalog number of the manufacturer's shape only to 0.9, and lowers one of the wrong shape", () => {
    const fits = scoreConfidence(hclInput({}, { catalogNumber: 0.82 }), catalog, 0.9);
    const misfit = hclInput({ catalogNumber: 'A1234' });
    misfit.ocrLines.push(line('A1234'));

    expect(fits.confidence.catalogNumber!.score).toBe(0.9);
    expect(scoreConfidence(hclInput({}, { catalogNumber: 0.97 }), catalog, 0.9).confidence.catalogNumber!.score).toBe(0.97);
    expect(scoreConfidence(misfit, catalog, 0.9).confidence.catalogNumber!.score).toBe(0.8);
  });

  it('caps a value that is not in the OCR text', () => {
    const input = hclInput({ catalogNumber: '4090-9999' });

    const r = scoreConfidence(input, catalog, 0.9);

    expect(r.confidence.catalogNumber!.score).toBe(0.5);
    expect(r.confidence.catalogNumber!.reasons).toContain('not found in OCR text');
  });

  it('asks for review when the label names a field that was not read', () => {
    const input = hclInput();
    input.ocrLines.push(line('Lot No.'));

    const r = scoreConfidence(input, catalog, 0.9);

    expect(r.reviewReasons).toContain('The label mentions lotNumber but no value was read.');
    expect(r.decision).toBe('REVIEW');
  });

  it('says why when there is no OCR text to check against', () => {
    const r = scoreConfidence({ ...hclInput(), ocrLines: [], ocrFailed: true }, catalog, 0.9);

    expect(r.reviewReasons).toContain('OCR failed, so no value could be checked against the printed text.');
    expect(r.decision).toBe('REVIEW');
  });
});

describe('scoreConfidence: evidence rules (issue #6)', () => {
  const score = (input: ScoreInput, field: keyof LabelFields) => scoreConfidence(input, catalog, 0.9).confidence[field]!;
  const withLine = (over: Partial<LabelFields>, self: Record<string, number>, ...lines: OcrLine[]) => {
    const input = hclInput(over, self);
    input.ocrLines.push(...lines);
    return input;
  };

  it('lifts a Japanese or Korean grade word printed whole at OCR >= 75 (PaddleOCR reads Han at lower confidence)', () => {
    const grade = (g: string, ocr: number) => score(withLine({ grade: g }, { grade: 0.8 }, line(g, ocr)), 'grade');
    expect(grade('特級', 80).score).toBe(0.92);
    expect(grade('특급', 78).score).toBe(0.92);
    expect(grade('特級', 70).score).toBe(0.8);
    // Latin grades keep the general rule (OCR >= 85).
    expect(grade('Extra Pure', 80).score).toBe(0.8);
  });

  it('finds a row of the key-value column read as nothing, but not a key over its value, a sentence or a read row', () => {
    const at = (text: string, top: number, confidence = 95, left = 110, width = 300): OcrLine => ({ text, confidence, box: { left, top, width, height: 30 } });
    const rows = [at('Cat. No.: 681-16857', 330), at('Lot No.: 2212E720', 385), at('CAS番号:7778-74-7', 440), at('内容量：25g', 549), at('有効期限：2027-10-21', 719)];
    // `分子量：138.55` found by no detector; tesseract's `구토` at 0 is all there is.
    expect(unreadColumnRow([...rows, at('구토', 661, 0, 111, 99)], [])?.text).toBe('구토');
    // A Japanese key tesseract cannot read, over the bare value it names (stacked layout).
    expect(unreadColumnRow([...rows, at('했 56 폴 목', 600, 38, 112, 71), at('92776-38', 630, 99, 114, 150)], [])).toBeUndefined();
    // A key whose value was read beside it on its row.
    expect(unreadColumnRow([...rows, at('CAS 번호', 661, 49, 111, 99), at('7778-74-7', 663, 99, 400, 150)], [])).toBeUndefined();
    // Small print wider than any row, or a row holding a value that was read.
    expect(unreadColumnRow([...rows, at('Keep container tightly closed and store in a cool place', 661, 20, 110, 900)], [])).toBeUndefined();
    expect(unreadColumnRow([...rows, at('슈 구 : KClO4', 661, 46)], ['kclo4'])).toBeUndefined();
  });

  it('sends to review a label whose catalog formula is printed but read too garbled to take (C5H,005 for C5H10O5)', () => {
    expect(garbledFormulaToken(['슈 구 고 ;: C5H,005'], ['C5H10O5'])).toBe('C5H10O5');
    expect(garbledFormulaToken(['Lot BGY4681', 'Code No.: 19444-05'], ['C5H10O5'])).toBeUndefined();
    // Two element letters are too few to tell a formula from other text.
    expect(garbledFormulaToken(['N4,C1'], ['NaCl'])).toBeUndefined();
    const input = hclInput({ productName: 'Sodium chloride', casNumber: '7647-14-5', formula: undefined, molecularWeight: undefined });
    const zinc = { ...input, fields: { ...input.fields, productName: 'Zinc oxide', casNumber: '1314-13-2' } };
    expect(scoreConfidence(zinc, catalog, 0.9).reviewReasons.join(' ')).not.toMatch(/formula/);
    // (a catalog entry with a three-letter formula, printed garbled)
    const arabinose = new Catalog([entry({ name: 'L-(+)-Arabinose', cas: '5328-37-0', formula: 'C5H10O5', molecularWeight: 150.13 })], [mfr('Daejung', ['DAEJUNG'])]);
    const label = { ...input, fields: { ...input.fields, productName: 'L-(+)-Arabinose', casNumber: '5328-37-0' }, ocrLines: [line('L-(+)-Arabinose'), line('CAS 5328-37-0'), line('분자식 C5H,005', 47)] };
    expect(scoreConfidence(label, arabinose, 0.9).reviewReasons.join(' ')).toMatch(/prints the catalog formula of L-\(\+\)-Arabinose \("C5H10O5"\) but no formula was read/);
  });

  it('checks the formula of a product the catalog does not know against the printed M.W., and blames the formula when they differ', () => {
    // Hexane (110-54-3) is not in this catalog.
    const hexane = (formula: string, molecularWeight?: number) =>
      scoreConfidence(
        { ...hclInput({ productName: 'n-Hexane', casNumber: '110-54-3', formula, molecularWeight }, { formula: 0.95, molecularWeight: 0.95 }), ocrLines: [line(`n-Hexane ${formula} M.W. ${molecularWeight ?? ""}`)] },
        catalog,
        0.9,
      ).confidence;
    const agree = hexane('C6H14', 86.18);
    expect(agree.formula!.score).toBe(0.95);
    expect(agree.formula!.reasons.at(-1)).toMatch(/agrees with the printed M\.W\./);
    // `CH14`: the 6 was lost. The formula drops below any threshold; the M.W. only below the usual one.
    const lost = hexane('CH14', 86.18);
    expect(lost.formula!.score).toBe(0.5);
    expect(lost.formula!.reasons.at(-1)).toMatch(/subscript lost/);
    expect(lost.molecularWeight!.score).toBe(0.7);
    // Nothing to check it against.
    expect(hexane('C6H14').formula!.score).toBe(0.75);
  });

  it('keeps below the threshold a digits-only catalog number of a maker with no known shape, whose first digit may be a letter (58838 for S8838)', () => {
    // (a maker the catalog knows no catalog-number shape of)
    const digits = score(withLine({ manufacturer: 'Acme Labs', catalogNumber: '58838' }, { catalogNumber: 0.93 }, line('품번 58838', 96)), 'catalogNumber');
    const lettered = score(withLine({ manufacturer: 'Acme Labs', catalogNumber: 'S8838' }, { catalogNumber: 0.93 }, line('품번 S8838', 96)), 'catalogNumber');

    expect(digits.score).toBe(0.85);
    expect(digits.reasons.at(-1)).toMatch(/first character may be a letter/);
    expect(lettered.score).toBe(0.93);
  });

  it('keeps a lot of digits alone below the threshold (a letter lost or read as a digit), not one with a letter', () => {
    const digits = score(withLine({ lotNumber: '23071588' }, { lotNumber: 0.95 }, line('Batch No. 23071588', 99)), 'lotNumber');
    const lettered = score(withLine({ lotNumber: '2307J588' }, { lotNumber: 0.95 }, line('Batch No. 2307J588', 99)), 'lotNumber');

    expect(digits.score).toBe(0.85);
    expect(digits.reasons.at(-1)).toMatch(/digits only/);
    expect(lettered.score).toBeGreaterThanOrEqual(0.9);
  });

  it('caps a lot with look-alike characters read below OCR confidence 90, and keeps one read at 90+', () => {
    const low = score(withLine({ lotNumber: 'K63577474' }, { lotNumber: 0.91 }, line('Lot K63577474', 82)), 'lotNumber');
    const high = score(withLine({ lotNumber: 'K63577474' }, { lotNumber: 0.95 }, line('Lot K63577474', 93)), 'lotNumber');
    const plain = score(withLine({ lotNumber: 'WXYK' }, { lotNumber: 0.85 }, line('Lot WXYK', 80)), 'lotNumber');

    expect(low.score).toBe(0.8);
    expect(low.reasons.at(-1)).toMatch(/look-alike characters .* 82 < 90/);
    expect(high.score).toBe(0.95);
    expect(plain.score).toBe(0.85);
  });

  it('caps a lot with lower-case letters (lots are printed in capitals)', () => {
    const c = score(withLine({ lotNumber: 'SevJs' }, { lotNumber: 0.9 }, line('LOT SevJs', 95)), 'lotNumber');

    expect(c.score).toBe(0.6);
    expect(c.reasons.at(-1)).toMatch(/lower-case/);
  });

  it('lifts a catalog number by its shape only when OCR read its line at confidence >= 70', () => {
    const low = score(withLine({ catalogNumber: '4090-4401' }, { catalogNumber: 0.61 }, line('4090-4401 ig', 35)), 'catalogNumber');
    const ok = score(withLine({ catalogNumber: '4090-4401' }, { catalogNumber: 0.61 }, line('4090-4401', 75)), 'catalogNumber');

    expect(low.score).toBe(0.61);
    expect(low.reasons.at(-1)).toMatch(/OCR confidence 35 is low/);
    expect(ok.score).toBe(0.9);
  });

  it("lifts a known manufacturer when the catalog number has that manufacturer's shape", () => {
    const fits = score(hclInput({}, { manufacturer: 0.63 }), 'manufacturer');
    const other = score(withLine({ catalogNumber: 'X99' }, { manufacturer: 0.63 }, line('X99')), 'manufacturer');

    expect(fits.score).toBe(0.93);
    expect(other.score).toBe(0.63);
  });

  it('finds an expiry date printed day-first or with a month name, and distrusts an ambiguous day/month order', () => {
    const named = score(withLine({ expiryDate: '2027-05-31' }, { expiryDate: 0.9 }, line('Expiration Date: 31 MAY 2027', 93)), 'expiryDate');
    const dayFirst = score(withLine({ expiryDate: '2029-06-30' }, { expiryDate: 0.9 }, line('Use by 30.06.2029', 93)), 'expiryDate');
    const ambiguous = score(withLine({ expiryDate: '2029-06-03' }, { expiryDate: 0.9 }, line('Use by 03.06.2029', 93)), 'expiryDate');
    const absent = score(withLine({ expiryDate: '2029-06-30' }, { expiryDate: 0.9 }, line('Use by 30.07.2029', 93)), 'expiryDate');

    expect(named.score).toBe(0.95);
    expect(named.reasons).toContain('printed on the label in another date format');
    expect(dayFirst.score).toBe(0.95);
    expect(ambiguous.score).toBe(0.7);
    expect(absent.score).toBe(0.5);
  });

  it('takes a clearly printed year and month, keyed, as the last day of that month at 0.9, and no higher', () => {
    const keyed = score(withLine({ expiryDate: '2028-02-29' }, { expiryDate: 0.9 }, line('Exp. Date 02/2028', 93)), 'expiryDate');
    const unkeyed = score(withLine({ expiryDate: '2028-02-29' }, { expiryDate: 0.55 }, line('02/2028', 93)), 'expiryDate');
    const blurred = score(withLine({ expiryDate: '2028-02-29' }, { expiryDate: 0.9 }, line('Exp. Date 02/2028', 55)), 'expiryDate');
    const midMonth = score(withLine({ expiryDate: '2028-02-15' }, { expiryDate: 0.9 }, line('Exp. Date 02/2028', 93)), 'expiryDate');

    expect(keyed.score).toBe(0.9);
    expect(keyed.reasons.at(-1)).toMatch(/last day of that month/);
    expect(unkeyed.score).toBe(0.55);
    expect(blurred.score).toBeLessThanOrEqual(0.85);
    expect(midMonth.score).toBeLessThanOrEqual(0.85);
  });

  it('finds a Japanese grade printed as 特級 in the simplified form Paddle reads it in (特级)', () => {
    const c = score(withLine({ grade: '特級' }, { grade: 0.8 }, line('特级', 90)), 'grade');

    expect(c.reasons).not.toContain('not found in OCR text');
    expect(c.score).toBeGreaterThanOrEqual(0.8);
  });

  it('does not take `Formula Wt.` (the M.W. key) for a formula the reader missed', () => {
    const input = hclInput({ formula: undefined } as never);
    input.ocrLines = input.ocrLines.filter((l) => !l.text.startsWith('HCl')).concat(line('Formula Wt. 36.46'));
    const reasons = scoreConfidence(input, catalog, 0.9).reviewReasons;

    expect(reasons.some((r) => r.includes('mentions formula'))).toBe(false);
    const withFormula = hclInput({ formula: undefined } as never);
    withFormula.ocrLines.push(line('Formula'));
    expect(scoreConfidence(withFormula, catalog, 0.9).reviewReasons.some((r) => r.includes('mentions formula'))).toBe(true);
  });

  it('datePrinted tells the printed forms apart', () => {
    const at = (t: string) => [line(t)];

    expect(datePrinted('2028-03-31', at('Use by 2028-03-31'))?.form).toBe('ymd');
    expect(datePrinted('2028-03-31', at('2028년 3월 31일'))?.form).toBe('ymd');
    // Japanese and Korean year-month forms, with and without the day
    expect(datePrinted('2027-06-30', at('有效期限 2027年6月'))?.form).toBe('ym');
    expect(datePrinted('2027-06-30', at('2027年06月30日'))?.form).toBe('ymd');
    expect(datePrinted('2027-06-30', at('2027년 6월'))?.form).toBe('ym');
    expect(datePrinted('2027-06-30', at('2027年7月'))).toBeUndefined();
    expect(datePrinted('2028-03-31', at('Exp. 03/2028'))?.form).toBe('ym');
    expect(datePrinted('2028-03-31', at('Exp. 31.03.2028'))?.form).toBe('day-first');
    expect(datePrinted('2028-03-05', at('Exp. 05.03.2028'))?.form).toBe('dmy');
    expect(datePrinted('2028-03-31', at('Exp. 03/31/2028'))?.form).toBe('month-first');
    expect(datePrinted('2028-03-31', at('Exp. 31.03.2029'))).toBeUndefined();
  });

  it('does not call a one-digit pack size wide (no decimal point to lose in "1L")', () => {
    const input = withLine({ quantity: { value: 1, unit: 'L' } }, { quantity: 0.8 }, { text: '1L', confidence: 89, box: { left: 0, top: 0, width: 70, height: 42 } });

    expect(score(input, 'quantity').score).toBe(0.9);
  });

  it('takes a lone, clearly read "IL" or "lkg" as 1 L / 1 kg at 0.9: no other reading is a pack size', () => {
    const lone = (token: string, ocr: number, unit = 'L') => {
      const input = hclInput({ quantity: { value: 1, unit } as never }, { quantity: 0.5 });
      input.ocrLines = input.ocrLines.filter((l) => l.text !== '500 mL').concat(line(token, ocr));
      input.extraction!.evidence = { quantity: `line 4 "${token}" (pack size, read "${token}" as 1 ${unit})` };
      return score(input, 'quantity');
    };

    expect(lone('IL', 96).score).toBe(0.9);
    expect(lone('IL', 96).reasons.at(-1)).toMatch(/can only be 1 L/);
    expect(lone('lkg', 93, 'kg').score).toBe(0.9);
    // PaddleOCR is often unsure between I and 1 (79-89), not about the token.
    expect(lone('IL', 79).score).toBe(0.9);
    // Read unclearly, it stays below the threshold.
    expect(lone('IL', 70).score).toBeLessThan(0.9);
  });

  it('caps a pack size with a stray mark glued to the number ("#2500 mL"), not one after a key read as Han ("营500 mL")', () => {
    const c = score(withLine({ quantity: { value: 2500, unit: 'mL' } }, { quantity: 0.76 }, line('#2500 mL', 73)), 'quantity');
    const key = score(withLine({ quantity: { value: 500, unit: 'mL' } }, { quantity: 0.8 }, line('营500 mL', 86)), 'quantity');

    expect(c.score).toBe(0.6);
    expect(c.reasons.at(-1)).toMatch(/stray mark/);
    expect(key.reasons.join(' ')).not.toMatch(/stray mark/);
    // Nor is a full-width colon after a key (`内容量：500mL`).
    const colon = score(withLine({ quantity: { value: 500, unit: 'mL' } }, { quantity: 0.95 }, line('内容量：500mL', 98)), 'quantity');
    expect(colon.reasons.join(' ')).not.toMatch(/stray mark/);
    expect(colon.score).toBeGreaterThanOrEqual(0.9);
  });

  it('scores a pack size whose unit the reader repaired between 0.75 and 0.8', () => {
    const input = hclInput({ quantity: { value: 250, unit: 'g' } }, { quantity: 0.47 });
    input.ocrLines = input.ocrLines.filter((l) => l.text !== '500 mL').concat(line('2509', 49));
    input.extraction!.evidence = { quantity: `line 4 "2509" (large-type pack size, '9' read as 'g')` };

    expect(score(input, 'quantity').score).toBe(0.75);
  });

  it('caps a grade the label continues past, or a trademark grade without ®, and lifts a whole, clearly read one', () => {
    const cut = score(withLine({ grade: 'EMSURE® ACS' }, { grade: 0.82 }, line('EMSURE® ACS,ISO,Reag. Ph Eur', 93)), 'grade');
    const withPurity = score(withLine({ grade: 'puriss. p.a.' }, { grade: 0.84 }, line('puriss. p.a., 99.8% min.', 93)), 'grade');
    const noMark = score(withLine({ grade: 'for analysis EMSURE' }, { grade: 0.79 }, line('for analysis EMSURE', 93)), 'grade');
    const blurred = score(withLine({ grade: 'EP' }, { grade: 0.75 }, line('EP', 63)), 'grade');

    expect(cut.score).toBe(0.6);
    expect(cut.reasons.at(-1)).toMatch(/ISO,Reag/);
    expect(withPurity.score).toBe(0.92);
    expect(noMark.score).toBe(0.7);
    expect(blurred.score).toBe(0.75);
    // Cut at its start: the line prints grade words before the value (`Reag. Ph Eur` read out of `EMSURE ACS,ISOReag.Ph Eur`).
    const headless = score(withLine({ grade: 'Reag. Ph Eur' }, { grade: 0.95 }, line('EMSURE ACS,ISOReag.Ph Eur', 97)), 'grade');
    expect(headless.score).toBe(0.6);
    expect(headless.reasons.at(-1)).toMatch(/grade words right before it \("iso…"\)/);
    // Words under a grade key that the reader did not know as a grade (it passes ≤ 0.7) are not lifted.
    const unknown = score(withLine({ grade: 'ACSreagent' }, { grade: 0.7 }, line('ACSreagent', 97)), 'grade');
    expect(unknown.score).toBe(0.7);
    expect(unknown.reasons.at(-1)).toMatch(/not a grade the reader knows/);
  });

  it('finds a grade only as words of its own: `EP` in "Keep container", `GR` in a "Grade" key or in "reagent grade" is not it', () => {
    const ep = score(withLine({ grade: 'EP' }, { grade: 0.95 }, line('EP', 99), line('Keep container tightly closed.Store in a cool place', 96)), 'grade');
    const gr = score(withLine({ grade: 'GR' }, { grade: 0.93 }, line('Grade', 99), line('GR', 99)), 'grade');
    const reagentGrade = score(withLine({ grade: 'GR' }, { grade: 0.93 }, line('GR', 99), line('ACS reagent grade', 99)), 'grade');

    expect(ep.score).toBeGreaterThanOrEqual(0.9);
    expect(ep.reasons.join(' ')).not.toMatch(/cut short/);
    expect(gr.score).toBeGreaterThanOrEqual(0.9);
    expect(reagentGrade.score).toBeGreaterThanOrEqual(0.9);
    // Glued to more grade words it still counts as continued.
    const glued = score(withLine({ grade: 'EMSURE® ACS' }, { grade: 0.82 }, line('EMSURE® ACSISO,Reag. Ph Eur', 93)), 'grade');
    expect(glued.score).toBe(0.6);
  });

  it('keeps below the threshold a bare assay read after a short token with a digit (`010. 99.8%` for `min. 99.8%`), not one after its key', () => {
    const garbled = score(withLine({ purity: '99.8%' }, { purity: 0.94 }, line('순도: 010. 99.8%', 89)), 'purity');
    const keyed = score(withLine({ purity: '99.8%' }, { purity: 0.94 }, line('순도: 99.8%', 89)), 'purity');

    expect(garbled.score).toBe(0.8);
    expect(garbled.reasons.at(-1)).toMatch(/after "010\." on its line/);
    expect(keyed.score).toBeGreaterThan(0.8);
    expect(keyed.reasons.join(' ')).not.toMatch(/on its line/);
  });

  it('caps a purity that is not a plausible percentage', () => {
    const c = score(withLine({ purity: '≥09.5%' }, { purity: 0.6 }, line('≥09.5%', 90)), 'purity');
    const ok = score(withLine({ purity: '≥99.5%' }, { purity: 0.6 }, line('≥99.5%', 90)), 'purity');

    expect(c.score).toBe(0.3);
    expect(ok.score).toBe(0.6);
  });

  it('lifts a whole purity expression read clearly beside the name to 0.9, not a bare number (a ≥ may be lost)', () => {
    const whole = score(withLine({ purity: '≥99.5%' }, { purity: 0.8 }, line('ACS reagent, ≥99.5%', 97)), 'purity');
    const range = score(withLine({ purity: '35.0~37.0%' }, { purity: 0.8 }, line('35.0~37.0%', 97)), 'purity');
    const bare = score(withLine({ purity: '99.5%' }, { purity: 0.8 }, line('ACS reagent, 99.5%', 97)), 'purity');
    const blurred = score(withLine({ purity: '≥99.5%' }, { purity: 0.8 }, line('ACS reagent, ≥99.5%', 60)), 'purity');

    expect(whole.score).toBe(0.9);
    expect(range.score).toBe(0.9);
    expect(bare.score).toBe(0.8);
    expect(blurred.score).toBe(0.8);
  });

  it('moves confidence by a second opinion: agreement raises, disagreement lowers, a field only it read asks for review', () => {
    const withSecond = (fields: Record<string, unknown>) => {
      const i = hclInput({}, { casNumber: 0.85, catalogNumber: 0.85 });
      i.extraction = { ...i.extraction, secondOpinion: { model: 'gpt-test', fields } };
      return scoreConfidence(i, catalog, 0.9);
    };
    const base = scoreConfidence(hclInput({}, { casNumber: 0.85, catalogNumber: 0.85 }), catalog, 0.9);
    const agree = withSecond({ catalogNumber: '4090 4400' });
    const disagree = withSecond({ casNumber: '7647-01-6' });
    const extra = withSecond({ lotNumber: 'AB1234' });

    expect(agree.confidence.catalogNumber!.score).toBeGreaterThan(base.confidence.catalogNumber!.score);
    expect(agree.confidence.catalogNumber!.reasons.at(-1)).toBe('second opinion (gpt-test) agrees');
    expect(disagree.confidence.casNumber!.score).toBe(0.5);
    expect(disagree.confidence.casNumber!.reasons.at(-1)).toMatch(/second opinion \(gpt-test\) read "7647-01-6"/);
    expect(disagree.decision).toBe('REVIEW');
    expect(extra.reviewReasons.some((r) => r.includes('read lotNumber = "AB1234", which the reader did not'))).toBe(true);
    // An opinion that failed says nothing.
    const failed = hclInput();
    failed.extraction = { ...failed.extraction, secondOpinion: { model: 'gpt-test', error: 'timeout' } };
    expect(scoreConfidence(failed, catalog, 0.9).confidence).toEqual(scoreConfidence(hclInput(), catalog, 0.9).confidence);
  });

  it('tells the reviewer to retake a photo whose print PaddleOCR reads poorly, judged on Paddle lines only', () => {
    const withEngine = (engine: 'paddle' | 'tesseract', confidence: number) => {
      const i = hclInput();
      i.ocrLines = i.ocrLines.map((l) => ({ ...l, engine, confidence }));
      return i;
    };
    const says = (r: ReturnType<typeof scoreConfidence>) => r.reviewReasons.some((x) => /hard to read .* a sharper, closer photo/.test(x));
    expect(says(scoreConfidence(withEngine('paddle', 75), catalog, 0.9))).toBe(true);
    expect(says(scoreConfidence(withEngine('paddle', 95), catalog, 0.9))).toBe(false);
    expect(says(scoreConfidence(withEngine('tesseract', 75), catalog, 0.9))).toBe(false);
  });

  it('sends to review the label of a Korean maker whose Korean name was not read, even with no Hangul read', () => {
    const korean = new Catalog([...catalog.entries], [{ ...mfr('Daejung', ['DAEJUNG'], ['\\d{4}-\\d{4}']), country: 'KR' }, mfr('TCI', ['TCI'], ['[A-Z]\\d{4}'])]);
    const says = (r: ReturnType<typeof scoreConfidence>) => r.reviewReasons.some((x) => x.includes('A Korean label'));
    expect(says(scoreConfidence(hclInput(), korean, 0.9))).toBe(true);
    expect(says(scoreConfidence(hclInput({ manufacturer: 'TCI', catalogNumber: 'H1234' }), korean, 0.9))).toBe(false);
    expect(says(scoreConfidence(hclInput({ productNameKo: '염산' }, { productNameKo: 0.95 }), korean, 0.9))).toBe(false);
  });

  it('lowers a product name the catalog does not know, and a known name that may be cut short', () => {
    const unknown = score(withLine({ productName: 'irate tnbasic dihydrate', casNumber: undefined }, {}, line('irate tnbasic dihydrate')), 'productName');
    const fragmentOfCas = score(withLine({ productName: 'chloric acid' }, { productName: 0.8 }, line('chloric acid')), 'productName');
    const short = score(withLine({ productName: 'Zinc', casNumber: undefined }, { productName: 0.86 }, line('zinc ©')), 'productName');

    expect(unknown.score).toBe(0.4);
    expect(fragmentOfCas.score).toBe(0.3);
    expect(short.score).toBe(0.7);
    expect(short.reasons.at(-1)).toMatch(/Zinc oxide/);
  });

  it('lowers a Korean name that disagrees with the catalog, or has nothing to be checked against', () => {
    const wrong = score(withLine({ productNameKo: '타사프로픽레' }, { productNameKo: 0.74 }, line('타사프로픽레')), 'productNameKo');
    const unchecked = score(withLine({ productName: 'Mystery', casNumber: undefined, productNameKo: '도네' }, { productNameKo: 0.74 }, line('Mystery'), line('도네')), 'productNameKo');

    expect(wrong.score).toBe(0.3);
    expect(unchecked.score).toBe(0.4);
  });

  it('sends to review a label that prints a formula keyword or a grade word no value was read for', () => {
    const formula = withLine({ formula: undefined }, {}, line('분자식'));
    const grade = withLine({}, {}, line('anhydrous'));
    const badge = withLine({}, {}, line('GR'));
    const prose = withLine({}, {}, line('For laboratory use only'));

    expect(scoreConfidence(formula, catalog, 0.9).reviewReasons).toContain('The label mentions formula but no value was read.');
    // The Japanese key too (seed 16: `I2` under 分子式 read as `/2`, and the record was accepted without it).
    const japanese = withLine({ formula: undefined }, {}, line('分子式'), line('/2', 62));
    expect(scoreConfidence(japanese, catalog, 0.9).reviewReasons).toContain('The label mentions formula but no value was read.');
    expect(scoreConfidence(grade, catalog, 0.9).reviewReasons.some((x) => x.includes('grade word ("anhydrous")'))).toBe(true);
    expect(scoreConfidence(badge, catalog, 0.9).decision).toBe('REVIEW');
    expect(scoreConfidence(prose, catalog, 0.9).decision).toBe('ACCEPT');
  });
  it("sends to review a label that prints the identified product's formula, M.W. or Korean name when none was read", () => {
    const formula = withLine({ formula: undefined }, {}, line('HCl'));
    const mw = withLine({ molecularWeight: undefined }, {}, line('36.46'));
    const ko = withLine({}, {}, line('염 산'));
    const inWord = withLine({ formula: undefined }, {}, line('HClO4 free'));
    inWord.ocrLines = inWord.ocrLines.filter((l) => l.text !== 'HCl M.W. 36.46');

    expect(scoreConfidence(formula, catalog, 0.9).reviewReasons.some((x) => x.includes('catalog formula of Hydrochloric acid ("HCl")'))).toBe(true);
    expect(scoreConfidence(mw, catalog, 0.9).reviewReasons.some((x) => x.includes('catalog molecularWeight'))).toBe(true);
    expect(scoreConfidence(ko, catalog, 0.9).reviewReasons.some((x) => x.includes('catalog productNameKo'))).toBe(true);
    expect(scoreConfidence(inWord, catalog, 0.9).reviewReasons.some((x) => x.includes('catalog formula'))).toBe(false);
  });

  it('sends to review a Korean label whose Korean name was not read, and leaves a label with no confident Hangul alone', () => {
    const korean = withLine({}, {}, line('위험 경고 분자식 용량', 92));
    const noise = withLine({}, {}, line('도리 종 록 주호', 23));
    const says = (r: ReturnType<typeof scoreConfidence>) => r.reviewReasons.some((x) => x.includes('A Korean label') && x.includes('염산'));
    expect(says(scoreConfidence(korean, catalog, 0.9))).toBe(true);
    expect(says(scoreConfidence(noise, catalog, 0.9))).toBe(false);
    expect(says(scoreConfidence(withLine({ productNameKo: '염산' }, { productNameKo: 0.95 }, line('위험 경고 분자식 용량', 92)), catalog, 0.9))).toBe(false);
  });
});

describe('scoreConfidence: values the label does not show', () => {
  const merck: Manufacturer = { ...mfr('Merck', ['Merck KGaA'], ['1\\.\\d{5}\\.\\d{4}']), packInCatalogNumber: '1\\.\\d{5}\\.(\\d{4})' };
  const cat = new Catalog(catalog.entries as CatalogEntry[], [...catalog.manufacturers, merck]);

  it('never lifts a CAS the OCR text does not show, and such a CAS confirms no name', () => {
    const input = hclInput({}, { casNumber: 0.45, productName: 0.6 });
    input.ocrLines = input.ocrLines.filter((l) => !l.text.startsWith('CAS'));
    const r = scoreConfidence(input, catalog, 0.9);
    expect(r.confidence.casNumber!.score).toBeLessThanOrEqual(0.5);
    expect(r.confidence.casNumber!.reasons.at(-1)).toMatch(/not printed in the OCR text: check it against the bottle/);
    expect(r.confidence.productName!.score).toBeLessThan(0.9);
    expect(r.decision).toBe('REVIEW');
    // With the CAS printed, the same record is accepted.
    expect(scoreConfidence(hclInput(), catalog, 0.9).decision).toBe('ACCEPT');
  });

  it('checks the quantity against the pack size a Merck catalog number encodes', () => {
    const make = (code: string, quantity: LabelFields['quantity'], printedQty: string) => {
      const input = hclInput({ manufacturer: 'Merck', catalogNumber: code, quantity }, { quantity: 0.55 });
      input.ocrLines = [line('Merck KGaA'), line('Hydrochloric acid'), line('CAS No. 7647-01-0'), line(code), line(printedQty), line('HCl M.W. 36.46')];
      input.extraction!.evidence = { quantity: `line 5 "${printedQty}" (large-type pack size, '1' read as 'l')` };
      return scoreConfidence(input, cat, 0.9);
    };
    const agree = make('1.00317.1000', { value: 1, unit: 'L' }, '11');
    expect(agree.confidence.quantity!.score).toBe(0.9);
    expect(agree.confidence.quantity!.reasons.at(-1)).toMatch(/agrees with the pack size in the catalog number 1\.00317\.1000/);
    const disagree = make('1.00317.2500', { value: 1, unit: 'L' }, '11');
    expect(disagree.confidence.quantity!.score).toBeLessThanOrEqual(0.5);
    expect(disagree.confidence.quantity!.reasons.at(-1)).toMatch(/is the pack of 2500 g or mL/);
    expect(make('1.00317.0250', { value: 250, unit: 'g' }, '250 g').confidence.quantity!.score).toBeGreaterThanOrEqual(0.9);
  });

  it("does not count a maker named from the catalog-number shape as the shape's confirmation", () => {
    const input = hclInput({ manufacturer: 'Daejung' });
    input.ocrLines = input.ocrLines.filter((l) => l.text !== 'DAEJUNG');
    input.extraction!.evidence = { manufacturer: `line 4 "Cat. No. 4090-4400" ("4090-4400" has the shape of a Daejung catalog number; the maker's name was not read)` };
    input.extraction!.selfConfidence!.manufacturer = 0.7;
    const r = scoreConfidence(input, catalog, 0.9);
    expect(r.confidence.manufacturer!.score).toBeLessThan(0.9);
    expect(scoreConfidence(hclInput(), catalog, 0.9).confidence.manufacturer!.score).toBeGreaterThanOrEqual(0.93);
  });
});

describe('scoreConfidence: grade words', () => {
  it('reads "(HPLC)" after a purity as the assay method, not a missed grade', () => {
    const method = hclInput();
    method.ocrLines.push(line('Purity: >98.0%(HPLC)'));
    expect(scoreConfidence(method, catalog, 0.9).reviewReasons.some((x) => x.includes('grade word'))).toBe(false);
    const grade = hclInput();
    grade.ocrLines.push(line('for HPLC, ≥99.9%'));
    expect(scoreConfidence(grade, catalog, 0.9).reviewReasons.some((x) => x.includes('grade word'))).toBe(true);
  });
});

describe('scoreConfidence: values the reader proposed from the catalog', () => {
  it('keeps a proposed field at 0.5 or below with its own review reason, whatever the catalog says', () => {
    const input = hclInput({ productNameKo: '염산' }, { productNameKo: 0.4 });
    input.extraction!.proposed = ['productNameKo'];
    const r = scoreConfidence(input, catalog, 0.3);
    expect(r.confidence.productNameKo!.score).toBeLessThanOrEqual(0.5);
    expect(r.reviewReasons).toContain('No productNameKo was read; the catalog\'s "염산" for the product named on the label is proposed: check it against the bottle.');
    expect(r.decision).toBe('REVIEW');
    // The same value read on the label is confirmed by the catalog.
    const read = hclInput({ productNameKo: '염산' }, { productNameKo: 0.9 });
    read.ocrLines.push(line('염산'));
    expect(scoreConfidence(read, catalog, 0.9).confidence.productNameKo!.score).toBeGreaterThanOrEqual(0.9);
  });
});

describe('scoreConfidence: bare assays', () => {
  const paddle = (text: string, confidence: number): OcrLine => ({ text, confidence, engine: 'paddle', box: { left: 0, top: 0, width: 100, height: 20 } });
  const withPurity = (conf: number) => {
    const input = hclInput({ purity: '99.8%' }, { purity: 0.93 });
    input.ocrLines = input.ocrLines.map((l) => paddle(l.text, conf));
    input.ocrLines.push(paddle('Assay 99.8%', conf));
    return scoreConfidence(input, catalog, 0.9);
  };

  it('keeps a bare assay of 90 % or more below the threshold on a photo, where a `≥` may have been lost, and not on a crisp label', () => {
    const photo = withPurity(90);
    expect(photo.confidence.purity!.score).toBeLessThanOrEqual(0.85);
    expect(photo.confidence.purity!.reasons.at(-1)).toMatch(/bare assay ≥ 90 % on a photo read at mean OCR confidence 90 < 95/);
    expect(withPurity(98).confidence.purity!.score).toBeGreaterThanOrEqual(0.9);
  });
});

describe('scoreConfidence: Korean names read in part', () => {
  it('does not let the catalog confirm its own spelling of a Korean name the OCR read only in part', () => {
    const part = hclInput({ productNameKo: '염화나트륨' }, { productNameKo: 0.8 });
    part.fields.productName = 'Sodium chloride';
    part.fields.casNumber = '7647-14-5';
    part.ocrLines = [line('DAEJUNG'), line('Sodium chloride'), line('CAS No. 7647-14-5'), line('Cat. No. 4090-4400'), line('500 mL'), line('염 화 나'), line('NaCl M.W. 58.44')];
    part.fields.formula = 'NaCl';
    part.fields.molecularWeight = 58.44;
    const r = scoreConfidence(part, catalog, 0.9);
    expect(r.confidence.productNameKo!.score).toBeLessThanOrEqual(0.85);
    expect(r.confidence.productNameKo!.reasons.at(-1)).toBe('the catalog spelling of a Korean name read only in part');
    part.ocrLines[5] = line('염 화 나 트 륨');
    expect(scoreConfidence(part, catalog, 0.9).confidence.productNameKo!.score).toBeGreaterThanOrEqual(0.95);
  });
});

describe('scoreConfidence: what a label design the reader does not know leaves behind', () => {
  /** Review reasons of the HCl label with these extra OCR lines (and fields). */
  const reasonsWith = (lines: OcrLine[], over: Partial<LabelFields> = {}, self: Record<string, number> = {}) => {
    const input = hclInput(over, self);
    input.ocrLines.push(...lines);
    return scoreConfidence(input, catalog, 0.9).reviewReasons;
  };

  it('finds a stray code behind a key OCR garbled to a sign (`卜:BGY4681`, the ト of ロット)', () => {
    expect(reasonsWith([line('卜:BGY4681', 91)]).some((r) => r.includes('"卜:BGY4681", a code no field was read from'))).toBe(true);
    // A letter and seven digits is a code, though it reads as H6O11O2 with 0 for O.
    expect(reasonsWith([line('卜:H6011002', 91)]).some((r) => r.includes('"卜:H6011002", a code no field was read from'))).toBe(true);
  });

  it('sends to review a label with digits that start like a date but are none, when no date was read; not a well-formed date left unread', () => {
    expect(reasonsWith([line('습 해 삐 뷰 20314858', 64)])).toContain('The label prints "20314858", which starts like a date, but no date was read.');
    // A manufacturing date the reader chose not to take as the expiry.
    expect(reasonsWith([line('제조일자 2025.09.20', 95)]).some((r) => r.includes('starts like a date'))).toBe(false);
    // With the expiry read, nothing is missing.
    expect(reasonsWith([line('습 해 삐 뷰 20314858', 64)], { expiryDate: '2031-05-31' }, { expiryDate: 0.95 }).some((r) => r.includes('starts like a date'))).toBe(false);
  });

  it('sends to review a label with a confident code no field was read from, and not one whose codes are all read', () => {
    const stray = hclInput();
    stray.ocrLines.push(line('N3AU9', 99));
    expect(scoreConfidence(stray, catalog, 0.9).reviewReasons).toContain('The label prints "N3AU9", a code no field was read from (a lot or catalog number whose key was not read?).');
    const read = hclInput({ lotNumber: 'N3AU9' }, { lotNumber: 0.95 });
    read.ocrLines.push(line('Lot N3AU9', 99));
    expect(scoreConfidence(read, catalog, 0.9).reviewReasons.some((r) => r.includes('a code no field was read from'))).toBe(false);
    // Nor is the line a value was read from with look-alikes (0 for O, l for 1): the lot T1KY9, a hydrate formula.
    const lookalike = hclInput({ lotNumber: 'T1KY9', formula: 'NiSO4·6H2O' }, { lotNumber: 0.95 });
    lookalike.ocrLines.push(line('TIKY9', 99), line('NiSO4-6H20', 99));
    expect(scoreConfidence(lookalike, catalog, 0.9).reviewReasons.some((r) => r.includes('a code no field was read from'))).toBe(false);
    // A formula line is no stray code: the product's own formula read with look-alikes (`CHCI2` for CH2Cl2), or any
    // formula where no product is identified.
    const dcm = new Catalog([entry({ name: 'Dichloromethane', cas: '75-09-2', formula: 'CH2Cl2', molecularWeight: 84.93 })], [mfr('Merck', ['Merck'])]);
    const own = hclInput({ manufacturer: 'Merck', productName: 'Dichloromethane', casNumber: '75-09-2', formula: undefined, molecularWeight: undefined });
    own.ocrLines.push(line('CHCI2', 99));
    expect(scoreConfidence(own, dcm, 0.9).reviewReasons.some((r) => r.includes('a code no field was read from'))).toBe(false);
    const unknown = hclInput({ productName: 'Sodium phosphate monobasic', casNumber: '7558-80-7', formula: undefined, molecularWeight: undefined });
    unknown.ocrLines.push(line('NaH2PO4', 99));
    expect(scoreConfidence(unknown, catalog, 0.9).reviewReasons.some((r) => r.includes('a code no field was read from'))).toBe(false);
    // But a code that merely parses as a formula, none of the identified product's, is a code (a lot `W6CS3`).
    const lot = hclInput();
    lot.ocrLines.push(line('W6CS3', 98));
    expect(scoreConfidence(lot, catalog, 0.9).reviewReasons).toContain('The label prints "W6CS3", a code no field was read from (a lot or catalog number whose key was not read?).');
    // A lot behind a garbled, spaced key (`以 卜:` for ロット:).
    expect(reasonsWith([line('以 卜:2107A076', 94)]).some((r) => r.includes('"以 卜:2107A076", a code no field was read from'))).toBe(true);
    // A code read a little below 90 is still a code (`X8UV2` at 89.6, a lot whose key was not read); noise at 70 is not.
    const unsure = hclInput();
    unsure.ocrLines.push(line('X8UV2', 89.6));
    expect(scoreConfidence(unsure, catalog, 0.9).reviewReasons.some((r) => r.includes('"X8UV2", a code no field was read from'))).toBe(true);
    const noise = hclInput();
    noise.ocrLines.push(line('X8UV2', 70));
    expect(scoreConfidence(noise, catalog, 0.9).reviewReasons.some((r) => r.includes('a code no field was read from'))).toBe(false);
    // Nor is a date with the month in letters (a manufacturing date, or the expiry in another form).
    for (const date of ['JAN2027', '10MAY2030', '31-OCT-2029']) {
      const dated = hclInput();
      dated.ocrLines.push(line(date, 99));
      expect(scoreConfidence(dated, catalog, 0.9).reviewReasons.some((r) => r.includes('a code no field was read from'))).toBe(false);
    }
  });

  it('takes an assay range ending above 100 % as plausible, and `97+%` or `以上` as whole expressions', () => {
    const range = scoreConfidence(hclInput({ purity: '99.0-102.0%' }, { purity: 0.8 }), catalog, 0.9);
    expect(range.confidence.purity!.reasons.join(' ')).not.toMatch(/not a plausible percentage/);
    expect(scoreConfidence(hclInput({ purity: '99.0-120.0%' }, { purity: 0.8 }), catalog, 0.9).confidence.purity!.score).toBeLessThanOrEqual(0.3);
    const plus = hclInput({ purity: '97+%' }, { purity: 0.8 });
    plus.ocrLines.push(line('97+%', 99));
    expect(scoreConfidence(plus, catalog, 0.9).confidence.purity!.score).toBeGreaterThanOrEqual(0.9);
  });
});

describe('scoreConfidence: Japanese makers print their grade', () => {
  it('sends to review a Japanese maker label with no grade read, and not one with its grade or another maker', () => {
    const jp = new Catalog(catalog.entries as CatalogEntry[], [...catalog.manufacturers, { ...mfr('Junsei', ['JUNSEI']), country: 'JP' }]);
    const says = (r: ReturnType<typeof scoreConfidence>) => r.reviewReasons.some((x) => x.includes('prints its grade'));
    expect(says(scoreConfidence(hclInput({ manufacturer: 'Junsei' }), jp, 0.9))).toBe(true);
    expect(says(scoreConfidence(hclInput({ manufacturer: 'Junsei', grade: '特級' }, { grade: 0.95 }), jp, 0.9))).toBe(false);
    expect(says(scoreConfidence(hclInput(), jp, 0.9))).toBe(false);
  });

  it('sends to review a Korean maker label with no grade read (most print one, often in a badge), not one with its grade', () => {
    const kr = new Catalog(catalog.entries as CatalogEntry[], [{ ...mfr('Daejung', ['DAEJUNG'], ['\\d{4}-\\d{4}']), country: 'KR' }, mfr('TCI', ['TCI'], ['[A-Z]\\d{4}'])]);
    const says = (r: ReturnType<typeof scoreConfidence>) => r.reviewReasons.some((x) => x.includes('usually prints its grade'));
    expect(says(scoreConfidence(hclInput(), kr, 0.9))).toBe(true);
    expect(says(scoreConfidence(hclInput({ grade: 'GR' }, { grade: 0.95 }), kr, 0.9))).toBe(false);
    expect(says(scoreConfidence(hclInput({ manufacturer: 'TCI', catalogNumber: 'H0001' }), kr, 0.9))).toBe(false);
  });

  it('with the local OCR, holds a label with no grade read only where the page shows a mark no engine read clearly', () => {
    const kr = new Catalog(catalog.entries as CatalogEntry[], [{ ...mfr('Daejung', ['DAEJUNG'], ['\\d{4}-\\d{4}']), country: 'KR' }]);
    const local = (...extra: OcrLine[]) => {
      const input = hclInput();
      input.ocrLines = [...input.ocrLines.map((l) => ({ ...l, engine: 'paddle' as const })), ...extra];
      return scoreConfidence(input, kr, 0.9);
    };
    const held = (r: ReturnType<typeof scoreConfidence>) => r.reviewReasons.find((x) => x.includes('usually prints its grade'));
    // Nothing unread on the page: the label prints no grade.
    expect(held(local())).toBeUndefined();
    const paddle = (text: string, confidence: number): OcrLine => ({ ...line(text, confidence), engine: 'paddle' });
    const tesseract = (text: string, confidence: number): OcrLine => ({ ...line(text, confidence), engine: 'tesseract' });
    // Paddle's Han reading of a 1급 badge, an unsure lone number, a grade word read unsurely, a grade key alone,
    // tesseract's Hangul near a grade word:
    for (const mark of [paddle('1元', 59), paddle('12', 58), paddle('F：特级', 60), paddle('Grade', 100), tesseract('르그', 86)]) {
      expect(held(local(mark))).toContain(`"${mark.text}"`);
    }
    // Not marks: noise under 45, a number a field holds or read confidently, a Han key piece, Hangul far from a grade.
    for (const other of [paddle('企乒', 41), paddle('500', 80), paddle('17', 96), paddle('号', 97), tesseract('내', 90), tesseract('그', 90)]) {
      expect(held(local(other))).toBeUndefined();
    }
    // Textract's lines carry no known marks: the label is held as before.
    const textract = hclInput();
    textract.ocrLines = textract.ocrLines.map((l) => ({ ...l, engine: 'textract' as const }));
    expect(held(scoreConfidence(textract, kr, 0.9))).toBeDefined();
  });
});
