/**
 * Synthetic, labelled reagent-bottle labels in designs the development set does not have (makers other than
 * Daejung, Samchun, Sigma-Aldrich, TCI and Merck; five layouts of our own; English, Korean and Japanese keys).
 * Used to check that the label reader generalises to label designs it has never seen.
 *
 * Output matches the devset: OUT/img_0001.jpg + OUT/img_0001.json (ground truth: a key only for a value printed
 * on the label) and OUT/index.csv (`file,template,difficulty`, template = maker). OUT/GENERATION.txt records the
 * arguments and each label's layout and language. Difficulty `clean` is the flat render; `photo` puts the label
 * on a bottle-like background, rotated, blurred and noisy.
 *
 *   npx tsx scripts/make-labels.ts [--out DIR] [--count N] [--seed N]
 *   npm run make-labels -- --count 40 --out /tmp/synthetic-labels
 *
 * Defaults: --out /tmp/synthetic-labels, --count 40, --seed 1. The same seed gives the same labels.
 * Korean and Japanese text needs the Noto CJK fonts (Debian: `apt-get install fonts-noto-cjk`); librsvg draws
 * boxes for them otherwise. Not used by the tests.
 * Products come from data/reagents.json; maker names and catalogue-number patterns from data/manufacturers.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

// ---------------------------------------------------------------- options and randomness

interface Options {
  out: string;
  count: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const count = Number(opt('--count') ?? 40);
  const seed = Number(opt('--seed') ?? 1);
  if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a positive integer');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  return { out: path.resolve(opt('--out') ?? '/tmp/synthetic-labels'), count, seed };
}

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }
  /** Roughly normal, mean 0 and standard deviation 1 (sum of four uniforms). */
  gauss(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * Math.sqrt(3);
  }
}

// ---------------------------------------------------------------- data

interface Reagent {
  name: string;
  synonyms: string[];
  nameKo?: string;
  cas: string;
  formula: string;
  molecularWeight: number;
}

interface ManufacturerEntry {
  name: string;
  aliases: string[];
  catalogPatterns: string[];
}

type Lang = 'en' | 'ko' | 'ja';
type Field = 'cas' | 'cat' | 'lot' | 'grade' | 'purity' | 'qty' | 'formula' | 'mw' | 'expiry';
type Unit = 'mL' | 'L' | 'g' | 'kg';

/** How one maker's labels look: the name printed as a logo, the company line, colours, languages. */
interface MakerStyle {
  name: string;
  slug: string;
  langs: Lang[];
  logos: string[];
  lines: string[];
  colours: string[];
  site?: string;
}

const MAKERS: MakerStyle[] = [
  { name: 'Junsei', slug: 'junsei', langs: ['ja', 'ja', 'en'], logos: ['JUNSEI', 'JUNSEI CHEMICAL', '純正化学'], lines: ['Junsei Chemical Co., Ltd.', '純正化学株式会社'], colours: ['#1f6b3a', '#0f4c81', '#7b1f2b'], site: 'www.junsei.co.jp' },
  { name: 'Duksan', slug: 'duksan', langs: ['ko'], logos: ['DUKSAN', '덕산약품공업', 'DUKSAN PURE CHEMICALS'], lines: ['덕산약품공업(주)', 'Duksan Pure Chemicals Co., Ltd.'], colours: ['#c62828', '#1a237e', '#00695c'] },
  { name: 'Alfa Aesar', slug: 'alfa', langs: ['en'], logos: ['Alfa Aesar', 'ALFA AESAR'], lines: ['Alfa Aesar GmbH'], colours: ['#b71c1c', '#e65100', '#4a148c'], site: 'www.alfa.com' },
  { name: 'Fisher Scientific', slug: 'fisher', langs: ['en'], logos: ['Fisher Chemical', 'Fisher Scientific', 'Acros Organics'], lines: ['Fisher Scientific'], colours: ['#0d47a1', '#00695c', '#37474f'], site: 'www.fishersci.com' },
  { name: 'Kanto Chemical', slug: 'kanto', langs: ['ja', 'en'], logos: ['KANTO CHEMICAL', '関東化学'], lines: ['Kanto Chemical Co., Inc.', '関東化学株式会社'], colours: ['#283593', '#6a1b9a', '#00838f'], site: 'www.kanto.co.jp' },
  { name: 'Wako', slug: 'wako', langs: ['ja', 'en'], logos: ['FUJIFILM Wako', 'Wako', '和光純薬'], lines: ['FUJIFILM Wako Pure Chemical Corporation', '富士フイルム和光純薬株式会社'], colours: ['#d84315', '#2e7d32', '#ad1457'], site: 'labchem-wako.fujifilm.com' },
];

const KEYS: Record<Lang, Record<Field, string[]>> = {
  en: {
    cas: ['CAS No.', 'CAS #', 'CAS'],
    cat: ['Cat. No.', 'Stock #', 'Catalog No.', 'Prod. No.'],
    lot: ['Lot No.', 'Lot #', 'Lot', 'Batch No.'],
    grade: ['Grade'],
    purity: ['Assay', 'Purity', 'Content'],
    qty: ['Net', 'Quantity', 'Pack size'],
    formula: ['Formula', 'Mol. Formula'],
    mw: ['F.W.', 'M.W.', 'Formula Wt.', 'Mol. Wt.'],
    expiry: ['Exp. Date', 'Use by', 'Expiry'],
  },
  ko: {
    cas: ['CAS No.', 'CAS 번호'],
    cat: ['제품번호', '제품번호 Cat. No.', '품번'],
    lot: ['제조번호', '제조번호 Lot No.', 'Lot No.'],
    grade: ['등급', '규격'],
    purity: ['순도', '함량'],
    qty: ['용량', '내용량'],
    formula: ['분자식'],
    mw: ['분자량'],
    expiry: ['유효기한', '사용기한'],
  },
  ja: {
    cas: ['CAS No.', 'CAS番号'],
    cat: ['製品番号', 'コード番号', 'Code No.'],
    lot: ['ロット', 'ロット番号', 'Lot No.'],
    grade: ['規格', 'グレード'],
    purity: ['純度', '含量'],
    qty: ['容量', '内容量'],
    formula: ['分子式'],
    mw: ['分子量'],
    expiry: ['使用期限', '有効期限'],
  },
};

const GRADES: Record<Lang, string[]> = {
  en: ['ACS reagent', 'HPLC grade', 'Reagent Grade', 'Extra Pure', 'GR', 'EP', 'Certified ACS'],
  ko: ['특급', '1급', 'GR', 'EP', 'Extra Pure', 'HPLC'],
  ja: ['特級', '一級', 'HPLC用', 'GR'],
};

const NOTICES: Record<Lang, string[]> = {
  en: [
    'For laboratory use only. Not for drug, household or other uses.',
    'Keep container tightly closed. Store in a cool, dry and well-ventilated place. Read the safety data sheet before use.',
  ],
  ko: [
    '시험·연구용 시약이므로 다른 용도로 사용하지 마십시오. 용기를 단단히 밀폐하여 서늘하고 건조한 곳에 보관하십시오.',
    '취급 시 보호장갑과 보안경을 착용하십시오. 사용 전 물질안전보건자료(MSDS)를 반드시 읽으십시오.',
  ],
  ja: [
    '試験研究用以外には使用しないでください。容器を密栓して冷暗所に保存してください。',
    '取扱い前に安全データシートを読んで、保護手袋と保護眼鏡を着用してください。',
  ],
};

function loadJson<T>(rel: string): T {
  return JSON.parse(readFileSync(path.join(__dirname, '..', rel), 'utf8')) as T;
}

// ---------------------------------------------------------------- values

/** No I or O: in sampled codes they would only test the OCR's 1/I and 0/O confusion. */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** A random string matching a simple regex (classes, \d, literals, (?:groups), ?, {n}, {n,m}); no alternation. */
function samplePattern(pattern: string, r: Rng): string {
  let i = 0;
  const expandClass = (body: string): string[] => {
    const chars: string[] = [];
    for (let k = 0; k < body.length; k++) {
      if (body[k + 1] === '-' && k + 2 < body.length) {
        for (let c = body.charCodeAt(k); c <= body.charCodeAt(k + 2); c++) if (c !== 73 && c !== 79) chars.push(String.fromCharCode(c));
        k += 2;
      } else chars.push(body[k]);
    }
    return chars;
  };
  const atom = (): (() => string) => {
    const c = pattern[i++];
    if (c === '\\') {
      const e = pattern[i++];
      return e === 'd' ? () => r.pick(DIGITS.split('')) : () => e;
    }
    if (c === '[') {
      const end = pattern.indexOf(']', i);
      const chars = expandClass(pattern.slice(i, end));
      i = end + 1;
      return () => r.pick(chars);
    }
    if (c === '(') {
      if (pattern.startsWith('?:', i)) i += 2;
      const inner = sequence();
      i++; // ')'
      return inner;
    }
    if (c === '|') throw new Error(`alternation not supported: ${pattern}`);
    return () => c;
  };
  const quantified = (gen: () => string): (() => string) => {
    let [min, max] = [1, 1];
    if (pattern[i] === '?') {
      [min, max] = [0, 1];
      i++;
    } else if (pattern[i] === '{') {
      const end = pattern.indexOf('}', i);
      const [lo, hi] = pattern.slice(i + 1, end).split(',');
      min = Number(lo);
      max = hi === undefined ? min : Number(hi);
      i = end + 1;
    }
    return () => {
      let s = '';
      for (let n = r.int(min, max); n > 0; n--) s += gen();
      return s;
    };
  };
  const sequence = (): (() => string) => {
    const parts: (() => string)[] = [];
    while (i < pattern.length && pattern[i] !== ')') parts.push(quantified(atom()));
    return () => parts.map((g) => g()).join('');
  };
  return sequence()();
}

function catalogNumber(patterns: string[], r: Rng): string {
  if (patterns.length) {
    const p = r.pick(patterns);
    const s = samplePattern(p, r);
    if (new RegExp(`^(?:${p})$`).test(s)) return s;
    throw new Error(`sampled ${s} does not match ${p}`);
  }
  return `${r.pick(LETTERS.split(''))}${r.int(1000, 9999)}`;
}

function randomChars(alphabet: string, n: number, r: Rng): string {
  let s = '';
  for (let k = 0; k < n; k++) s += alphabet[r.int(0, alphabet.length - 1)];
  return s;
}

function lotNumber(r: Rng): string {
  switch (r.int(0, 3)) {
    case 0:
      return `${r.pick(LETTERS.split(''))}${randomChars(DIGITS, 7, r)}`; // L2301234
    case 1:
      return `${r.pick(LETTERS.split(''))}${r.int(1, 9)}${randomChars(LETTERS, 2, r)}${r.int(1, 9)}`; // K4MX9
    case 2:
      return `${r.int(21, 25)}${String(r.int(1, 12)).padStart(2, '0')}${r.pick(LETTERS.split(''))}${randomChars(DIGITS, 3, r)}`; // 2411A873
    default:
      return `${randomChars(LETTERS, 3, r)}${randomChars(DIGITS, 4, r)}`; // PKR1234
  }
}

function purity(lang: Lang, r: Rng): string {
  if (r.chance(0.12)) return r.pick(['35.0~37.0%', '99.0~101.0%', '98.0-102.0%', '28.0~30.0%']);
  const p = r.pick(['95.0', '97', '98.0', '98.5', '99', '99.0', '99.5', '99.7', '99.8', '99.9']);
  const forms = [`≥${p}%`, `${p}% min.`, `min. ${p}%`, `>${p}%(GC)`, `${p}%`];
  if (!p.includes('.')) forms.push(`${p}+%`);
  if (lang === 'ja') forms.push(`${p}%以上`);
  if (lang === 'ko') forms.push(`${p}% 이상`);
  return r.pick(forms);
}

function quantity(r: Rng): { value: number; unit: Unit; text: string } {
  const [value, unit] = r.pick<[number, Unit]>([[100, 'mL'], [250, 'mL'], [500, 'mL'], [1, 'L'], [2.5, 'L'], [4, 'L'], [25, 'g'], [100, 'g'], [250, 'g'], [500, 'g'], [1, 'kg']]);
  return { value, unit, text: `${value}${r.chance(0.6) ? ' ' : ''}${unit}` };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** A date between 2026-12 and 2031-12 and how it is printed; a month-only print means the month's last day. */
function expiry(lang: Lang, r: Rng): { iso: string; text: string } {
  const monthIndex = r.int(0, 60); // 0 = 2026-12
  const year = 2026 + Math.floor((monthIndex + 11) / 12);
  const month = ((monthIndex + 11) % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, '0');
  const full = r.chance(0.5);
  const day = full ? r.int(1, last) : last;
  const dd = String(day).padStart(2, '0');
  const iso = `${year}-${mm}-${dd}`;
  const fullForms = lang === 'en' ? [iso, `${year}.${mm}.${dd}`, `${dd} ${MONTHS[month - 1]} ${year}`] : [iso, `${year}.${mm}.${dd}`];
  const monthForms = lang === 'en' ? [`${year}-${mm}`, `${mm}/${year}`, `${MONTHS[month - 1]} ${year}`] : lang === 'ja' ? [`${year}.${mm}`, `${year}年${month}月`] : [`${year}.${mm}`, `${year}-${mm}`];
  return { iso, text: r.pick(full ? fullForms : monthForms) };
}

// ---------------------------------------------------------------- label content

interface Entry {
  field: Field;
  key: string;
  value: string;
}

interface Truth {
  manufacturer: string;
  productName: string;
  productNameKo?: string;
  casNumber?: string;
  catalogNumber?: string;
  lotNumber?: string;
  grade?: string;
  purity?: string;
  quantity?: { value: number; unit: Unit };
  formula?: string;
  molecularWeight?: number;
  expiryDate?: string;
}

/** Everything printed on one label, independent of layout. */
interface Spec {
  slug: string;
  lang: Lang;
  logo: string;
  company: string;
  site?: string;
  colour: string;
  product: string;
  productKo?: string;
  /** Grade printed on its own (badge) rather than as a keyed entry. */
  gradeBadge?: string;
  entries: Entry[];
  notice: string;
  subscripts: boolean;
  koSerif: boolean;
  truth: Truth;
}

function shuffle<T>(items: T[], r: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

function keyFor(field: Field, lang: Lang, r: Rng): string {
  const l = lang !== 'en' && r.chance(0.2) ? 'en' : lang;
  return r.pick(KEYS[l][field]);
}

function pickReagent(reagents: Reagent[], lang: Lang, r: Rng): Reagent {
  const fits = reagents.filter((x) => x.name.length <= 34 && (lang !== 'ko' || x.nameKo));
  return r.pick(fits);
}

function makeSpec(manufacturers: ManufacturerEntry[], reagents: Reagent[], r: Rng, forceQuantity: boolean): Spec {
  const style = r.pick(MAKERS);
  const entry = manufacturers.find((m) => m.name === style.name);
  if (!entry) throw new Error(`${style.name} is not in data/manufacturers.json`);
  const lang = r.pick(style.langs);
  const reagent = pickReagent(reagents, lang, r);
  const synonyms = reagent.synonyms.filter((s) => s.length <= 34);
  const product = synonyms.length && r.chance(0.2) ? r.pick(synonyms) : reagent.name;
  const productKo = lang === 'ko' && reagent.nameKo && r.chance(0.85) ? reagent.nameKo : undefined;
  const truth: Truth = { manufacturer: entry.name, productName: product };
  if (productKo) truth.productNameKo = productKo;

  const entries: Entry[] = [];
  const add = (field: Field, value: string) => entries.push({ field, key: keyFor(field, lang, r), value });
  const cat = catalogNumber(entry.catalogPatterns, r);
  const lot = lotNumber(r);
  add('cat', cat);
  add('lot', lot);
  add('cas', reagent.cas);
  Object.assign(truth, { casNumber: reagent.cas, catalogNumber: cat, lotNumber: lot });

  let gradeBadge: string | undefined;
  if (r.chance(0.7)) {
    const grade = r.pick(GRADES[lang]);
    truth.grade = grade;
    if (r.chance(0.5)) gradeBadge = grade;
    else add('grade', grade);
  }
  if (r.chance(0.8)) add('purity', (truth.purity = purity(lang, r)));
  if (forceQuantity || r.chance(0.9)) {
    const q = quantity(r);
    truth.quantity = { value: q.value, unit: q.unit };
    add('qty', q.text);
  }
  if (r.chance(0.7)) add('formula', (truth.formula = reagent.formula));
  if (r.chance(0.6)) {
    truth.molecularWeight = Number(reagent.molecularWeight.toFixed(2));
    add('mw', reagent.molecularWeight.toFixed(2));
  }
  if (r.chance(0.5)) {
    const e = expiry(lang, r);
    truth.expiryDate = e.iso;
    add('expiry', e.text);
  }
  if (r.chance(0.4)) shuffle(entries, r);

  return {
    slug: style.slug,
    lang,
    logo: r.pick(style.logos),
    company: r.pick(style.lines),
    site: style.site && r.chance(0.6) ? style.site : undefined,
    colour: r.pick(style.colours),
    product,
    productKo,
    gradeBadge,
    entries,
    notice: r.pick(NOTICES[lang]),
    subscripts: r.chance(0.5),
    koSerif: r.chance(0.4),
    truth,
  };
}

/** Truth JSON in the contract's field order, with only the printed fields. */
function truthJson(t: Truth): string {
  const order: (keyof Truth)[] = ['manufacturer', 'productName', 'productNameKo', 'casNumber', 'catalogNumber', 'lotNumber', 'grade', 'purity', 'quantity', 'formula', 'molecularWeight', 'expiryDate'];
  const out: Record<string, unknown> = {};
  for (const k of order) if (t[k] !== undefined) out[k] = t[k];
  return `${JSON.stringify(out, null, 2)}\n`;
}

// ---------------------------------------------------------------- SVG primitives

const CJK = /[\u1100-\u11ff\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]/;
const HANGUL = /[\u1100-\u11ff\uac00-\ud7af]/;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function family(s: string, serif = false): string {
  if (!CJK.test(s)) return 'DejaVu Sans';
  const script = HANGUL.test(s) ? 'KR' : 'JP';
  return `Noto ${serif ? 'Serif' : 'Sans'} CJK ${script}`;
}

/** Rough advance width of a string in px (DejaVu Sans proportions; CJK full-width). Errs on the wide side. */
function textWidth(s: string, size: number, bold = false): number {
  let em = 0;
  for (const c of s) {
    if (CJK.test(c)) em += 1.0;
    else if (c === ' ') em += 0.32;
    else if (/[mwMW%]/.test(c)) em += 0.98;
    else if (/[0-9]/.test(c)) em += 0.66;
    else if (/[A-Z]/.test(c)) em += 0.72;
    else if (/[a-z]/.test(c)) em += 0.6;
    else em += 0.5;
  }
  return em * size * (bold ? 1.12 : 1);
}

/** The largest font size (step 2) at which `s` fits `max` px. */
function fitSize(s: string, max: number, maxSize: number, minSize = 18, bold = true): number {
  let size = maxSize;
  while (size > minSize && textWidth(s, size, bold) > max) size -= 2;
  return size;
}

/** Greedy line wrap: at spaces for Latin, between any two characters for CJK. */
function wrap(s: string, size: number, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of s.match(/[\u1100-\u11ff\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]|[^\s\u1100-\u11ff\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]+|\s+/g) ?? []) {
    const next = line + token;
    if (line && textWidth(next, size) > max && !/^\s+$/.test(token)) {
      lines.push(line.trim());
      line = token;
    } else line = next;
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}

interface Run {
  text: string;
  bold?: boolean;
  fill?: string;
  size?: number;
  formula?: boolean;
  serif?: boolean;
}

interface TextOpts {
  size: number;
  bold?: boolean;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  serif?: boolean;
}

/** Chemical formula as tspans: digits after a letter or closing bracket become subscripts; coefficients stay. */
function formulaTspans(formula: string, size: number): string {
  let out = '';
  let shifted = false;
  let prev = '';
  for (const c of formula) {
    const sub: boolean = /[0-9]/.test(c) && (/[A-Za-z)\]]/.test(prev) || (shifted && /[0-9]/.test(prev)));
    if (sub !== shifted) {
      const dy = Math.round(size * 0.22) * (sub ? 1 : -1);
      out += `<tspan dy="${dy}" font-size="${sub ? Math.round(size * 0.7) : size}">`;
      out += esc(c);
      out += '</tspan>';
      shifted = sub;
    } else if (shifted) out += `<tspan font-size="${Math.round(size * 0.7)}">${esc(c)}</tspan>`;
    else out += `<tspan>${esc(c)}</tspan>`;
    prev = c;
  }
  return out;
}

function runTspan(run: Run, base: TextOpts): string {
  const size = run.size ?? base.size;
  const attrs = [`font-family="${family(run.text, run.serif ?? base.serif)}"`];
  if (run.bold !== undefined) attrs.push(`font-weight="${run.bold ? 'bold' : 'normal'}"`);
  if (run.fill) attrs.push(`fill="${run.fill}"`);
  if (run.size) attrs.push(`font-size="${run.size}"`);
  const inner = run.formula ? formulaTspans(run.text, size) : esc(run.text);
  return `<tspan ${attrs.join(' ')}>${inner}</tspan>`;
}

function text(x: number, y: number, content: string | Run[], o: TextOpts): string {
  const runs = typeof content === 'string' ? [{ text: content }] : content;
  const attrs = `x="${Math.round(x)}" y="${Math.round(y)}" font-size="${o.size}" font-weight="${o.bold ? 'bold' : 'normal'}" fill="${o.fill ?? '#111'}" text-anchor="${o.anchor ?? 'start'}"`;
  return `<text ${attrs} xml:space="preserve">${runs.map((r) => runTspan(r, o)).join('')}</text>`;
}

/** A value run: formulas get subscripts when the label's style asks for them. */
function valueRun(s: Spec, e: Entry, extra: Partial<Run> = {}): Run {
  return { text: e.value, bold: true, formula: e.field === 'formula' && s.subscripts, ...extra };
}

function hazard(x: number, y: number, size: number): string {
  const h = size / 2;
  return `<g transform="translate(${x},${y})"><rect x="${-h * 0.7}" y="${-h * 0.7}" width="${h * 1.4}" height="${h * 1.4}" transform="rotate(45)" fill="#fff" stroke="#d00" stroke-width="${size * 0.07}"/>
    <rect x="${-size * 0.04}" y="${-h * 0.55}" width="${size * 0.08}" height="${h * 0.7}" fill="#111"/><circle cx="0" cy="${h * 0.4}" r="${size * 0.05}" fill="#111"/></g>`;
}

function barcode(x: number, y: number, w: number, h: number, r: Rng, digits: boolean): string {
  let bars = '';
  for (let bx = x; bx < x + w; ) {
    const bw = r.int(2, 6);
    if (r.chance(0.55)) bars += `<rect x="${bx}" y="${y}" width="${bw}" height="${h}" fill="#111"/>`;
    bx += bw + r.int(2, 5);
  }
  if (digits) bars += text(x + w / 2, y + h + 22, `${r.pick(['4', '8'])} ${randomChars(DIGITS, 6, r)} ${randomChars(DIGITS, 6, r)}`, { size: 18, anchor: 'middle', fill: '#333' });
  return bars;
}

function badge(x: number, yTop: number, label: string, colour: string, filled: boolean, anchor: 'start' | 'end' = 'start'): { svg: string; width: number } {
  const size = 30;
  const width = textWidth(label, size, true) + 40;
  const left = anchor === 'end' ? x - width : x;
  const rect = `<rect x="${left}" y="${yTop}" width="${width}" height="52" rx="10" fill="${filled ? colour : '#fff'}" stroke="${colour}" stroke-width="3"/>`;
  return { svg: rect + text(left + width / 2, yTop + 37, label, { size, bold: true, fill: filled ? '#fff' : colour, anchor: 'middle' }), width };
}

function notice(x: number, y: number, s: Spec, size: number, max: number, fill: string, anchor: 'start' | 'middle' = 'start'): { svg: string; height: number } {
  const lines = wrap(s.notice, size, max);
  return { svg: lines.map((l, i) => text(x, y + i * size * 1.4, l, { size, fill, anchor })).join(''), height: lines.length * size * 1.4 };
}

function companyLine(s: Spec): string {
  return s.site ? `${s.company}  ·  ${s.site}` : s.company;
}

function svgDoc(w: number, h: number, body: string, bg = '#ffffff'): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${Math.round(h)}" viewBox="0 0 ${w} ${Math.round(h)}"><rect width="100%" height="100%" fill="${bg}"/>${body}</svg>`;
}

// ---------------------------------------------------------------- layouts

const W = 1400;
type Layout = (s: Spec, r: Rng) => string;

/** (1) Ruled two-column table, each cell a small key above its bold value. */
const tableLayout: Layout = (s, r) => {
  const x0 = 60;
  const inner = W - 2 * x0;
  const parts: string[] = [];
  let y = 115;
  parts.push(text(x0 + 10, y, s.logo, { size: fitSize(s.logo, 700, 52), bold: true, fill: s.colour }));
  if (s.gradeBadge) parts.push(badge(W - x0 - 20, y - 45, s.gradeBadge, s.colour, false, 'end').svg);
  y += 95;
  parts.push(text(x0 + 10, y, s.product, { size: fitSize(s.product, inner - 20, 62), bold: true }));
  if (s.productKo) {
    y += 62;
    parts.push(text(x0 + 10, y, s.productKo, { size: 44, serif: s.koSerif }));
  }
  y += 40;
  const colW = inner / 2;
  const rowH = 100;
  s.entries.forEach((e, i) => {
    const cx = x0 + (i % 2) * colW;
    const cy = y + Math.floor(i / 2) * rowH;
    parts.push(`<rect x="${cx}" y="${cy}" width="${colW}" height="${rowH}" fill="none" stroke="#555" stroke-width="2"/>`);
    parts.push(text(cx + 18, cy + 34, e.key, { size: 24, fill: '#666' }));
    parts.push(text(cx + 18, cy + 80, [valueRun(s, e)], { size: fitSize(e.value, colW - 40, 36) }));
  });
  y += Math.ceil(s.entries.length / 2) * rowH + 50;
  const n = notice(x0 + 10, y, s, 20, inner - 260, '#555');
  parts.push(n.svg, barcode(W - x0 - 220, y - 24, 210, 60, r, r.chance(0.5)));
  y += Math.max(n.height, 70) + 20;
  parts.push(text(x0 + 10, y, companyLine(s), { size: 22, bold: true, fill: s.colour }));
  const h = y + 40;
  parts.unshift(`<rect x="20" y="20" width="${W - 40}" height="${h - 40}" rx="14" fill="none" stroke="${s.colour}" stroke-width="5"/>`);
  return svgDoc(W, h, parts.join(''));
};

/** (2) Centred heading and a single column of "Key: value" lines. */
const linesLayout: Layout = (s, r) => {
  const parts: string[] = [];
  let y = 100;
  parts.push(text(W / 2, y, s.logo, { size: fitSize(s.logo, 900, 50), bold: true, fill: s.colour, anchor: 'middle' }));
  parts.push(`<rect x="60" y="${y + 25}" width="${W - 120}" height="4" fill="${s.colour}"/>`);
  y += 115;
  parts.push(text(W / 2, y, s.product, { size: fitSize(s.product, W - 160, 60), bold: true, anchor: 'middle' }));
  if (s.productKo) {
    y += 62;
    parts.push(text(W / 2, y, s.productKo, { size: 42, anchor: 'middle', serif: s.koSerif }));
  }
  if (s.gradeBadge) {
    y += 58;
    parts.push(text(W / 2, y, s.gradeBadge, { size: 34, bold: true, fill: s.colour, anchor: 'middle' }));
  }
  y += 80;
  const top = y;
  for (const e of s.entries) {
    const keyRun: Run = { text: `${e.key}: `, fill: '#444' };
    const size = fitSize(`${e.key}: ${e.value}`, 860, 34, 22, false);
    parts.push(text(110, y, [keyRun, valueRun(s, e)], { size }));
    y += 56;
  }
  parts.push(hazard(1160, top + 30, 150), barcode(1010, top + 170, 300, 70, r, r.chance(0.6)));
  y = Math.max(y, top + 300) + 20;
  const n = notice(W / 2, y, s, 20, W - 200, '#555', 'middle');
  parts.push(n.svg);
  y += n.height + 10;
  parts.push(text(W / 2, y, companyLine(s), { size: 22, fill: '#333', anchor: 'middle' }));
  return svgDoc(W, y + 40, parts.join(''), '#fbfaf5');
};

/** (3) Coloured header band with the maker in white, big product name, two-column key/value grid. */
const bandLayout: Layout = (s, r) => {
  const parts: string[] = [`<rect x="0" y="0" width="${W}" height="150" fill="${s.colour}"/>`];
  parts.push(text(60, 100, s.logo, { size: fitSize(s.logo, 660, 60), bold: true, fill: '#fff' }));
  const side = s.site ?? s.company;
  parts.push(text(W - 60, 95, side, { size: fitSize(side, 560, 24, 14, false), fill: '#fff', anchor: 'end' }));
  let y = 250;
  parts.push(text(60, y, s.product, { size: fitSize(s.product, W - 120, 70), bold: true }));
  if (s.productKo) {
    y += 66;
    parts.push(text(60, y, s.productKo, { size: 46, serif: s.koSerif, fill: '#333' }));
  }
  if (s.gradeBadge) {
    parts.push(badge(60, y + 30, s.gradeBadge, s.colour, true).svg);
    y += 80;
  }
  y += 90;
  const half = Math.ceil(s.entries.length / 2);
  const columns = [s.entries.slice(0, half), s.entries.slice(half)];
  columns.forEach((col, c) => {
    const x = 60 + c * 670;
    const keyW = Math.max(0, ...col.map((e) => textWidth(e.key, 26))) + 30;
    col.forEach((e, i) => {
      const ry = y + i * 66;
      parts.push(text(x, ry, e.key, { size: 26, fill: '#666' }));
      parts.push(text(x + keyW, ry, [valueRun(s, e)], { size: fitSize(e.value, 620 - keyW, 34) }));
      parts.push(`<rect x="${x}" y="${ry + 20}" width="620" height="1.5" fill="#ccc"/>`);
    });
  });
  y += half * 66 + 20;
  parts.push(hazard(W - 110, y + 10, 90));
  const n = notice(60, y + 100, s, 18, W - 120, '#fff');
  const stripTop = y + 65;
  parts.push(`<rect x="0" y="${stripTop}" width="${W}" height="${n.height + 40}" fill="${s.colour}"/>`, n.svg);
  if (r.chance(0.5)) parts.push(text(60, y + 20, s.company, { size: 22, fill: '#333' }));
  return svgDoc(W, stripTop + n.height + 40, parts.join(''));
};

/** (4) Compact label: fields in small lines on the left, the pack size in a large box on the right. */
const compactLayout: Layout = (s, r) => {
  const parts: string[] = [];
  parts.push(text(60, 90, s.logo, { size: fitSize(s.logo, 880, 46), bold: true, fill: s.colour }));
  parts.push(text(60, 128, s.company, { size: 20, fill: '#666' }));
  let y = 205;
  parts.push(text(60, y, s.product, { size: fitSize(s.product, 900, 56), bold: true }));
  if (s.productKo) {
    y += 56;
    parts.push(text(60, y, s.productKo, { size: 40, serif: s.koSerif }));
  }
  if (s.gradeBadge) {
    y += 48;
    parts.push(text(60, y, s.gradeBadge, { size: 30, bold: true, fill: s.colour }));
  }
  y += 60;
  const rows = s.entries.filter((e) => e.field !== 'qty');
  const keyW = Math.max(...rows.map((e) => textWidth(e.key, 28))) + 28;
  for (const e of rows) {
    parts.push(text(60, y, e.key, { size: 28, fill: '#555' }));
    parts.push(text(60 + keyW, y, [valueRun(s, e)], { size: fitSize(e.value, 900 - keyW, 30) }));
    y += 46;
  }
  const qty = s.entries.find((e) => e.field === 'qty');
  const bx = 1010;
  if (qty) {
    parts.push(`<rect x="${bx}" y="60" width="330" height="260" rx="16" fill="#fff" stroke="${s.colour}" stroke-width="8"/>`);
    parts.push(text(bx + 165, 112, qty.key, { size: 26, fill: '#555', anchor: 'middle' }));
    parts.push(text(bx + 165, 240, qty.value, { size: fitSize(qty.value, 280, 100), bold: true, anchor: 'middle' }));
  }
  parts.push(hazard(bx + 80, 430, 130), barcode(bx + 160, 380, 170, 90, r, r.chance(0.5)));
  y = Math.max(y, 520) + 20;
  const n = notice(60, y, s, 18, W - 120, '#555');
  parts.push(n.svg);
  const h = y + n.height + 20;
  parts.unshift(`<rect x="12" y="12" width="${W - 24}" height="${h - 24}" rx="8" fill="none" stroke="#999" stroke-width="2"/>`);
  return svgDoc(W, h, parts.join(''), '#fffdf7');
};

/** (5) Two-tone: coloured left panel (maker, product, pack size in white), ruled key/value rows on the right.
 * Values start right after the key column: right-aligned values drift a full row away from their key when tilted. */
const twoToneLayout: Layout = (s, r) => {
  const panelW = 520;
  const right: string[] = [];
  let y = 80;
  if (s.gradeBadge) {
    right.push(badge(W - 50, 40, s.gradeBadge, s.colour, false, 'end').svg);
    y = 150;
  }
  const rows = s.entries.filter((e) => e.field !== 'qty');
  const keyW = Math.max(...rows.map((e) => textWidth(e.key, 26))) + 30;
  for (const e of rows) {
    right.push(text(580, y, e.key, { size: 26, fill: '#555' }));
    right.push(text(580 + keyW, y, [valueRun(s, e)], { size: fitSize(e.value, W - 50 - 580 - keyW, 34) }));
    right.push(`<rect x="580" y="${y + 20}" width="${W - 630}" height="2" fill="#bbb"/>`);
    y += 64;
  }
  const n = notice(580, y + 30, s, 18, W - 640, '#555');
  right.push(n.svg, barcode(580, y + 50 + n.height, 260, 60, r, false));
  const h = Math.max(640, y + 150 + n.height);

  const left: string[] = [`<rect x="0" y="0" width="${panelW}" height="${h}" fill="${s.colour}"/>`];
  left.push(text(40, 90, s.logo, { size: fitSize(s.logo, 440, 44), bold: true, fill: '#fff' }));
  left.push(text(40, 126, s.company, { size: fitSize(s.company, 440, 18, 12, false), fill: '#fff' }));
  let size = 52;
  const fits = (ls: string[]) => ls.length <= 2 && ls.every((l) => textWidth(l, size, true) <= 440);
  let lines = wrap(s.product, size * 1.1, 440);
  while (!fits(lines) && size > 26) lines = wrap(s.product, (size -= 2) * 1.1, 440);
  let ly = 230;
  for (const line of lines) {
    left.push(text(40, ly, line, { size, bold: true, fill: '#fff' }));
    ly += size * 1.2;
  }
  if (s.productKo) left.push(text(40, ly + 10, s.productKo, { size: 36, fill: '#fff', serif: s.koSerif }));
  const qty = s.entries.find((e) => e.field === 'qty');
  if (qty) {
    left.push(text(40, h - 150, qty.key, { size: 24, fill: '#fff' }));
    left.push(text(40, h - 60, qty.value, { size: fitSize(qty.value, 440, 90), bold: true, fill: '#fff' }));
  }
  return svgDoc(W, h, left.join('') + right.join(''));
};

const LAYOUTS: Record<string, Layout> = { table: tableLayout, lines: linesLayout, band: bandLayout, compact: compactLayout, twotone: twoToneLayout };
/** Layouts that take the pack size out of the rows need one. */
const NEEDS_QUANTITY = new Set(['compact', 'twotone']);

// ---------------------------------------------------------------- rendering

async function renderClean(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer();
}

/** A bottle-like backdrop: a base colour with cylindrical shading. */
function backgroundSvg(w: number, h: number, r: Rng): string {
  const base = r.pick(['#6b3e1e', '#f1f1ee', '#1f4e8c', '#dcdcd4', '#2b2b2b', '#8a5a2b', '#e9e4d8']);
  const stops = r.chance(0.8)
    ? `<stop offset="0" stop-color="#000" stop-opacity="0.45"/><stop offset="${r.range(0.3, 0.5).toFixed(2)}" stop-color="#fff" stop-opacity="0.25"/><stop offset="1" stop-color="#000" stop-opacity="0.5"/>`
    : `<stop offset="0" stop-color="#000" stop-opacity="0.1"/><stop offset="1" stop-color="#000" stop-opacity="0.1"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>
    <rect width="100%" height="100%" fill="${base}"/><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
}

/** Soft light across the whole photo (the label bends with the bottle). */
function shadeSvg(w: number, h: number, r: Rng): string {
  const mid = r.range(0.3, 0.7).toFixed(2);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="s" x1="0" x2="1" y1="0" y2="${r.range(0, 0.3).toFixed(2)}">
    <stop offset="0" stop-color="#000" stop-opacity="${r.range(0.1, 0.25).toFixed(2)}"/><stop offset="${mid}" stop-color="#fff" stop-opacity="${r.range(0.02, 0.12).toFixed(2)}"/><stop offset="1" stop-color="#000" stop-opacity="${r.range(0.1, 0.25).toFixed(2)}"/>
    </linearGradient></defs><rect width="100%" height="100%" fill="url(#s)"/></svg>`;
}

async function renderPhoto(svg: string, r: Rng): Promise<Buffer> {
  const width = r.int(1200, 1600);
  const labelW = Math.round(width * r.range(0.72, 0.88));
  const angle = r.range(2, 8) * (r.chance(0.5) ? 1 : -1);
  const label = await sharp(Buffer.from(svg))
    .resize({ width: labelW })
    .ensureAlpha()
    .rotate(angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer({ resolveWithObject: true });
  const height = Math.max(Math.round(width * r.range(0.8, 1.05)), label.info.height + 100);
  const left = Math.round((width - label.info.width) * r.range(0.3, 0.7));
  const top = Math.round((height - label.info.height) * r.range(0.3, 0.7));
  const composed = await sharp(Buffer.from(backgroundSvg(width, height, r)))
    .composite([
      { input: label.data, left, top },
      { input: Buffer.from(shadeSvg(width, height, r)), left: 0, top: 0 },
    ])
    .flatten({ background: '#808080' })
    .png()
    .toBuffer();
  const { data, info } = await sharp(composed).blur(r.range(0.6, 1.0)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  addNoise(data, r.range(3, 7), r);
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 85 }).toBuffer();
}

/** Mild sensor noise: mostly luminance, a little per channel. */
function addNoise(px: Buffer, sigma: number, r: Rng): void {
  for (let i = 0; i + 2 < px.length; i += 3) {
    const l = r.gauss() * sigma;
    for (let c = 0; c < 3; c++) px[i + c] = Math.max(0, Math.min(255, Math.round(px[i + c] + l + r.gauss() * sigma * 0.3)));
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const r = new Rng(opts.seed);
  const reagents = loadJson<Reagent[]>('data/reagents.json');
  const manufacturers = loadJson<ManufacturerEntry[]>('data/manufacturers.json');
  mkdirSync(opts.out, { recursive: true });
  const index = ['file,template,difficulty'];
  const log = [`generated by scripts/make-labels.ts`, `args: --count ${opts.count} --seed ${opts.seed} --out ${opts.out}`, ''];
  const layoutNames = Object.keys(LAYOUTS);
  for (let n = 1; n <= opts.count; n++) {
    const layout = layoutNames[(n - 1 + opts.seed) % layoutNames.length];
    const difficulty = r.chance(0.5) ? 'clean' : 'photo';
    const spec = makeSpec(manufacturers, reagents, r, NEEDS_QUANTITY.has(layout));
    const svg = LAYOUTS[layout](spec, r);
    const stem = `img_${String(n).padStart(4, '0')}`;
    const jpg = difficulty === 'clean' ? await renderClean(svg) : await renderPhoto(svg, r);
    writeFileSync(path.join(opts.out, `${stem}.jpg`), jpg);
    writeFileSync(path.join(opts.out, `${stem}.json`), truthJson(spec.truth));
    index.push(`${stem}.jpg,${spec.slug},${difficulty}`);
    const line = `${stem}.jpg ${spec.slug}/${difficulty} layout=${layout} lang=${spec.lang} fields=${Object.keys(spec.truth).length}`;
    log.push(line);
    console.log(line);
  }
  writeFileSync(path.join(opts.out, 'index.csv'), `${index.join('\n')}\n`);
  writeFileSync(path.join(opts.out, 'GENERATION.txt'), `${log.join('\n')}\n`);
  console.log(`wrote ${opts.count} labels to ${opts.out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
