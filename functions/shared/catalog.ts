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
  /**
   * Names of a parent group that also sells under other brands ("Thermo Scientific" on Alfa Aesar labels, "Merck" on
   * Sigma-Aldrich labels). They identify this manufacturer only when no brand alias or keyword is found.
   */
  groupAliases?: string[];
  /**
   * ISO 3166 country of the maker: Korean makers ('KR') print the Korean product name on their labels, Japanese
   * makers ('JP') the grade (特級, 一級, …).
   */
  country?: string;
  /**
   * A catalog number that encodes the pack size: a regular expression for the whole number whose first group is the
   * amount in g or mL (Merck's `1.06009.2500` is 2.5 L). A read quantity is checked against it.
   */
  packInCatalogNumber?: string;
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
  groupAliases: z.array(z.string()).optional(),
  country: z.string().length(2).optional(),
  packInCatalogNumber: z.string().optional(),
});

const HANGUL = '\\u1100-\\u11FF\\u3130-\\u318F\\uAC00-\\uD7A3';
const HANGUL_SPACE_RE = new RegExp(`([${HANGUL}]) +(?=[${HANGUL}])`, 'g');
const HANGUL_CHAR_RE = new RegExp(`[${HANGUL}]`);
const HANGUL_RUN_RE = new RegExp(`[${HANGUL}]+`, 'g');
const HANGUL_ONLY_RE = new RegExp(`^[${HANGUL}]+$`);

// British and American spellings print interchangeably on labels; fold them to one.
const SPELLING: [RegExp, string][] = [
  [/sulph/g, 'sulf'],
  [/aluminium/g, 'aluminum'],
  [/caesium/g, 'cesium'],
];
/** An oxidation state in Roman numerals whose I's were read as l, 1 or | (`Iron(lll)`, `Copper(1I)`). */
const MISREAD_ROMAN_RE = /\(([il1|]{1,3}|[il1|]?v|v[il1|]{1,3})\)/g;

/**
 * Canonical form of a reagent name for comparison: NFKC, lowercase, British spellings folded, optical-rotation
 * signs "(+)" "(-)" "(±)" dropped (labels print "D(+)-Glucose" and "D-Glucose" alike), every dash, comma,
 * bracket, slash or quote turned into one space, and spaces between Hangul syllables removed (Korean names are
 * printed with and without them). Locants such as "n-", "2-" and "(II)" stay: they distinguish compounds.
 */
export function normalizeName(s: string): string {
  let out = s.normalize('NFKC').toLowerCase();
  for (const [re, rep] of SPELLING) out = out.replace(re, rep);
  out = out.replace(MISREAD_ROMAN_RE, (m) => m.replace(/[l1|]/g, 'i'));
  return out
    .replace(/\((?:\+|-|−|±|\+\/-|\+-|r\/s|rs)\)/g, ' ')
    .replace(/[‐‑‒–—―−_,;:()[\]{}/\\'"`’‘“”]+/g, ' ')
    .replace(/-/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(HANGUL_SPACE_RE, '$1');
}

/** Case and spacing folded: two spellings of a name that differ only in these are the same print. */
const squashCase = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/**
 * Simplified Chinese forms PaddleOCR's recogniser returns for the Japanese kanji of makers' names (`东化学` for 東化学),
 * the traditional 藥, and its look-alike misreading of 薬 (`和光純菜`).
 */
const JAPANESE_FORMS: Record<string, string> = { 东: '東', 关: '関', 纯: '純', 药: '薬', 藥: '薬', 菜: '薬', 业: '業', 试: '試' };
const SIMPLIFIED_RE = new RegExp(`[${Object.keys(JAPANESE_FORMS).join('')}]`, 'g');

/**
 * Manufacturer matching form, where spacing and punctuation vary freely: NFKC, lower case, letters and digits only,
 * simplified kanji in their Japanese forms.
 */
function compact(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
    .replace(SIMPLIFIED_RE, (c) => JAPANESE_FORMS[c]);
}

// Reused rows: the fuzzy search runs thousands of distances per label, and allocation dominated the cost.
let rowA = new Uint16Array(64);
let rowB = new Uint16Array(64);

/** Edit distance, or max + 1 as soon as it is certain to exceed `max`. Only the diagonal band of width max is filled. */
function levenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rowA.length <= b.length + 1) {
    rowA = new Uint16Array(b.length * 2 + 2);
    rowB = new Uint16Array(b.length * 2 + 2);
  }
  const big = max + 1;
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j <= max ? j : big;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    cur[lo - 1] = lo === 1 ? (i <= max ? i : big) : big;
    let rowMin = cur[lo - 1];
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const sub = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      let v = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
      if (v > big) v = big;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < b.length) cur[hi + 1] = big;
    if (rowMin > max) return big;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[b.length], big);
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
  /** `norm` without spaces when it is Latin letters and digits only (names `searchNameTail` compares), else undefined. */
  latinCompact?: string;
}

const MAX_NAME_TOKENS = 10;

let shippedCache: Catalog | undefined;

/** See `Catalog.nameWords`. */
export interface NameWords {
  all: ReadonlySet<string>;
  leading: ReadonlySet<string>;
  trailing: ReadonlySet<string>;
  /** Pairs of adjacent Hangul syllables in the catalog's Korean names (`염화`, `나트`, `트륨`). */
  koreanPairs: ReadonlySet<string>;
}

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
  private gramCounts = new Uint16Array(0);
  private readonly gramPostings = new Map<string, Int32Array>();
  // Per-variant numbers in flat arrays: the candidate loop runs ~1000 times per search and object reads dominated.
  private variantLengths = new Int32Array(0);
  private variantGramCounts = new Int32Array(0);
  /** Korean names without spaces or Latin letters, for finding them inside longer Hangul runs. */
  private readonly koreanIndex = new Map<string, NameVariant>();
  private maxKoreanLength = 0;
  private readonly manufacturerAliases: {
    manufacturer: Manufacturer;
    text: string;
    key: string;
    word: boolean;
    group: boolean;
  }[] = [];
  private readonly manufacturerByCompact = new Map<string, Manufacturer>();
  private nameWordSets?: NameWords;

  /** The shipped data (data/reagents.json, data/manufacturers.json), loaded and indexed once per process. */
  static shipped(): Catalog {
    if (!shippedCache) {
      const read = (file: string): unknown => JSON.parse(readFileSync(join(DATA_DIR, file), 'utf8'));
      const entries = z
        .array(ShippedEntry)
        .parse(read('reagents.json'))
        .map((e): CatalogEntry => ({ ...e, source: 'shipped' }));
      const manufacturers: Manufacturer[] = z.array(ShippedManufacturer).parse(read('manufacturers.json'));
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
      const compactNorm = norm.replace(/ /g, '');
      const v: NameVariant = { entry, text, norm, caseSensitive, gramCount: grams.length, latinCompact: /^[a-z0-9]+$/.test(compactNorm) ? compactNorm : undefined };
      const id = this.variants.push(v) - 1;
      for (const g of grams) {
        let list = this.gramIndex.get(g);
        if (!list) this.gramIndex.set(g, (list = []));
        list.push(id);
      }
      if (!this.nameIndex.has(norm)) this.nameIndex.set(norm, v);
      if (norm.length >= 2 && HANGUL_ONLY_RE.test(norm) && !this.koreanIndex.has(norm)) {
        this.koreanIndex.set(norm, v);
        this.maxKoreanLength = Math.max(this.maxKoreanLength, norm.length);
      }
      if (!this.compactNameIndex.has(compactNorm)) this.compactNameIndex.set(compactNorm, v);
    }
    this.gramCounts = new Uint16Array(this.variants.length);
    for (const [g, list] of this.gramIndex) this.gramPostings.set(g, Int32Array.from(list));
    this.gramIndex.clear();
    this.variantLengths = Int32Array.from(this.variants, (v) => v.norm.length);
    this.variantGramCounts = Int32Array.from(this.variants, (v) => v.gramCount);
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
      const named: [string, boolean][] = [...[m.name, ...m.aliases, ...m.keywords].map((t): [string, boolean] => [t, false])];
      for (const t of m.groupAliases ?? []) named.push([t, true]);
      for (const [text, group] of named) {
        const key = compact(text);
        if (!key) continue;
        // Short Latin aliases ("TCI", "VWR") would match inside other words once spacing is gone; match them as words.
        const word = key.length <= 5 && /^[a-z0-9]+$/.test(key);
        this.manufacturerAliases.push({ manufacturer: m, text, key, word, group });
        if (!this.manufacturerByCompact.has(key)) this.manufacturerByCompact.set(key, m);
        // A Japanese company name OCR reads without its first kanji (`東化学株式会社` for 関東化学株式会社, whose 関
        // PaddleOCR's Chinese recogniser does not have): the rest, with 株式会社 after it, still names the maker.
        if (/^\p{Script=Han}{4,}$/u.test(key)) this.manufacturerAliases.push({ manufacturer: m, text, key: `${key.slice(1)}株式会社`, word: false, group });
      }
    }
    this.manufacturerAliases.sort((a, b) => Number(a.group) - Number(b.group) || b.key.length - a.key.length);
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
    const counts = this.gramCounts;
    const touched: number[] = [];
    for (const g of grams) {
      const list = this.gramPostings.get(g);
      if (!list) continue;
      for (let k = 0; k < list.length; k++) {
        const id = list[k];
        if (counts[id]++ === 0) touched.push(id);
      }
    }
    // Branch and bound: the shared-bigram count caps each candidate's score (one edit removes at most two distinct
    // bigrams), so candidates are tried best-cap first and the search stops once no cap can beat the results so far.
    const candidates: { v: NameVariant; cap: number; longer: number }[] = [];
    const lengths = this.variantLengths;
    const gramSizes = this.variantGramCounts;
    for (let k = 0; k < touched.length; k++) {
      const id = touched[k];
      const count = counts[id];
      counts[id] = 0;
      const len = lengths[id];
      const longer = norm.length > len ? norm.length : len;
      const byLength = norm.length > len ? norm.length - len : len - norm.length;
      const byGrams = Math.ceil(((grams.length > gramSizes[id] ? grams.length : gramSizes[id]) - count) / 2);
      const cap = 1 - (byLength > byGrams ? byLength : byGrams) / longer;
      if (cap >= minScore) candidates.push({ v: this.variants[id], cap, longer });
    }
    candidates.sort((a, b) => b.cap - a.cap);
    const best = new Map<CatalogEntry, NameMatch>();
    let bar = minScore;
    for (const { v, cap, longer } of candidates) {
      if (cap < bar) break;
      const maxDist = Math.floor(longer * (1 - bar) + 1e-9);
      const d = levenshtein(norm, v.norm, maxDist);
      if (d > maxDist) continue;
      const score = 1 - d / longer;
      const prev = best.get(v.entry);
      if (prev && score <= prev.score) continue;
      best.set(v.entry, { entry: v.entry, score, matched: v.text });
      if (best.size >= limit) {
        const scores = [...best.values()].map((m) => m.score).sort((a, b) => b - a);
        // Ties with the current last place may still win on a shorter matched name, so keep equal caps in play.
        bar = Math.max(minScore, scores[limit - 1]);
      }
    }
    return [...best.values()]
      .sort((a, b) => b.score - a.score || a.matched.length - b.matched.length)
      .slice(0, limit);
  }

  /**
   * Names whose end the text is: a label photographed with its left edge cut off (`ketyisalicylicacid` for
   * "Acetylsalicylic acid"). Compared without spaces against the last characters of each Latin name or synonym
   * (the text's length, ±2), similarity = 1 − edit distance / text length; only names longer than the text, best
   * first, one result per entry. Texts under 8 letters are too short to say whose end they are.
   */
  searchNameTail(text: string, limit = 3, minScore = 0.85): NameMatch[] {
    const t = normalizeName(text).replace(/ /g, '');
    if (t.length < 8 || !/^[a-z0-9]+$/.test(t)) return [];
    const maxDist = Math.floor(t.length * (1 - minScore) + 1e-9);
    const best = new Map<CatalogEntry, NameMatch>();
    for (const v of this.variants) {
      const full = v.latinCompact;
      if (!full || full.length <= t.length) continue;
      for (let n = Math.max(1, t.length - 2); n <= Math.min(full.length - 1, t.length + 2); n++) {
        const d = levenshtein(t, full.slice(full.length - n), maxDist);
        if (d > maxDist) continue;
        const score = 1 - d / t.length;
        const prev = best.get(v.entry);
        if (!prev || score > prev.score) best.set(v.entry, { entry: v.entry, score, matched: v.text });
      }
    }
    return [...best.values()].sort((a, b) => b.score - a.score || a.matched.length - b.matched.length).slice(0, limit);
  }

  /**
   * The Latin words of 3+ letters the catalog's names and synonyms are made of, lower-cased (`sodium`, `tartrate`,
   * `tetrahydrate`, `methyl`): a new product's name is mostly made of them, a pictogram read as `HHO` is not.
   * `leading` holds the words printed before a space in some name (`potassium` of `Potassium sulfate`), `trailing`
   * those printed after one (`sulfate`); `koreanPairs` does the same for Korean names, syllable pair by pair.
   */
  nameWords(): NameWords {
    if (!this.nameWordSets) {
      const all = new Set<string>();
      const leading = new Set<string>();
      const trailing = new Set<string>();
      const koreanPairs = new Set<string>();
      for (const e of this.entries) {
        for (const n of [e.nameKo, ...(e.synonymsKo ?? [])]) {
          const syllables = (n ?? '').replace(/[^\uAC00-\uD7A3]/g, '');
          for (let i = 0; i + 1 < syllables.length; i++) koreanPairs.add(syllables.slice(i, i + 2));
        }
        for (const n of [e.name, ...e.synonyms]) {
          const spaced = n.toLowerCase().split(/\s+/);
          spaced.forEach((part, i) => {
            if (i < spaced.length - 1 && /^[a-z]{3,}$/.test(part)) leading.add(part);
            if (i > 0 && /^[a-z]{3,}$/.test(part)) trailing.add(part);
          });
          for (const w of n.toLowerCase().split(/[^a-z]+/)) if (w.length >= 3) all.add(w);
        }
      }
      this.nameWordSets = { all, leading, trailing, koreanPairs };
    }
    return this.nameWordSets;
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
      // A sentence's full stop is not part of the name ("... Sodium chloride.").
      const raw = m[0].replace(/\.+$/, '');
      const norm = normalizeName(raw);
      // An optical-rotation sign left alone by the split (`+` of `D-(+)-Galactose`) is dropped, as normalizeName
      // drops `(+)` from the catalog's names.
      if (norm && /[\p{L}\p{N}]/u.test(norm)) tokens.push({ raw, norm, start: m.index, end: m.index + raw.length });
    }
    type Hit = NameMatch & { start: number; end: number };
    const hits: Hit[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let joined = '';
      for (let j = i; j < Math.min(tokens.length, i + MAX_NAME_TOKENS); j++) {
        joined = j === i ? tokens[j].norm : `${joined} ${tokens[j].norm}`;
        const key = joined.replace(HANGUL_SPACE_RE, '$1');
        const v = this.nameIndex.get(key);
        // One-syllable Korean names (은, 물, 황) and two-letter abbreviations are ordinary words in free text.
        if (!v || key.length < (HANGUL_CHAR_RE.test(key) ? 2 : 3)) continue;
        if (v.caseSensitive && tokens.slice(i, j + 1).some((t) => t.raw !== t.raw.toUpperCase())) continue;
        // Of the entry's spellings that share this key (`D-(-)-Fructose`, `D-Fructose`), the one printed.
        const seg = squashCase(text.slice(tokens[i].start, tokens[j].end));
        const printed = [v.entry.name, ...v.entry.synonyms].find((n) => squashCase(n) === seg);
        hits.push({ entry: v.entry, matched: printed ?? v.text, score: 1, start: tokens[i].start, end: tokens[j].end });
      }
    }
    for (const run of text.normalize('NFKC').matchAll(HANGUL_RUN_RE)) {
      const s = run[0];
      for (let i = 0; i < s.length - 1; i++) {
        for (let len = 2; len <= Math.min(s.length - i, this.maxKoreanLength); len++) {
          const v = this.koreanIndex.get(s.slice(i, i + len));
          if (v) hits.push({ entry: v.entry, matched: v.text, score: 1, start: run.index + i, end: run.index + i + len });
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

  /**
   * The manufacturer whose name, alias or label keyword (e.g. its web domain) occurs in `text`. Brand names beat
   * parent-group names; among those the longest match wins. Short Latin aliases must stand as whole words.
   */
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
    for (const a of this.manufacturerAliases) {
      if (a.word ? words.has(a.key) : whole.includes(a.key)) return { manufacturer: a.manufacturer, matched: a.text };
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
