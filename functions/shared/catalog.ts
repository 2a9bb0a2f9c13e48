/**
 * The reagent catalog: known reagents (name, synonyms, Korean names, CAS, formula, M.W.) and manufacturers
 * (aliases, label keywords, catalog/lot number shapes). Used to check and repair what a reader extracted.
 * Shipped data lives in data/*.json; entries learned from approved reviews are layered on with `with()`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { normalizeCas } from './cas';
import { hillKey } from './formula';

export interface CatalogEntry {
  name: string;
  synonyms: string[];
  nameKo?: string;
  synonymsKo?: string[];
  cas: string;
  formula: string;
  formulaSynonyms?: string[];
  molecularWeight: number;
  source: 'shipped' | 'learned';
  learnedAt?: string;
  manufacturer?: string;
  catalogNumber?: string;
}

export interface Manufacturer {
  name: string;
  aliases: string[];
  keywords: string[];
  catalogPatterns: string[];
  lotPatterns: string[];
}

export interface NameMatch {
  entry: CatalogEntry;
  score: number;
  matched: string;
}

const DATA_DIR = join(__dirname, '..', '..', 'data');

const ShippedEntry = z.object({
  name: z.string().min(1),
  synonyms: z.array(z.string()).default([]),
  nameKo: z.string().min(1).optional(),
  synonymsKo: z.array(z.string()).optional(),
  cas: z.string().regex(/^\d{2,7}-\d{2}-\d$/),
  formula: z.string().min(1),
  formulaSynonyms: z.array(z.string()).optional(),
  molecularWeight: z.number().positive(),
});
const ShippedManufacturer = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string()),
  keywords: z.array(z.string()).default([]),
  catalogPatterns: z.array(z.string()).default([]),
  lotPatterns: z.array(z.string()).default([]),
});

const HANGUL = '\\u1100-\\u11FF\\u3130-\\u318F\\uAC00-\\uD7A3';
const HANGUL_SPACE_RE = new RegExp(`([${HANGUL}]) +(?=[${HANGUL}])`, 'g');
const HANGUL_CHAR_RE = new RegExp(`[${HANGUL}]`);

// British and American spellings print interchangeably on labels; fold them to one.
const SPELLING: [RegExp, string][] = [
  [/sulph/g, 'sulf'],
  [/aluminium/g, 'aluminum'],
  [/caesium/g, 'cesium'],
];

/**
 * Canonical form of a reagent name for comparison: NFKC, lowercase, British spellings folded, optical-rotation
 * signs "(+)" "(-)" "(±)" dropped (labels print "D(+)-Glucose" and "D-Glucose" alike), every dash, comma,
 * bracket, slash or quote turned into one space, and spaces between Hangul syllables removed (Korean names are
 * printed with and without them). Locants such as "n-", "2-" and "(II)" stay: they distinguish compounds.
 */
export function normalizeName(s: string): string {
  let out = s.normalize('NFKC').toLowerCase();
  for (const [re, rep] of SPELLING) out = out.replace(re, rep);
  return out
    .replace(/\((?:\+|-|−|±|\+\/-|\+-|r\/s|rs)\)/g, ' ')
    .replace(/[‐‑‒–—―−_,;:()[\]{}/\\'"`’‘“”]+/g, ' ')
    .replace(/-/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(HANGUL_SPACE_RE, '$1');
}

/** Lowercase letters/digits/CJK only: for manufacturer matching, where spacing and punctuation vary freely. */
function compact(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function levenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

function bigrams(s: string): string[] {
  const padded = ` ${s} `;
  const out: string[] = [];
  for (let i = 0; i < padded.length - 1; i++) out.push(padded.slice(i, i + 2));
  return out;
}

interface NameVariant {
  entry: CatalogEntry;
  text: string;
  norm: string;
  /** Short all-caps abbreviations ("DCM", "THF") are only trusted in free text when printed in capitals. */
  caseSensitive: boolean;
  gramCount: number;
}

const MAX_NAME_TOKENS = 10;

let shippedCache: Catalog | undefined;

export class Catalog {
  readonly entries: readonly CatalogEntry[];
  readonly manufacturers: readonly Manufacturer[];

  private readonly casIndex = new Map<string, CatalogEntry>();
  private readonly casDigitsIndex = new Map<string, CatalogEntry>();
  private readonly nameIndex = new Map<string, NameVariant>();
  private readonly compactNameIndex = new Map<string, NameVariant>();
  private readonly formulaIndex = new Map<string, CatalogEntry[]>();
  private readonly variants: NameVariant[] = [];
  private readonly gramIndex = new Map<string, number[]>();
  private readonly manufacturerAliases: { manufacturer: Manufacturer; text: string; key: string; word: boolean }[] =
    [];
  private readonly manufacturerByCompact = new Map<string, Manufacturer>();

  /** The shipped data (data/reagents.json, data/manufacturers.json), loaded and indexed once per process. */
  static shipped(): Catalog {
    if (!shippedCache) {
      const read = (file: string): unknown => JSON.parse(readFileSync(join(DATA_DIR, file), 'utf8'));
      const entries = z
        .array(ShippedEntry)
        .parse(read('reagents.json'))
        .map((e): CatalogEntry => ({ ...e, source: 'shipped' }));
      const manufacturers = z.array(ShippedManufacturer).parse(read('manufacturers.json'));
      shippedCache = new Catalog(entries, manufacturers);
    }
    return shippedCache;
  }

  constructor(entries: CatalogEntry[], manufacturers: Manufacturer[]) {
    // Last one wins on a repeated CAS, so `with()` can override by appending.
    const byCas = new Map<string, CatalogEntry>();
    for (const e of entries) byCas.set(e.cas, e);
    this.entries = Object.freeze([...byCas.values()]);
    this.manufacturers = Object.freeze([...manufacturers]);
    this.indexEntries();
    this.indexManufacturers();
  }

  private indexEntries(): void {
    // Priority tiers for names that several entries share: primary names before synonyms, learned before shipped.
    const ordered = [...this.entries].sort((a, b) => (a.source === b.source ? 0 : a.source === 'learned' ? -1 : 1));
    const tiers: [CatalogEntry, string][][] = [[], [], []];
    for (const e of ordered) {
      tiers[0].push([e, e.name]);
      if (e.nameKo) tiers[0].push([e, e.nameKo]);
      for (const s of e.synonyms) tiers[1].push([e, s]);
      for (const s of e.synonymsKo ?? []) tiers[2].push([e, s]);
    }
    const seen = new Set<string>();
    for (const [entry, text] of tiers.flat()) {
      const norm = normalizeName(text);
      if (!norm) continue;
      const dedupe = `${entry.cas}\u0000${norm}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const caseSensitive = /^[A-Z0-9]{2,5}$/.test(text.trim());
      const grams = [...new Set(bigrams(norm))];
      const v: NameVariant = { entry, text, norm, caseSensitive, gramCount: grams.length };
      const id = this.variants.push(v) - 1;
      for (const g of grams) {
        let list = this.gramIndex.get(g);
        if (!list) this.gramIndex.set(g, (list = []));
        list.push(id);
      }
      if (!this.nameIndex.has(norm)) this.nameIndex.set(norm, v);
      const c = norm.replace(/ /g, '');
      if (!this.compactNameIndex.has(c)) this.compactNameIndex.set(c, v);
    }
    for (const e of this.entries) {
      this.casIndex.set(e.cas, e);
      this.casDigitsIndex.set(e.cas.replace(/-/g, ''), e);
      const keys = new Set<string>();
      for (const f of [e.formula, ...(e.formulaSynonyms ?? [])]) {
        const k = hillKey(f);
        if (k) keys.add(k);
      }
      for (const k of keys) {
        let list = this.formulaIndex.get(k);
        if (!list) this.formulaIndex.set(k, (list = []));
        list.push(e);
      }
    }
  }

  private indexManufacturers(): void {
    for (const m of this.manufacturers) {
      for (const text of [m.name, ...m.aliases, ...m.keywords]) {
        const key = compact(text);
        if (!key) continue;
        // Short Latin aliases ("TCI", "VWR") would match inside other words once spacing is gone; match them as words.
        const word = key.length <= 5 && /^[a-z0-9]+$/.test(key);
        this.manufacturerAliases.push({ manufacturer: m, text, key, word });
        if (!this.manufacturerByCompact.has(key)) this.manufacturerByCompact.set(key, m);
      }
    }
    this.manufacturerAliases.sort((a, b) => b.key.length - a.key.length);
  }

  /** Entry for a CAS number; OCR-ish forms ("7647 - 01 - 0") are normalised first. */
  byCas(cas: string): CatalogEntry | undefined {
    const n = normalizeCas(cas) ?? cas.trim();
    return this.casIndex.get(n);
  }

  /** Exact match on the normalised name, a synonym or a Korean name (spaces optional). */
  byName(name: string): CatalogEntry | undefined {
    const norm = normalizeName(name);
    if (!norm) return undefined;
    return (this.nameIndex.get(norm) ?? this.compactNameIndex.get(norm.replace(/ /g, '')))?.entry;
  }

  /**
   * Fuzzy name search: similarity = 1 − edit distance / longer length, on normalised names, best first, one
   * result per entry. Candidates are prefiltered by shared character bigrams so only a few get the edit distance.
   */
  searchName(text: string, limit = 5, minScore = 0.6): NameMatch[] {
    const norm = normalizeName(text);
    if (!norm) return [];
    const grams = [...new Set(bigrams(norm))];
    const shared = new Map<number, number>();
    for (const g of grams) for (const id of this.gramIndex.get(g) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    const best = new Map<CatalogEntry, NameMatch>();
    for (const [id, count] of shared) {
      const v = this.variants[id];
      // Dice coefficient on bigrams: a cheap upper-bound-ish filter before the exact edit distance.
      if ((2 * count) / (grams.length + v.gramCount) < minScore * 0.6) continue;
      const longer = Math.max(norm.length, v.norm.length);
      const maxDist = Math.floor(longer * (1 - minScore));
      const d = levenshtein(norm, v.norm, maxDist);
      if (d > maxDist) continue;
      const score = 1 - d / longer;
      if (score < minScore) continue;
      const prev = best.get(v.entry);
      if (!prev || score > prev.score) best.set(v.entry, { entry: v.entry, score, matched: v.text });
    }
    return [...best.values()]
      .sort((a, b) => b.score - a.score || a.matched.length - b.matched.length)
      .slice(0, limit);
  }

  /**
   * Catalog names and synonyms that occur in a block of (OCR) text, whole words only, longest match preferred
   * where matches overlap. Korean names are also found inside longer Hangul runs ("시약용수산화나트륨").
   * Every match has score 1 (exact); callers wanting OCR-tolerant lookup of one line use `searchName`.
   */
  findNamesInText(text: string): NameMatch[] {
    const tokens: { raw: string; norm: string; start: number; end: number }[] = [];
    const re = /[^\s‐‑‒–—―−\-_,;:()[\]{}/\\'"`’‘“”]+/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const norm = normalizeName(m[0]);
      if (norm) tokens.push({ raw: m[0], norm, start: m.index, end: m.index + m[0].length });
    }
    type Hit = NameMatch & { start: number; end: number };
    const hits: Hit[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let joined = '';
      for (let j = i; j < Math.min(tokens.length, i + MAX_NAME_TOKENS); j++) {
        joined = j === i ? tokens[j].norm : `${joined} ${tokens[j].norm}`;
        const key = joined.replace(HANGUL_SPACE_RE, '$1');
        const v = this.nameIndex.get(key);
        if (!v) continue;
        if (v.caseSensitive && tokens.slice(i, j + 1).some((t) => t.raw !== t.raw.toUpperCase())) continue;
        hits.push({ entry: v.entry, matched: v.text, score: 1, start: tokens[i].start, end: tokens[j].end });
      }
    }
    for (const run of text.matchAll(new RegExp(`[${HANGUL}]+`, 'g'))) {
      const s = run[0];
      for (const v of this.variants) {
        if (!HANGUL_CHAR_RE.test(v.norm) || v.norm.length < 2 || v.norm.length >= s.length) continue;
        for (let at = s.indexOf(v.norm); at >= 0; at = s.indexOf(v.norm, at + 1)) {
          hits.push({ entry: v.entry, matched: v.text, score: 1, start: run.index + at, end: run.index + at + v.norm.length });
        }
      }
    }
    hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const taken: Hit[] = [];
    const seen = new Set<CatalogEntry>();
    for (const h of hits) {
      if (taken.some((t) => h.start < t.end && t.start < h.end)) continue;
      taken.push(h);
    }
    taken.sort((a, b) => a.start - b.start);
    const out: NameMatch[] = [];
    for (const h of taken) {
      if (seen.has(h.entry)) continue;
      seen.add(h.entry);
      out.push({ entry: h.entry, matched: h.matched, score: h.score });
    }
    return out;
  }

  /** Entries whose formula (or a formula synonym) has the same element counts. */
  byFormula(formula: string): CatalogEntry[] {
    const k = hillKey(formula);
    return k ? [...(this.formulaIndex.get(k) ?? [])] : [];
  }

  /**
   * Catalog CAS numbers one edit from `cas` (one digit substituted, inserted or deleted; hyphens ignored), not
   * counting `cas` itself. A single neighbour is a safe OCR repair; several mean the reading is ambiguous.
   */
  casNeighbours(cas: string): CatalogEntry[] {
    const digits = cas.replace(/\D/g, '');
    if (digits.length < 4) return [];
    const found = new Set<CatalogEntry>();
    const probe = (d: string): void => {
      if (d === digits) return;
      const e = this.casDigitsIndex.get(d);
      if (e) found.add(e);
    };
    for (let i = 0; i <= digits.length; i++) {
      if (i < digits.length) probe(digits.slice(0, i) + digits.slice(i + 1));
      for (let c = 0; c <= 9; c++) {
        const ch = String(c);
        probe(digits.slice(0, i) + ch + digits.slice(i));
        if (i < digits.length && ch !== digits[i]) probe(digits.slice(0, i) + ch + digits.slice(i + 1));
      }
    }
    return [...found];
  }

  /** The manufacturer whose name, alias or label keyword (e.g. its web domain) occurs in `text`; longest wins. */
  findManufacturer(text: string): { manufacturer: Manufacturer; matched: string } | undefined {
    const whole = compact(text);
    if (!whole) return undefined;
    const words = new Set(
      text
        .normalize('NFKC')
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean),
    );
    const lower = text.normalize('NFKC').toLowerCase();
    for (const a of this.manufacturerAliases) {
      if (a.word) {
        // Word match, also across spacing inside the alias ("T C I" is rare; "J.T.Baker" is covered by length).
        if (words.has(a.key) || new RegExp(`(^|[^\\p{L}\\p{N}])${a.key}($|[^\\p{L}\\p{N}])`, 'u').test(lower)) {
          return { manufacturer: a.manufacturer, matched: a.text };
        }
      } else if (whole.includes(a.key)) {
        return { manufacturer: a.manufacturer, matched: a.text };
      }
    }
    return undefined;
  }

  /** Canonical manufacturer name for an alias ("Sigma", "대정화금", "DAEJUNG CHEMICALS & METALS" → canonical). */
  canonicalManufacturer(name: string): string | undefined {
    const key = compact(name);
    if (!key) return undefined;
    return (this.manufacturerByCompact.get(key) ?? this.findManufacturer(name)?.manufacturer)?.name;
  }

  /** A new catalog that also holds `extra` (learned) entries; on the same CAS the extra entry wins. */
  with(extra: CatalogEntry[]): Catalog {
    return new Catalog([...this.entries, ...extra], [...this.manufacturers]);
  }
}
