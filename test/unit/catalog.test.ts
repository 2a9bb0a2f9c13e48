import { isValidCas } from '../../functions/shared/cas';
import { Catalog, CatalogEntry, normalizeName } from '../../functions/shared/catalog';
import { formulaWeight } from '../../functions/shared/formula';

const catalog = Catalog.shipped();

describe('shipped reagent data', () => {
  it('holds at least 350 reagents', () => {
    expect(catalog.entries.length).toBeGreaterThanOrEqual(350);
  });

  it('has a valid check digit on every CAS number', () => {
    expect(catalog.entries.filter((e) => !isValidCas(e.cas)).map((e) => `${e.name} ${e.cas}`)).toEqual([]);
  });

  it('lists every CAS number once', () => {
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    for (const e of catalog.entries) {
      if (seen.has(e.cas)) dupes.push(`${e.cas}: ${seen.get(e.cas)} / ${e.name}`);
      seen.set(e.cas, e.name);
    }
    // The constructor keeps the last entry per CAS, so count the raw file too.
    const raw = require('../../data/reagents.json') as { cas: string }[];
    expect(dupes).toEqual([]);
    expect(new Set(raw.map((e) => e.cas)).size).toBe(raw.length);
  });

  it('agrees within 0.05 between each formula (and formula synonym) and the molecular weight', () => {
    const off: string[] = [];
    for (const e of catalog.entries) {
      for (const f of [e.formula, ...(e.formulaSynonyms ?? [])]) {
        const w = formulaWeight(f);
        if (Math.abs(w - e.molecularWeight) > 0.05) off.push(`${e.name}: ${f} = ${w.toFixed(2)} vs ${e.molecularWeight}`);
      }
    }
    expect(off).toEqual([]);
  });

  it('never gives one normalised name to two different CAS numbers', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const e of catalog.entries) {
      for (const n of [e.name, ...e.synonyms, e.nameKo ?? '', ...(e.synonymsKo ?? [])]) {
        const k = normalizeName(n);
        if (!k) continue;
        if (owner.has(k) && owner.get(k) !== e.cas) clashes.push(`${n}: ${owner.get(k)} / ${e.cas}`);
        owner.set(k, e.cas);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('marks shipped entries as shipped', () => {
    expect(catalog.entries.every((e) => e.source === 'shipped')).toBe(true);
  });
});

describe('normalizeName', () => {
  it('folds case, punctuation, spelling and optical-rotation signs', () => {
    expect(normalizeName('Copper(II) Sulphate, Pentahydrate')).toBe('copper ii sulfate pentahydrate');
    expect(normalizeName('D-(+)-Glucose')).toBe(normalizeName('D-Glucose'));
    expect(normalizeName('n–Hexane')).toBe('n hexane');
    expect(normalizeName('수산화 나트륨')).toBe('수산화나트륨');
  });

  it('keeps locants that tell compounds apart', () => {
    expect(normalizeName('1-Propanol')).not.toBe(normalizeName('2-Propanol'));
    expect(normalizeName('Copper(I) chloride')).not.toBe(normalizeName('Copper(II) chloride'));
  });
});

describe('byCas', () => {
  it('finds by exact and OCR-spaced CAS', () => {
    expect(catalog.byCas('7647-01-0')?.name).toBe('Hydrochloric acid');
    expect(catalog.byCas('7758 - 99 – 8')?.name).toBe('Copper(II) sulfate pentahydrate');
  });

  it('returns undefined for an unknown CAS', () => {
    expect(catalog.byCas('1234-56-6')).toBeUndefined();
    expect(catalog.byCas('not a cas')).toBeUndefined();
  });
});

describe('byName', () => {
  it.each([
    ['HYDROCHLORIC ACID', '7647-01-0'],
    ['Methylene chloride', '75-09-2'],
    ['DCM', '75-09-2'],
    ['Hexane', '110-54-3'],
    ['Isopropyl alcohol', '67-63-0'],
    ['염산', '7647-01-0'],
    ['수산화 나트륨', '1310-73-2'],
    ['황산구리(II) 5수화물', '7758-99-8'],
    ['Copper(II) sulphate pentahydrate', '7758-99-8'],
    ['Hydrochloricacid', '7647-01-0'],
  ])('finds %s', (name, cas) => {
    expect(catalog.byName(name)?.cas).toBe(cas);
  });

  it('tells anhydrous from hydrate', () => {
    expect(catalog.byName('Copper(II) sulfate')?.cas).toBe('7758-98-7');
  });

  it('returns undefined for unknown or misspelt names', () => {
    expect(catalog.byName('Unobtainium chloride')).toBeUndefined();
    expect(catalog.byName('Hydrochlorlc acid')).toBeUndefined();
    expect(catalog.byName('')).toBeUndefined();
  });
});

describe('searchName', () => {
  it.each([
    ['Hydrochlorlc acid', '7647-01-0'],
    ['Sodlum hydroxide', '1310-73-2'],
    ['Acetonltrile', '75-05-8'],
    ['Potassium permanganat', '7722-64-7'],
    ['Dichlorornethane', '75-09-2'],
    ['수산화나트룸', '1310-73-2'],
  ])('ranks the right entry first for OCR-damaged %s', (text, cas) => {
    const [best] = catalog.searchName(text);
    expect(best.entry.cas).toBe(cas);
    expect(best.score).toBeGreaterThan(0.8);
    expect(best.score).toBeLessThan(1);
  });

  it('scores an exact name 1 and returns results best first, one per entry, within the limit', () => {
    const results = catalog.searchName('Ethyl acetate', 3);
    expect(results[0]).toMatchObject({ score: 1, matched: 'Ethyl acetate' });
    expect(results.length).toBeLessThanOrEqual(3);
    expect(new Set(results.map((r) => r.entry.cas)).size).toBe(results.length);
    for (let i = 1; i < results.length; i++) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
  });

  it('returns nothing for text unlike any reagent', () => {
    expect(catalog.searchName('Store below 25 °C, keep tightly closed')).toEqual([]);
    expect(catalog.searchName('')).toEqual([]);
  });

  it('handles 100 searches well under 50 ms', () => {
    const queries = ['Hydrochlorlc acid', 'Sodlum hydroxide', 'Methanoi', 'Ethyl acetat', '500 mL', 'Lot No. 2304A12'];
    for (let i = 0; i < 200; i++) catalog.searchName(queries[i % queries.length]);
    // Best of a few runs: the cores are shared, and a busy neighbour should not fail this test.
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) catalog.searchName(queries[i % queries.length]);
      best = Math.min(best, performance.now() - t0);
    }
    expect(best).toBeLessThan(50);
  });

  it('finds a candidate with several OCR errors (no false negatives from the prefilter)', () => {
    expect(catalog.searchName('bxtyl aceztate')[0]?.entry.cas).toBe('123-86-4');
  });
});

describe('findNamesInText', () => {
  const label = [
    'DAEJUNG',
    'Copper(II) sulfate pentahydrate',
    '황산구리(II) 오수화물 (시약용)',
    'CAS No. 7758-99-8   CuSO4·5H2O   M.W. 249.69',
    'Keep container tightly closed.',
  ].join('\n');

  it('prefers the longest name over names inside it', () => {
    const found = catalog.findNamesInText(label);
    expect(found.map((f) => f.entry.cas)).toEqual(['7758-99-8']);
    expect(found[0].matched).toBe('Copper(II) sulfate pentahydrate');
  });

  it('finds Korean names inside longer Hangul runs', () => {
    expect(catalog.findNamesInText('시약용수산화나트륨 1kg').map((f) => f.entry.cas)).toEqual(['1310-73-2']);
  });

  it('matches whole words only, and abbreviations only in capitals', () => {
    expect(catalog.findNamesInText('Pentanediol-free, methanolic')).toEqual([]);
    expect(catalog.findNamesInText('Solvent: dcm')).toEqual([]);
    expect(catalog.findNamesInText('Solvent: DCM').map((f) => f.entry.cas)).toEqual(['75-09-2']);
  });

  it('reads a name with an optical-rotation sign whole, not only the part after it', () => {
    const found = catalog.findNamesInText('D-(+)-Galactose');
    expect(found.map((f) => f.matched)).toEqual(['D-(+)-Galactose']);
  });

  it('reads an oxidation state whose I was read as l or 1 (`Iron(lll)`, `Copper(1I)`)', () => {
    expect(normalizeName('Iron(lll) chloride')).toBe(normalizeName('Iron(III) chloride'));
    expect(normalizeName('Copper(1I) sulfate')).toBe(normalizeName('Copper(II) sulfate'));
    // Other brackets keep their letters.
    expect(normalizeName('Tris(hydroxymethyl)aminomethane')).toBe('tris hydroxymethyl aminomethane');
    expect(normalizeName('Iron(II) sulfate')).not.toBe(normalizeName('Iron(III) sulfate'));
  });

  it('returns the spelling printed when several of an entry share its key (D-Fructose, D-(-)-Fructose)', () => {
    expect(catalog.findNamesInText('D-Fructose').map((f) => f.matched)).toEqual(['D-Fructose']);
    expect(catalog.findNamesInText('D-(-)-Fructose').map((f) => f.matched)).toEqual(['D-(-)-Fructose']);
  });

  it('ignores a full stop after a name', () => {
    expect(catalog.findNamesInText('Contains Sodium chloride.').map((f) => f.entry.cas)).toEqual(['7647-14-5']);
  });

  it('finds nothing in text without reagent names', () => {
    expect(catalog.findNamesInText('Lot 2304A12  Exp. 2027-03  500 g')).toEqual([]);
  });
});

describe('byFormula', () => {
  it('matches by composition, not spelling', () => {
    expect(catalog.byFormula('C2H4O2').map((e) => e.cas)).toContain('64-19-7');
    expect(catalog.byFormula('CuSO4.5H2O').map((e) => e.cas)).toEqual(['7758-99-8']);
  });

  it('returns every isomer and nothing for unknown or unparsable formulas', () => {
    expect(catalog.byFormula('C8H10').map((e) => e.cas)).toEqual(
      expect.arrayContaining(['1330-20-7', '95-47-6', '108-38-3', '106-42-3', '100-41-4']),
    );
    expect(catalog.byFormula('XeF6')).toEqual([]);
    expect(catalog.byFormula('not a formula')).toEqual([]);
  });
});

describe('casNeighbours', () => {
  it('finds the catalog CAS one substitution away', () => {
    expect(catalog.casNeighbours('7647-01-6').map((e) => e.cas)).toEqual(['7647-01-0']);
  });

  it('finds the catalog CAS one digit inserted or deleted away', () => {
    expect(catalog.casNeighbours('764-01-0').map((e) => e.cas)).toContain('7647-01-0');
    expect(catalog.casNeighbours('77647-01-0').map((e) => e.cas)).toContain('7647-01-0');
  });

  it('does not return the number itself, nor anything for a far-off number', () => {
    expect(catalog.casNeighbours('7647-01-0').map((e) => e.cas)).not.toContain('7647-01-0');
    expect(catalog.casNeighbours('9999999-99-9')).toEqual([]);
  });
});

describe('manufacturers', () => {
  it.each([
    ['DAEJUNG CHEMICALS & METALS CO., LTD.', 'Daejung'],
    ['대정화금(주) 경기도 시흥시', 'Daejung'],
    ['www.daejungchem.co.kr', 'Daejung'],
    ['삼전순약공업(주)', 'Samchun'],
    ['SAMCHUN PURE CHEMICAL', 'Samchun'],
    ['덕산약품공업', 'Duksan'],
    ['純正化学株式会社', 'Junsei'],
    ['SIGMA - ALDRICH', 'Sigma-Aldrich'],
    ['Merck KGaA, 64271 Darmstadt', 'Merck'],
    ['Sigma-Aldrich is a brand of Merck', 'Sigma-Aldrich'],
    ['Thermo Scientific Alfa Aesar', 'Alfa Aesar'],
    ['Thermo Scientific', 'Fisher Scientific'],
    ['東京化成工業株式会社', 'TCI'],
    ['TCI', 'TCI'],
    ['FUJIFILM Wako Pure Chemical Corporation', 'Wako'],
    ['Riedel-de Haën', 'Honeywell'],
    // PaddleOCR's reading of 関東化学株式会社: 関 lost, 東 in its simplified form.
    ['东化学株式会社', 'Kanto Chemical'],
    // …and of 和光純薬: 薬 read as its look-alike 菜, 純 simplified.
    ['和光纯菜', 'Wako'],
  ])('recognises %s', (text, name) => {
    expect(catalog.findManufacturer(text)?.manufacturer.name).toBe(name);
  });

  it('does not find short aliases inside other words, nor brands in unrelated text', () => {
    expect(catalog.findManufacturer('Acetic acid, glacial')).toBeUndefined();
    expect(catalog.findManufacturer('Store at 2-8 °C')).toBeUndefined();
    expect(catalog.findManufacturer('化学株式会社')).toBeUndefined();
    expect(catalog.findManufacturer('东化学')).toBeUndefined();
  });

  it('maps aliases to canonical names', () => {
    expect(catalog.canonicalManufacturer('Sigma')).toBe('Sigma-Aldrich');
    expect(catalog.canonicalManufacturer('MilliporeSigma')).toBe('Sigma-Aldrich');
    expect(catalog.canonicalManufacturer('대정화금')).toBe('Daejung');
    expect(catalog.canonicalManufacturer('Acros Organics')).toBe('Fisher Scientific');
    expect(catalog.canonicalManufacturer('Tokyo Chemical Industry Co., Ltd.')).toBe('TCI');
    expect(catalog.canonicalManufacturer('Unknown Chemicals')).toBeUndefined();
  });

  it('ships compilable catalog and lot patterns that accept the brands\' documented shapes', () => {
    for (const m of catalog.manufacturers) {
      for (const p of [...m.catalogPatterns, ...m.lotPatterns]) expect(() => new RegExp(`^(?:${p})$`)).not.toThrow();
    }
    const accepts = (name: string, value: string): boolean =>
      catalog.manufacturers.find((m) => m.name === name)!.catalogPatterns.some((p) => new RegExp(`^(?:${p})$`).test(value));
    expect(accepts('Daejung', '4090-4400')).toBe(true);
    expect(accepts('Merck', '1.00317.2500')).toBe(true);
    expect(accepts('TCI', 'A0001')).toBe(true);
    expect(accepts('TCI', '4090-4400')).toBe(false);
  });
});

describe('with (learned entries)', () => {
  const learned: CatalogEntry = {
    name: 'Hydrochloric acid 35%',
    synonyms: ['HCl 35% GR'],
    cas: '7647-01-0',
    formula: 'HCl',
    molecularWeight: 36.46,
    source: 'learned',
    learnedAt: '2025-01-01T00:00:00Z',
    manufacturer: 'Daejung',
    catalogNumber: '4090-4400',
  };
  const novel: CatalogEntry = {
    name: 'Zeolite Q',
    synonyms: [],
    cas: '1318-02-1',
    formula: 'SiO2',
    molecularWeight: 60.08,
    source: 'learned',
  };
  const extended = catalog.with([learned, novel]);

  it('lets a learned entry win on the same CAS and adds new ones', () => {
    expect(extended.byCas('7647-01-0')).toBe(learned);
    expect(extended.byName('HCl 35% GR')).toBe(learned);
    expect(extended.byName('Zeolite Q')?.cas).toBe('1318-02-1');
    expect(extended.entries.length).toBe(catalog.entries.length + 1);
  });

  it('leaves the shipped catalog untouched', () => {
    expect(catalog.byCas('7647-01-0')?.source).toBe('shipped');
    expect(catalog.byName('Zeolite Q')).toBeUndefined();
    expect(Catalog.shipped()).toBe(catalog);
  });
});
