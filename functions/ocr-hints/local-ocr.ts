import type { OcrLine } from '../shared/contract';
import type { OcrEngine } from './core';
import { editDistance } from '../shared/text';
import { PADDLE_OCR_VERSION, PaddleOcr } from './paddle-ocr';
import { OCR_VERSION, TesseractOcr } from './tesseract-ocr';

/** Bump when LocalOcr's output changes (either engine or the merge), so cached OCR lines are not reused. */
export const LOCAL_OCR_VERSION = `${PADDLE_OCR_VERSION}+${OCR_VERSION}+merge3`;

const HANGUL = /[\uac00-\ud7a3]/;
/** CJK ideographs: PaddleOCR's Chinese recogniser turns Hangul into these — and reads Japanese and Chinese print as them. */
const HAN = /[\u3400-\u9fff]/;
/**
 * A Paddle line of Han characters alone is real Japanese or Chinese print (`分子量`, `特級`, `東京化成工業株式会社`)
 * when read at this confidence with two characters or more; its readings of Hangul score lower (devset: 7–95, all
 * but two single characters below 95).
 */
const CLEAR_HAN_MIN_CONF = 95;
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
    private readonly paddle: OcrEngine = PaddleOcr.shared(),
    private readonly tesseract: OcrEngine = TesseractOcr.shared(),
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
    const paddle = await this.paddle.recognize(image);
    const tesseract = await this.tesseract.recognize(image);
    return mergeOcrLines(paddle, tesseract);
  }
}

function overlap(a: OcrLine['box'], b: OcrLine['box']): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.max(1, Math.min(a.width * a.height, b.width * b.height));
}

/**
 * Paddle's lines, plus tesseract's where Paddle is blind: a tesseract line with Hangul replaces the Paddle lines it
 * overlaps when those carry Han characters (Paddle's reading of Hangul) or nothing Latin of substance; a tesseract
 * line no Paddle line overlaps is added when tesseract is confident in it.
 */
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
  const tail = m[2].replace(/\s+/g, '');
  const close = over.filter((p) => {
    const v = p.text.replace(/^[\s:：]+/, '').replace(/\s+/g, '');
    return !HANGUL.test(p.text) && v.length >= 3 && v !== tail && editDistance(v, tail) <= Math.min(2, Math.floor(tail.length / 3));
  });
  if (close.length !== 1) return t;
  const p = close[0];
  dropped.add(p);
  return { ...t, text: `${m[1].trimEnd()} ${p.text.replace(/^[\s:：]+/, '')}`, confidence: Math.min(t.confidence, p.confidence) };
}

export function mergeOcrLines(paddle: OcrLine[], tesseract: OcrLine[]): OcrLine[] {
  const dropped = new Set<OcrLine>();
  const added: OcrLine[] = [];
  for (const t of tesseract) {
    const over = paddle.filter((p) => overlap(p.box, t.box) > 0.3);
    if (HANGUL.test(t.text)) {
      for (const p of over) if (HAN.test(p.text) || !/[A-Za-z0-9]{3}/.test(p.text)) dropped.add(p);
      added.push(withPaddleValue(t, over.filter((p) => !dropped.has(p)), dropped));
    } else if (over.length === 0 && t.confidence >= LONE_TESSERACT_MIN_CONF) {
      added.push(t);
    }
  }
  // Paddle lines made only of Han characters that no tesseract line replaced are its readings of Hangul, unless read clearly.
  const hanOnly = (p: OcrLine) => HAN.test(p.text) && !/[A-Za-z0-9]{2}/.test(p.text);
  const clearHan = (p: OcrLine) => p.confidence >= CLEAR_HAN_MIN_CONF && (p.text.match(/[\u3400-\u9fff]/g) ?? []).length >= 2;
  const kept = paddle.filter((p) => !dropped.has(p) && (!hanOnly(p) || clearHan(p)));
  return [...kept, ...added];
}
