/**
 * OCR lines of a normalised label, kept in os.tmpdir() keyed by image hash and OCR_VERSION, so the measuring scripts
 * (measure-offline, calibrate) share one cache and a rule change can be measured in seconds.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OcrLine } from '../functions/shared/contract';
import { OCR_VERSION, TesseractOcr } from '../functions/ocr-hints/tesseract-ocr';

const CACHE_DIR = path.join(tmpdir(), 'reagent-intake-ocr-cache');

/** `ms` is the OCR time spent now: 0 when the lines came from the cache. */
export async function ocrWithCache(image: { contentHash: string; normalized: Buffer }, useCache: boolean): Promise<{ lines: OcrLine[]; ms: number }> {
  const file = path.join(CACHE_DIR, `${image.contentHash}-${OCR_VERSION}.json`);
  if (useCache && existsSync(file)) return { lines: JSON.parse(readFileSync(file, 'utf8')), ms: 0 };
  const t0 = Date.now();
  const lines = await TesseractOcr.shared().recognize(image.normalized);
  const ms = Date.now() - t0;
  if (useCache) {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(lines));
  }
  return { lines, ms };
}
