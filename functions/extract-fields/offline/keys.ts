/**
 * Label keys ("CAS No.", "제조번호", "ロット") in the languages reagent labels are printed in. A key names the
 * field its value belongs to; generic keys ("Content") name several and the value's shape decides.
 */
export type KeyField =
  | 'casNumber'
  | 'catalogNumber'
  | 'lotNumber'
  | 'purity'
  | 'molecularWeight'
  | 'formula'
  | 'quantity'
  | 'grade'
  | 'expiryDate'
  | 'ignore';

export interface KeyDef {
  fields: KeyField[];
  re: RegExp;
}

// Order matters only for overlapping alternatives: longer, more specific keys are listed first.
const DEFS: [KeyField[], string][] = [
  [['molecularWeight'], String.raw`formula\s*(?:weight|wt\b\.?)|mol(?:ecular|ar|\.)?\s*(?:wt|weight|mass)\b\.?|\bmol\s*[-.]\s*w\b\.?|m\s*\.\s*w\s*\.?|\bmw\b\.?|f\s*\.\s*w\s*\.|\bfw\b|[분부]자량|分子量|式量`],
  [['formula'], String.raw`(?:linear|molecular|chemical|empirical|mol\.)\s*formula|\bformula\b|m\s*\.\s*f\s*\.|[분부]자식|화학식|化学式|分子式|組成式`],
  [['casNumber'], String.raw`\bc\.\s*a\.\s*s\.?\s*(?:no\b\.?|number|rn\b)?|\bcas\s*(?:registry\s*)?(?:no\b\.?|number|rn\b|reg(?:istry)?\.?\s*no\.?|#)?|cas\s*번호|CAS番号`],
  [['catalogNumber'], String.raw`\bcat(?:alog(?:ue)?)?\s*\.?\s*(?:no\b\.?|number|#)|\bcode\s*(?:no\b\.?|number)|\bproduct\s*(?:no\b\.?|number|code|#)|\bprod\s*\.?\s*(?:no\b\.?|#)|\bart(?:icle)?\s*(?:\.\s*|\s+)(?:no\b\.?|nr\b\.?|number)?|\bitem\s*(?:no\b\.?|number|#)|\border\s*(?:no\b\.?|number)|\bstock\s*(?:no\b\.?|number|#)|\bref\b\.?|\bsku\b|제품\s*번호|제품\s*코드|품번|品番|製品番号|製品コード|コード(?:番号|No\.?)?`],
  // (`tot No.`, `1ot No.`: the l of Lot misread, taken only with its No.)
  [['lotNumber'], String.raw`\blot\s*/\s*batch(?:\s*no\b\.?)?|\blot\s*(?:no\b\.?|number|#)?|\b[t1I|]ot\s*no\b\.?|\bbatch\s*(?:no\b\.?|number|#)?|제조\s*번호|로트\s*(?:번호)?|ロット\s*(?:番号|No\.?)?|[ロ口][ッツ以ソ][ト卜]\s*(?:番号|No\.?)?|[ロ口]\s?[ト卜]\s*番号|(?<![ーｰ-])[ト卜]\s*番号|製造番号|批号|批號`],
  [['expiryDate'], String.raw`\bexp(?:iry|iration)?\s*\.?\s*(?:date)?\b\.?|\buse\s*by\b|\bbest\s*before\b|\bexpires?\b|\bvalid\s*until\b|유효\s*기[간한]|유효\s*일자|사용\s*기[한간]|유통\s*기한|使用期限|有[効效]期限|有效期`],
  [['ignore'], String.raw`\bmfg\.?\s*(?:date)?|\bmanufactur(?:ed|ing)\s*(?:date|on)?|\bdate\s*of\s*manufacture|\bprod(?:uction)?\.?\s*date|제조\s*일자?|製造(?:年月)?日|\bretest\s*(?:date)?|\btel\b\.?|\bfax\b\.?`],
  [['purity'], String.raw`\bassay\b|\bpurity\b|\bconc(?:entration)?\b\.?|순도|함량|含量|純度`],
  [['quantity', 'purity'], String.raw`\bcontents?\b|\bnet\s*(?:contents?|wt|weight|vol(?:ume)?)?\b\.?|\bpack(?:age)?\s*size\b|\bquantity\b|\bqty\b\.?|\bsize\b|\bpackage\b|\bvolume\b|용량|내용량|容量|内容量|入数`],
  [['grade'], String.raw`\bgrade\b|등급|グレード|[規规]格`],
];

const HANGUL = /[\uAC00-\uD7A3]/;

/** Korean keys are matched letter-spaced too ("제 조 번 호"): OCR often spaces Hangul syllables. */
const spacedHangul = (src: string) => src.replace(/([\uAC00-\uD7A3])(?=[\uAC00-\uD7A3])/g, '$1 ?');

/**
 * A key's closing `\b` becomes "no letter follows": OCR often glues the value to its key (`Use by28.02.2029`,
 * `MW80.91`, `Purity98%`), where no word boundary separates the key's last letter from a digit.
 */
const gluedValueOk = (src: string) => src.replace(/\\b(?=[|).\\]|$)/g, '(?![a-z])');

/** `No.` read with a zero (`Lot N0.:2405R404`, `CAS N0.:`): only before a dot, colon, `#` or space, so a value starting `N0` stays whole. */
const zeroForO = (src: string) => src.replace(/no\\b/g, String.raw`(?:no\b|n0(?=[.:：#\s]))`);

export const KEY_DEFS: KeyDef[] = DEFS.map(([fields, src]) => ({ fields, re: new RegExp(spacedHangul(gluedValueOk(zeroForO(src))), 'giu') }));

export interface KeyHit {
  fields: KeyField[];
  start: number;
  end: number;
  text: string;
}

/** Every key in a line, non-overlapping, left to right (a line may hold "Formula C6H14  M.W. 86.18"). */
export function findKeys(text: string): KeyHit[] {
  const hits: KeyHit[] = [];
  for (const def of KEY_DEFS) {
    def.re.lastIndex = 0;
    for (const m of text.matchAll(def.re)) {
      if (!m[0].trim()) continue;
      const start = m.index;
      const end = start + m[0].length;
      if (hits.some((h) => start < h.end && h.start < end)) continue;
      // A Korean key is a word of its own: "로트" inside "클로로트리메틸실란" (a name) is no lot key.
      // OCR letter-spaces Hangul ("클 로 로 트 리"), so a neighbour one space away counts too.
      const before = text[start - 1] === ' ' ? text[start - 2] : text[start - 1];
      const after = text[end] === ' ' ? text[end + 1] : text[end];
      if (HANGUL.test(m[0][0]) && (HANGUL.test(before ?? '') || HANGUL.test(after ?? ''))) continue;
      hits.push({ fields: def.fields, start, end, text: m[0] });
    }
  }
  hits.sort((a, b) => a.start - b.start);
  return hits;
}
