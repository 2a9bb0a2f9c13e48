import type { OcrLine } from '../shared/contract';
import type { OcrEngine } from './core';
import { editDistance } from '../shared/text';
import { PADDLE_OCR_VERSION, PaddleOcr } from './paddle-ocr';
import { OCR_VERSION, TesseractOcr } from './tesseract-ocr';

/** Bump when LocalOcr's output changes (either engine or the merge), so cached OCR lines are not reused. */
export const LOCAL_OCR_VERSION = `${PADDLE_OCR_VERSION}+${OCR_VERSION}+merge8+regions2`;

const HANGUL = /[\uac00-\ud7a3]/;
/** CJK ideographs: PaddleOCR's Chinese recogniser turns Hangul into these — and reads Japanese and Chinese print as them. */
const HAN = /[\u3400-\u9fff]/;
/**
 * A Paddle line of Han characters alone is real Japanese or Chinese print (`分子量`, `特級`, `東京化成工業株式会社`)
 * when read at this confidence with two characters or more; its readings of Hangul score lower (devset: 7–95, all
 * but two single characters below 95).
 */
const CLEAR_HAN_MIN_CONF = 95;
/**
 * Words Japanese and Chinese reagent labels print as keys, grades and makers' names, in the forms Paddle's Chinese
 * recogniser reads them (it often returns the simplified form: 规格 for 規格, 有效 for 有効, and 純菜 for 純薬). A Han
 * line holding one of these is real print even below CLEAR_HAN_MIN_CONF: Paddle's readings of Hangul are strings of
 * unrelated characters.
 */
const LABEL_HAN_TERMS = /[特一二][級级]|試薬|试药|[規规]格|有[効效]期|使用期限|[容含]量|純度|纯度|番号|批号|分子[量式]|製造|制造|高純|精密分析|化学用|株式会社|[純纯][薬药藥菜]|化学|化成|工業|工业/;
/** Least confidence for a Han line that holds a label word. */
const LABEL_HAN_MIN_CONF = 70;
/** A tesseract line Paddle did not find is kept only at this confidence or more (below it, on blurred photos, it is noise). */
const LONE_TESSERACT_MIN_CONF = 60;

/**
 * The laptop's OCR: PaddleOCR for the page (it reads Latin print, small and blurred, far better than tesseract) and
 * tesseract for what Paddle cannot read: Hangul lines (Paddle's recogniser has none) and lines Paddle's detector
 * missed (boxed values tesseract reads alone, low-contrast lines). Both engines run on the same normalised image;
 * their boxes are in its pixels.
 */
export class LocalOcr implements OcrEngine {
  private static instance: LocalOcr | undefined;

  constructor(
    private readonly paddle: OcrEngine & Partial<Pick<PaddleOcr, 'recognizeWithUnread'>> = PaddleOcr.shared(),
    private readonly tesseract: OcrEngine & Partial<Pick<TesseractOcr, 'readRegions'>> = TesseractOcr.shared(),
  ) {}

  static shared(): LocalOcr {
    LocalOcr.instance ??= new LocalOcr();
    return LocalOcr.instance;
  }

  static async terminateShared(): Promise<void> {
    LocalOcr.instance = undefined;
    await Promise.all([PaddleOcr.terminateShared(), TesseractOcr.terminateShared()]);
  }

  async recognize(image: Buffer): Promise<OcrLine[]> {
    // Sequential, not parallel: on two cores both engines want both, and one at a time keeps latency predictable.
    const paddle = this.paddle.recognizeWithUnread ? await this.paddle.recognizeWithUnread(image) : await this.paddle.recognize(image);
    const tesseract = await this.tesseract.recognize(image);
    const regions = unreadHangulRegions(paddle, tesseract);
    const reread = regions.length && this.tesseract.readRegions ? await this.tesseract.readRegions(image, regions) : [];
    return mergeOcrLines(paddle, [...tesseract, ...keptRegionReads(reread)]);
  }
}

function overlap(a: OcrLine['box'], b: OcrLine['box']): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.max(1, Math.min(a.width * a.height, b.width * b.height));
}

/**
 * A Korean key and its Latin value on one line (`제품번호: F9575`): tesseract reads the key, which Paddle cannot,
 * and often reads the value worse than Paddle (`69575`, `259` for `25g`). When exactly one overlapping Paddle line
 * without Hangul reads that value within two characters, the line becomes tesseract's key plus Paddle's value,
 * and that Paddle line is dropped.
 */
function withPaddleValue(t: OcrLine, over: OcrLine[], dropped: Set<OcrLine>): OcrLine {
  // (only a key tesseract read with some confidence: on blurred photos its Hangul is noise)
  const m = t.confidence >= LONE_TESSERACT_MIN_CONF ? /^([^A-Za-z0-9]*[\uac00-\ud7a3][^A-Za-z0-9]*?)\s*([A-Za-z0-9(≥>].*)$/.exec(t.text) : null;
  if (!m) return t;
  const tail = m[2].normalize('NFKC').replace(/\s+/g, '');
  // (Paddle's value without what it made of the key before a colon: `H ：100mL` for 내용량: 100mL)
  const valueOf = (p: OcrLine) => p.text.replace(/^(?:[^\s:：]{1,3}\s*)?[:：]/, '').replace(/^[\s:：]+/, '');
  const close = over.filter((p) => {
    const v = valueOf(p).normalize('NFKC').replace(/\s+/g, '');
    return !HANGUL.test(p.text) && v.length >= 3 && v !== tail && editDistance(v, tail) <= Math.min(2, Math.floor(tail.length / 3));
  });
  if (close.length !== 1) return t;
  const p = close[0];
  dropped.add(p);
  return { ...t, text: `${m[1].trimEnd()} ${valueOf(p)}`, confidence: Math.min(t.confidence, p.confidence) };
}

/**
 * At most this many regions are read again, the tallest first. Each read holds the one tesseract worker for ~50–100 ms
 * (another photo's page pass waits): end to end, reading regions costs ~10 % throughput (docs/accuracy.md, round 10).
 */
const MAX_REGION_READS = 8;

const hanOnly = (p: OcrLine) => HAN.test(p.text) && !/[A-Za-z0-9]{2}/.test(p.text);
/** At most this many letters and digits: a badge or a mark, not a word of a name or a sentence. */
const SHORT_MARK_CHARS = 2;
const shortMark = (p: OcrLine) => p.text.replace(/[\s\p{P}\p{S}]/gu, '').length <= SHORT_MARK_CHARS;
/** Least confidence for a Han line holding a grade (`F：特级` at 60, グレード lost): unsure, but a grade is printed there. */
const GRADE_MARK_MIN_CONF = 45;
const gradeMark = (p: OcrLine) => p.confidence >= GRADE_MARK_MIN_CONF && /[特一二][級级]/.test(p.text);
const clearHan = (p: OcrLine) =>
  (p.confidence >= CLEAR_HAN_MIN_CONF && (p.text.match(/[\u3400-\u9fff]/g) ?? []).length >= 2) ||
  (p.confidence >= LABEL_HAN_MIN_CONF && LABEL_HAN_TERMS.test(p.text));

/**
 * Where Paddle found text it could not read (empty text: `PaddleOcr.recognizeWithUnread`) or read only as unclear
 * Han characters (its reading of Hangul, which its dictionary lacks), and tesseract's page pass read no Hangul
 * there: light text on a dark panel, a name in large type. These regions are worth reading again with tesseract
 * alone (`TesseractOcr.readRegions`). Short lines only: a Korean name or key, not a paragraph of hazard text.
 */
export function unreadHangulRegions(paddle: OcrLine[], tesseract: OcrLine[]): OcrLine['box'][] {
  const hangulLines = tesseract.filter((t) => HANGUL.test(t.text));
  const read = paddle.filter((p) => p.text.length > 0 && !hanOnly(p));
  return paddle
    .filter((p) => (p.text.length === 0 || (hanOnly(p) && !clearHan(p))) && p.box.height >= 10 && p.box.width <= 12 * p.box.height)
    .filter((p) => !hangulLines.some((t) => overlap(p.box, t.box) > 0.3) && !read.some((r) => overlap(p.box, r.box) > 0.3))
    .sort((a, b) => b.box.height - a.box.height)
    .slice(0, MAX_REGION_READS)
    .map((p) => p.box);
}

/** Region reads worth merging: Hangul read with some confidence (the rest is what Paddle already saw as noise). */
export function keptRegionReads(reads: OcrLine[]): OcrLine[] {
  return reads.filter((l) => HANGUL.test(l.text) && l.confidence >= LONE_TESSERACT_MIN_CONF);
}

/** A number alone (`100`, `2.5`): what Paddle's detector leaves of a pack size when it misses the unit beside it. */
const BARE_NUMBER = /^\d{1,4}(?:[.,]\d{1,3})?$/;

/**
 * A pack size in large type whose unit Paddle's detector missed (`2.5` of "2.5 L": a lone letter after a wide space)
 * or read as a region of its own, badly (`250` | `9` for "250 g": the big g's descender), while tesseract read the
 * whole box (`2.5L`, `250 g`): tesseract's line is taken when it is a Paddle line's bare number followed by one short
 * unit-like token. Returns the Paddle lines it replaces: the number and any short fragment right of it on its row
 * (other lines the box takes in, such as a key above, stay).
 */
function completesNumber(t: OcrLine, over: OcrLine[]): OcrLine[] | undefined {
  if (t.confidence < LONE_TESSERACT_MIN_CONF) return undefined;
  const tail = t.text.trim().replace(/\s+/g, ' ');
  const nums = over.filter((p) => BARE_NUMBER.test(p.text.trim()) && tail.startsWith(p.text.trim()) && /^ ?[A-Za-z|]{1,2}$/.test(tail.slice(p.text.trim().length)));
  if (nums.length !== 1) return undefined;
  const p = nums[0];
  const cy = (b: OcrLine['box']) => b.top + b.height / 2;
  const row = over.filter((o) => o !== p && Math.abs(cy(o.box) - cy(p.box)) < p.box.height / 2);
  if (row.some((o) => o.text.trim().length > 2 || o.box.left < p.box.left + p.box.width / 2)) return undefined;
  return [p, ...row];
}

/**
 * A purity whose sign Paddle did not read: Paddle `99.9%`, tesseract over it `299.9%` (its usual reading of `≥`), `≥99.9%`
 * or `>99.9%`. Returns Paddle's line with the sign put back, or undefined. (Paddle's dictionary has `≥`, but on small
 * print it drops the sign rather than misreading it; a missing `≥` turns "≥99.9%" into another purity.)
 */
function withTesseractSign(t: OcrLine, over: OcrLine[]): { from: OcrLine; line: OcrLine } | undefined {
  if (t.confidence < LONE_TESSERACT_MIN_CONF || over.length !== 1) return undefined;
  const p = over[0];
  const num = p.text.trim();
  if (!/^\d{2,3}(?:\.\d{1,2})?\s?%$/.test(num)) return undefined;
  const m = /^([2≥>=])\s?(.*)$/.exec(t.text.trim());
  if (!m || m[2].replace(/\s/g, '') !== num.replace(/\s/g, '')) return undefined;
  // (Paddle read two digits or more, so a leading 2 makes the number 200 or more: it is the sign.) `>` stays `>`.
  const sign = m[1] === '>' ? '>' : '≥';
  return { from: p, line: { ...p, text: `${sign}${num}`, confidence: Math.min(p.confidence, t.confidence) } };
}

/**
 * A doubled letter or digit Paddle read once: greedy CTC decoding merges two equal characters when no blank step
 * falls between them (`JR4285` for the lot JJR4285), and tesseract, reading the same spot, has both. Returns Paddle's
 * line with tesseract's text when the two differ by exactly that — one character of a doubled pair — or undefined.
 */
function withDoubledCharacter(t: OcrLine, over: OcrLine[]): { from: OcrLine; line: OcrLine } | undefined {
  if (t.confidence < LONE_TESSERACT_MIN_CONF || over.length !== 1) return undefined;
  const p = over[0];
  const a = p.text.trim();
  const b = t.text.trim();
  if (b.length !== a.length + 1 || !/^[A-Za-z0-9-]{4,}$/.test(b)) return undefined;
  for (let i = 1; i < b.length; i++) {
    if (b[i] === b[i - 1] && b.slice(0, i) + b.slice(i + 1) === a) return { from: p, line: { ...p, text: b, confidence: Math.min(p.confidence, t.confidence) } };
  }
  return undefined;
}

/**
 * Paddle's lines, plus tesseract's where Paddle is blind: a tesseract line with Hangul replaces the Paddle lines it
 * overlaps when those carry Han characters (Paddle's reading of Hangul) or nothing Latin of substance; a tesseract
 * line no Paddle line overlaps is added when tesseract is confident in it; where both read one spot, tesseract's
 * line wins for a purity's sign, a doubled character Paddle read once and a large pack size's unit (withTesseractSign,
 * withDoubledCharacter, completesNumber).
 */
export function mergeOcrLines(paddleAll: OcrLine[], tesseract: OcrLine[]): OcrLine[] {
  // (regions Paddle read as nothing only point tesseract at places to read: unreadHangulRegions)
  const paddle = paddleAll.filter((p) => p.text.length > 0);
  const dropped = new Set<OcrLine>();
  const added: OcrLine[] = [];
  for (const t of tesseract) {
    const over = paddle.filter((p) => overlap(p.box, t.box) > 0.3);
    if (HANGUL.test(t.text)) {
      // (a clear Han reading — `特級` at 80 — outranks a less confident Hangul reading of the same spot: tesseract's
      // eng+kor model turns Japanese print into Hangul noise, `는` at 12)
      if (over.some((p) => clearHan(p) && p.confidence > t.confidence)) continue;
      for (const p of over) if (HAN.test(p.text) || !/[A-Za-z0-9]{3}/.test(p.text)) dropped.add(p);
      added.push(withPaddleValue(t, over.filter((p) => !dropped.has(p)), dropped));
    } else if (over.length === 0 && t.confidence >= LONE_TESSERACT_MIN_CONF) {
      added.push(t);
    } else if (over.length > 0) {
      const signed = withTesseractSign(t, over) ?? withDoubledCharacter(t, over);
      if (signed) {
        dropped.add(signed.from);
        added.push(signed.line);
        continue;
      }
      const replaced = completesNumber(t, over);
      if (!replaced) continue;
      for (const p of replaced) dropped.add(p);
      added.push({ ...t, confidence: Math.min(t.confidence, ...replaced.map((p) => p.confidence)) });
    }
  }
  // Paddle lines made only of Han characters that no tesseract line replaced are its readings of Hangul, unless read
  // clearly or holding a word labels print. A short one is kept all the same: a mark no engine could read (a `1급`
  // badge Paddle reads as `1元`), which tells the scorer that something small is printed there (unreadMark).
  const kept = paddle.filter((p) => !dropped.has(p) && (!hanOnly(p) || clearHan(p) || shortMark(p) || gradeMark(p)));
  return [...kept, ...added];
}
