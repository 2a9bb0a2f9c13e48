import type { OcrLine } from '../shared/contract';
import { OcrFailedError } from '../shared/errors';

/** Anything that turns an image into OCR lines: LocalOcr (PaddleOCR + tesseract) locally, Textract in AWS, a stub in tests. */
export interface OcrEngine {
  recognize(image: Buffer): Promise<OcrLine[]>;
}

export interface OcrHints {
  lines: OcrLine[];
  /** Lines joined top-to-bottom, one per row, for readers that want plain text. */
  text: string;
  ms: number;
}

/** Run OCR on the normalised (auto-oriented) image. Any engine failure becomes OcrFailedError (not fatal upstream). */
export async function ocrHints(image: Buffer, engine: OcrEngine): Promise<OcrHints> {
  const started = Date.now();
  let lines: OcrLine[];
  try {
    lines = await engine.recognize(image);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new OcrFailedError(`Text recognition failed: ${detail}`, { cause: err });
  }
  const sorted = [...lines].sort((a, b) => a.box.top - b.box.top || a.box.left - b.box.left);
  return { lines, text: sorted.map((l) => l.text).join('\n'), ms: Date.now() - started };
}
