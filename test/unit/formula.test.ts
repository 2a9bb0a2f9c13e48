import { codeNotProductFormula, formulaNotCode, formulaWeight, formulasEquivalent, hillKey, normalizeFormula, parseFormula, symbolDistance } from '../../functions/shared/formula';

describe('parseFormula', () => {
  it('counts simple formulas', () => {
    expect(parseFormula('H2SO4')).toEqual({ H: 2, S: 1, O: 4 });
    expect(parseFormula('NaCl')).toEqual({ Na: 1, Cl: 1 });
  });

  it('expands parentheses and brackets, nested', () => {
    expect(parseFormula('(NH4)2SO4')).toEqual({ N: 2, H: 8, S: 1, O: 4 });
    expect(parseFormula('K3[Fe(CN)6]')).toEqual({ K: 3, Fe: 1, C: 6, N: 6 });
  });

  it.each(['CuSO4·5H2O', 'CuSO4.5H2O', 'CuSO4*5H2O', 'CuSO4 · 5 H2O', 'CuSO₄·5H₂O'])('reads the hydrate form %s', (f) => {
    expect(parseFormula(f)).toEqual({ Cu: 1, S: 1, O: 9, H: 10 });
  });

  it('reads decimal hydrate coefficients and ignores charges', () => {
    expect(parseFormula('CaSO4·0.5H2O')).toEqual({ Ca: 1, S: 1, O: 4.5, H: 1 });
    expect(parseFormula('NH4+')).toEqual({ N: 1, H: 4 });
  });

  it.each(['', 'Xx2', 'H2(SO4', 'H2SO4)', 'h2so4', 'CuSO4·'])('rejects %p', (f) => {
    expect(() => parseFormula(f)).toThrow();
  });
});

describe('formulaWeight', () => {
  it.each([
    ['HCl', 36.46],
    ['H2SO4', 98.08],
    ['CuSO4·5H2O', 249.69],
    ['(NH4)6Mo7O24·4H2O', 1235.9],
    ['CDCl3', 120.38],
  ])('%s weighs %d', (f, mw) => {
    expect(formulaWeight(f)).toBeCloseTo(mw, 1);
  });
});

describe('normalizeFormula', () => {
  it('turns OCR-ish text into plain formula text', () => {
    expect(normalizeFormula(' C H ₃ C O O H ')).toBe('CH3COOH');
    expect(normalizeFormula('Na2CO3 • 10H2O')).toBe('Na2CO3·10H2O');
  });
});

describe('formulasEquivalent', () => {
  it('compares by element counts', () => {
    expect(formulasEquivalent('CH3COOH', 'C2H4O2')).toBe(true);
    expect(formulasEquivalent('C2H5OH', 'CH3OCH3')).toBe(true);
    expect(formulasEquivalent('NH2OH·HCl', 'ClH4NO')).toBe(true);
  });

  it('tells different compositions apart, and unparsable text from anything', () => {
    expect(formulasEquivalent('CuSO4', 'CuSO4·5H2O')).toBe(false);
    expect(formulasEquivalent('C2H4O2', 'C2H6O')).toBe(false);
    expect(formulasEquivalent('??', '??')).toBe(false);
  });

  it('builds Hill-order keys', () => {
    expect(hillKey('CH3COOH')).toBe('C2H4O2');
    expect(hillKey('H2SO4')).toBe('H2O4S');
  });
});

describe('formulaNotCode', () => {
  it('takes a formula read with 0 for O as a formula, but not a code shaped one or two letters then 5+ digits', () => {
    expect(formulaNotCode('C14H2806')).toBe(true);
    expect(formulaNotCode('NaH2PO4')).toBe(true);
    expect(formulaNotCode('H6011002')).toBe(false);
    expect(formulaNotCode('CKS4280')).toBe(false);
  });
});

describe('symbolDistance and codeNotProductFormula', () => {
  it('compares element-symbol sequences, with OCR look-alikes read back', () => {
    expect(symbolDistance('C5H,005', 'C5H10O5')).toBe(1);
    expect(symbolDistance('CHCI2', 'CH2Cl2')).toBe(0);
    expect(symbolDistance('W6CS3', 'CH3COONa')).toBeGreaterThanOrEqual(2);
  });

  it('takes a formula-shaped text for a code only when it is none of the identified product formulas', () => {
    expect(codeNotProductFormula('W6CS3', ['CH3COONa', 'C2H3NaO2'])).toBe(true);
    // The product's formula in another form, or read with look-alikes, is its formula.
    expect(codeNotProductFormula('NaC2H3O2', ['CH3COONa', 'C2H3NaO2'])).toBe(false);
    expect(codeNotProductFormula('CH3C0ONa', ['CH3COONa'])).toBe(false);
    // No product identified: nothing to tell a code by.
    expect(codeNotProductFormula('W6CS3', [])).toBe(false);
  });
});
