/**
 * Reagent grade vocabulary across manufacturers and languages. A grade is reported as the printed run of
 * grade words ("for analysis EMSURE®", "puriss. p.a.", "ACS reagent"), not a canonical code.
 */
import { editDistance } from '../../shared/text';

const PHRASES = [
  String.raw`guaranteed\s+reagent`,
  String.raw`extra\s+pure`,
  String.raw`analytical\s+reagent`,
  String.raw`laboratory\s+reagent`,
  String.raw`reagent\s*plus`,
  String.raw`(?:certified\s+)?acs\s*reagent`,
  String.raw`certified\s+acs\b`,
  String.raw`reagent\s+grade`,
  String.raw`(?:hplc|lc[\s/-]?ms|gc|gc[\s/-]?ms|uv|ir|spectro(?:scopic|photometric)?|hplc\s+plus|anhydrous|biotech(?:nology)?|molecular\s+biology|cell\s+culture|electronic|semiconductor|technical|practical|pharma(?:ceutical)?|usp|bp|ep|nf|jp|fcc|ar|lr|cp|gr|ph\.?\s*eur\.?|acs|trace\s+metals?|trace\s+analysis|pesticide\s+residue|residue\s+analysis|ultra\s*pure|high\s+purity|special|standard|certified|analytical|reagent|lab(?:oratory)?|synthesis|industrial|food|feed)\s*grade`,
  String.raw`for\s+(?:analysis|synthesis|hplc|gc|spectroscopy|molecular\s+biology|cell\s+culture|biochemistry|electrophoresis|residue\s+analysis|titration|microscopy)`,
  String.raw`puriss\.?\s*p\s*[.\-·,]?\s*a\b\.?`,
  // Sigma-Aldrich style "…, anhydrous, 99.8%": a grade where it opens the line or follows a comma, not inside a
  // name ("Sodium sulfate anhydrous").
  String.raw`(?<=^|,\s*)anhydrous\b`,
  // Compendia a grade complies with, listed after the grade ("EMSURE® ACS,ISO,Reag. Ph Eur").
  String.raw`reag\.?\s*ph\.?\s*eur\.?|reag\.?\s*usp|ph\.?\s*eur\.?|\bISO\b`,
  String.raw`purum\.?\s*(?:p\.?\s*a\.?)?`,
  String.raw`puriss\.?`,
  String.raw`p\.\s*a\.`,
  String.raw`emsure|emplura|emparta|suprapur|ultrapur|uvasol|lichrosolv|lichropur|supelco|selectipur|optima|traceselect|chromasolv(?:\s+plus)?|bioreagent|bioultra|biox?tra|puranal|analar\s*normapur|normapur|rectapur|hipersolv|ultrapure|spectranal|sigmaultra`,
  String.raw`시약\s*특\s*급|시약\s*1\s*급|특\s*급|1\s*급|일\s*급|고순도|(?:試薬)?特[級级]|(?:試薬)?一[級级]|高純度|精密分析用|HPLC用|分析用`,
  String.raw`\b(?:GR|EP|CP|AR|LR|ACS|HPLC|USP|BP|NF|JP|FCC|ULC|LC-MS|LCMS|GC)\b`,
];

// Short capital codes only count in capitals ("EP" yes, "ep" inside text no); the rest are case-insensitive.
const CODES = /^(?:GR|EP|CP|AR|LR|ACS|HPLC|USP|BP|NF|JP|FCC|ULC|LC-MS|LCMS|GC)$/;

/** Compendia and standards bodies that appear in comma lists after a grade. */
const COMPENDIUM = /^(?:ACS|ISO|USP|BP|NF|JP|FCC|Eur\.?|reag\.?\s*ph\.?\s*eur\.?|reag\.?\s*usp|ph\.?\s*eur\.?)$/i;

/** Registered grade brands, printed with ® on every label that carries them; OCR drops the small mark. */
const REGISTERED = /\b(EMSURE|EMPLURA|EMPARTA|Suprapur|Ultrapur|Uvasol|LiChrosolv|LiChropur|SupraSolv|ReagentPlus|CHROMASOLV|BioReagent|BioUltra|BioXtra|SigmaUltra)\b(?!\s*[®™])/gi;

/** The printed grade in its conventional spelling: `p-a.` / `p,a.` read for `p.a.`, the ® of a registered brand. */
function canonicalGrade(v: string): string {
  return v
    // Korean grades are one word; OCR spaces its syllables (`1 급` → `1급`, `특 급` → `특급`).
    .replace(/([\d특일])\s+급/g, '$1급')
    // Japanese grades as Paddle's Chinese recogniser may read them (级 is the simplified form of 級).
    .replace(/([特一])级/g, '$1級')
    .replace(/([a-z])(grade)\b/gi, '$1 $2')
    // OCR drops the space of `ACS reagent` (`ACSreagent`).
    .replace(/\b(ACS)(reagent)\b/gi, '$1 $2')
    .replace(/\b(puriss|purum)\.(?=p\b)/gi, '$1. ')
    .replace(/\bp\s*[-·,]?\s*a\b\.?/gi, (m) => (/^p\s*\.?\s*a\.?$/i.test(m) || /[-·,]/.test(m) ? 'p.a.' : m)).replace(REGISTERED, '$1®');
}

const PHRASE_RE = new RegExp(PHRASES.map((p) => `(?:${p})`).join('|'), 'giu');

export interface GradeHit {
  value: string;
  start: number;
  end: number;
  /** Words of the grade run, used to prefer longer runs. */
  words: number;
}

/**
 * The longest run of grade phrases in `text` (phrases joined by spaces, "®"/"™" kept). Standalone two-letter
 * codes must be printed in capitals and stand alone or beside other grade words.
 */
export function findGrade(raw: string): GradeHit | undefined {
  // OCR reads the small ® of a registered brand as `?` and may drop the space after it (`EMPARTA?ACS`).
  const text = raw
    // A compendium list with its comma lost before `Reag.` (`ACS,ISOReag.Ph Eur`).
    .replace(/\b(ACS|ISO|USP)(?=Reag\.)/g, '$1,')
    // A word glued to the code after it (`CertifiedACS` for Certified ACS).
    .replace(/\b([A-Z][a-z]{3,})(ACS|USP|HPLC)\b/g, '$1 $2')
    .replace(new RegExp(`${REGISTERED.source.replace('(?!\\s*[®™])', '')}\\s*\\?\\s*`, 'gi'), (m, brand: string) => `${brand}® `.padEnd(m.length, ' ')).trimEnd();
  const hits: { start: number; end: number }[] = [];
  for (const m of text.matchAll(PHRASE_RE)) {
    const word = m[0];
    if (CODES.test(word.trim()) === false && /^[A-Za-z-]{2,5}$/.test(word) && CODES.test(word.toUpperCase())) {
      continue; // lower-case "ep", "gr" inside prose
    }
    if (/^[a-z]/.test(word) && CODES.test(word.toUpperCase())) continue;
    // `(GC)`, `(HPLC)`, `(T)` after a purity name the assay method, not a grade.
    if (CODES.test(word) && text[m.index - 1] === '(' && text[m.index + word.length] === ')') continue;
    hits.push({ start: m.index, end: m.index + word.length });
  }
  if (hits.length === 0) return undefined;
  const runs: { start: number; end: number; n: number }[] = [];
  for (const h of hits) {
    const last = runs[runs.length - 1];
    let end = h.end;
    const tail = /^\s*[®™]/.exec(text.slice(end));
    if (tail) end += tail[0].length;
    const gap = text.slice(last?.end ?? 0, h.start);
    // A comma joins only a list of compendia/standards ("ACS,ISO,Reag. Ph Eur"), not a grade and a purity.
    const listed = gap.includes(',') && last && COMPENDIUM.test(text.slice(last.start, last.end).split(/[\s,]+/).pop() ?? '') && COMPENDIUM.test(text.slice(h.start, h.end));
    if (last && /^[\s,]*$/.test(gap) && (!gap.includes(',') || (listed && /^\s*,\s*$/.test(gap)))) {
      last.end = end;
      last.n++;
    } else runs.push({ start: h.start, end, n: 1 });
  }
  // "ISO" alone is a standard (ISO 9001 …), a grade word only inside a compendium list.
  const real = runs.filter((r) => !/^ISO$/i.test(text.slice(r.start, r.end).trim()));
  if (real.length === 0) return undefined;
  real.sort((a, b) => b.end - b.start - (a.end - a.start));
  const best = real[0];
  const value = canonicalGrade(text.slice(best.start, best.end).replace(/\s+/g, ' ').replace(/\s+([®™])/g, '$1').replace(/\b(Reag)\.(?=\S)/gi, '$1. ').trim());
  return { value, start: best.start, end: best.end, words: value.split(' ').length };
}

/** Grade names printed as a line of their own, in the spelling labels use (brands get their ® from canonicalGrade). */
const NEAR_GRADES = ['Extra Pure', 'Special Grade', 'Guaranteed Reagent', 'Reagent grade', 'ACS reagent', 'for analysis', 'ReagentPlus', 'EMSURE', 'EMPLURA', 'EMPARTA', 'LiChrosolv', 'Suprapur', 'CHROMASOLV', 'BioReagent'];


/**
 * A short line that is a grade name with one character misread (`EatraPure`, `Specia1 Grade`): the grade in its
 * printed spelling. Only whole lines of at most three words, and names of six letters or more, where one slip
 * cannot turn one grade into another.
 */
export function nearGrade(line: string): string | undefined {
  const t = line.replace(/[^A-Za-z]/g, '').toLowerCase();
  if (t.length < 6 || line.trim().split(/\s+/).length > 3) return undefined;
  const close = NEAR_GRADES.filter((g) => editDistance(t, g.replace(/[^A-Za-z]/g, '').toLowerCase()) <= 1);
  return close.length === 1 ? canonicalGrade(close[0]) : undefined;
}
