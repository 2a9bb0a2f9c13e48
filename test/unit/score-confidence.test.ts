import { Catalog, type CatalogEntry, type Manufacturer } from '../../functions/shared/catalog';
import type { LabelFields, OcrLine } from '../../functions/shared/contract';
import { scoreConfidence, type ScoreInput } from '../../functions/score-confidence/core';

const entry = (e: Omit<CatalogEntry, 'source' | 'synonyms'> & { synonyms?: string[] }): CatalogEntry => ({ synonyms: [], source: 'shipped', ...e });
const mfr = (name: string, aliases: string[], catalogPatterns: string[] = []): Manufacturer => ({ name, aliases, keywords: [], catalogPatterns, lotPatterns: [] });

const catalog = new Catalog(
  [
    entry({ name: 'Hydrochloric acid', nameKo: '염산', cas: '7647-01-0', formula: 'HCl', molecularWeight: 36.46 }),
    entry({ name: 'Sodium chloride', nameKo: '염화나트륨', cas: '7647-14-5', formula: 'NaCl', molecularWeight: 58.44 }),
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
