/**
 * OCR lines of a normalised label, kept in os.tmpdir() keyed by image hash and engine version, so the measuring
 * scripts (measure-offline, calibrate) share one cache and a rule change can be measured in seconds.
 * OCR_ENGINE=local (default: what the pipeline runs), tesseract or paddle picks the engine; `local` is merged from
 * the two engines' cached lines, so a change to the merge alone needs no OCR.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Catalog } from '../functions/shared/catalog';
import { loadConfig } from '../functions/shared/config';
import type { OcrLine, ReaderResult } from '../functions/shared/contract';
import { createOfflineReader } from '../functions/extract-fields/offline-reader';
import { scoreConfidence, type ScoreResult } from '../functions/score-confidence/core';
import { validateImage } from '../functions/validate-image/core';
import { validateOutput } from '../functions/validate-output/core';
import { OCR_VERSION, TesseractOcr } from '../functions/ocr-hints/tesseract-ocr';
import { PADDLE_OCR_VERSION, PaddleOcr } from '../functions/ocr-hints/paddle-ocr';
import { keptRegionReads, LocalOcr, mergeOcrLines, unreadHangulRegions } from '../functions/ocr-hints/local-ocr';

let scaled: PaddleOcr | undefined;
const CACHE_DIR = path.join(tmpdir(), 'reagent-intake-ocr-cache');
const ENGINE = process.env.OCR_ENGINE ?? 'local';
if (!['local', 'tesseract', 'paddle'].includes(ENGINE)) throw new Error(`OCR_ENGINE must be local, tesseract or paddle (got ${ENGINE})`);

async function cached(hash: string, version: string, useCache: boolean, run: () => Promise<OcrLine[]>, engine: OcrLine['engine']): Promise<{ lines: OcrLine[]; ms: number }> {
  const file = path.join(CACHE_DIR, `${hash}-${version}.json`);
  // Lines cached before OcrLine carried its engine get it here (the engines' text and boxes are unchanged).
  if (useCache && existsSync(file)) return { lines: (JSON.parse(readFileSync(file, 'utf8')) as OcrLine[]).map((l) => ({ ...l, engine: l.engine ?? engine })), ms: 0 };
  const t0 = Date.now();
  const lines = await run();
  const ms = Date.now() - t0;
  if (useCache) {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(lines));
  }
  return { lines, ms };
}

/** `ms` is the OCR time spent now: 0 when the lines came from the cache. */
export async function ocrWithCache(image: { contentHash: string; normalized: Buffer }, useCache: boolean): Promise<{ lines: OcrLine[]; ms: number }> {
  const tess = () => cached(image.contentHash, OCR_VERSION, useCache, () => TesseractOcr.shared().recognize(image.normalized), 'tesseract');
  const scale = process.env.PADDLE_SCALE;
  const paddleOcr = scale ? (scaled ??= new PaddleOcr({ maxScale: Number(scale) })) : PaddleOcr.shared();
  const paddle = () => cached(image.contentHash, `${PADDLE_OCR_VERSION}${scale ? `-x${scale}` : ''}`, useCache, () => paddleOcr.recognizeWithUnread(image.normalized), 'paddle');
  if (ENGINE === 'tesseract') return tess();
  if (ENGINE === 'paddle') {
    const p = await paddle();
    return { lines: p.lines.filter((l) => l.text.length > 0), ms: p.ms };
  }
  const p = await paddle();
  const t = await tess();
  // What LocalOcr does next: tesseract reads the regions Paddle found but read as nothing or only as unclear Han.
  const regions = unreadHangulRegions(p.lines, t.lines);
  const r = regions.length
    ? await cached(image.contentHash, `regions2-${OCR_VERSION}-${createHash('sha1').update(JSON.stringify(regions)).digest('hex').slice(0, 12)}`, useCache, () => TesseractOcr.shared().readRegions(image.normalized, regions), 'tesseract')
    : { lines: [], ms: 0 };
  return { lines: mergeOcrLines(p.lines, [...t.lines, ...keptRegionReads(r.lines)]), ms: p.ms + t.ms + r.ms };
}

export async function terminateOcr(): Promise<void> {
  await LocalOcr.terminateShared();
  await scaled?.terminate();
}

/** One labelled photo as both measuring scripts see it: truth, OCR lines, the offline reader's result and its score. */
export interface MeasuredLabel {
  stem: string;
  template: string;
  difficulty: string;
  truth: Record<string, unknown>;
  lines: OcrLine[];
  result: ReaderResult;
  /** Threshold 0: only the structural review reasons; callers sweep thresholds themselves. Undefined when validation threw. */
  scored?: ScoreResult;
  ocrMs: number;
  readMs: number;
}

/**
 * validate → OCR (cached when `useCache`) → offline read → score, for every photo listed in `folder/index.csv`
 * (NAME.jpg + NAME.json), in order. The one pipeline measure-offline and calibrate both measure. With `unknownProducts`
 * (`unknownMakers`) the folder's products (makers) are taken out of the catalog, to measure labels of products (makers)
 * the catalog has never seen.
 */
export async function* measureFolder(
  folder: string,
  opts: { useCache: boolean; only?: Set<string>; unknownProducts?: boolean; unknownMakers?: boolean },
): AsyncGenerator<MeasuredLabel> {
  const config = loadConfig({});
  const limits = { maxBytes: config.INTAKE_MAX_BYTES, maxMegapixels: config.INTAKE_MAX_MEGAPIXELS, minEdgePx: config.INTAKE_MIN_EDGE_PX, normalizedEdgePx: config.INTAKE_NORMALIZED_EDGE_PX };
  const rows = readFileSync(path.join(folder, 'index.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const truthOf = (file: string) => JSON.parse(readFileSync(path.join(folder, `${file.replace(/\.[^.]+$/, '')}.json`), 'utf8')) as Record<string, unknown>;
  // --unknown-products / --unknown-makers: every product (maker) of the folder taken out of the catalog, as if none
  // had been seen before.
  const shipped = Catalog.shipped();
  const truths = rows.map(([file]) => truthOf(file));
  const unseenCas = new Set(opts.unknownProducts ? truths.map((t) => t.casNumber) : []);
  const unseenMakers = new Set(opts.unknownMakers ? truths.map((t) => t.manufacturer) : []);
  const catalog =
    opts.unknownProducts || opts.unknownMakers
      ? new Catalog(
          shipped.entries.filter((e) => !unseenCas.has(e.cas)),
          shipped.manufacturers.filter((m) => !unseenMakers.has(m.name)),
        )
      : shipped;
  const reader = createOfflineReader(catalog, { ocr: false });
  for (const [i, [file, template, difficulty]] of rows.entries()) {
    const stem = file.replace(/\.[^.]+$/, '');
    if (opts.only && !opts.only.has(stem)) continue;
    const truth = truths[i];
    const v = await validateImage(readFileSync(path.join(folder, file)), limits);
    const { lines, ms: ocrMs } = await ocrWithCache(v, opts.useCache);
    const t1 = Date.now();
    const result = await reader.read({ image: v.normalized, mediaType: 'image/jpeg', ocrLines: lines, attempt: 1 });
    const readMs = Date.now() - t1;
    let scored: ScoreResult | undefined;
    try {
      scored = scoreConfidence({ fields: validateOutput(result).fields, extraction: result, ocrLines: lines }, catalog, 0);
    } catch {
      scored = undefined;
    }
    yield { stem, template, difficulty, truth, lines, result, scored, ocrMs, readMs };
  }
}
