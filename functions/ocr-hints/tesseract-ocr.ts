import { mkdirSync, existsSync, symlinkSync, copyFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker, type Line, type Word } from 'tesseract.js';
import type { OcrLine } from '../shared/contract';
import { findTextBoxes, otsu, prepareForOcr, type PreparedImage, type TextBox } from './image-prep';

/** The traineddata variants shipped in node_modules; `best_int` is what tesseract.js itself uses for LSTM. */
const LANGS = ['eng', 'kor'] as const;
const DATA_VARIANT = '4.0.0_best_int';

/**
 * tesseract.js reads every language from one `langPath`, but each language ships in its own npm package, so
 * link them into one folder. Nothing is fetched from a CDN: the path is local and `cacheMethod` is 'none'.
 */
function localLangPath(): string {
  const dir = path.join(tmpdir(), `reagent-intake-tessdata-${DATA_VARIANT}`);
  mkdirSync(dir, { recursive: true });
  for (const lang of LANGS) {
    const target = path.join(dir, `${lang}.traineddata.gz`);
    if (existsSync(target)) continue;
    const pkgDir = path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
    const source = path.join(pkgDir, DATA_VARIANT, `${lang}.traineddata.gz`);
    try {
      symlinkSync(source, target);
    } catch {
      copyFileSync(source, target);
    }
  }
  return dir;
}

export interface TesseractOcrOptions {
  /** Split a tesseract line where the gap between words exceeds this many line heights (table columns). */
  columnGapFactor?: number;
  /**
   * Re-read at most this many weak lines one by one (default 0: off). Measured on the devset it gained +0.01 on
   * clean labels and nothing on photos for ~+1 s per label, and lost a pack size on the sample label; see docs/accuracy.md.
   */
  maxRereads?: number;
  /** tesseract workers (default: `INTAKE_TESSERACT_WORKERS`, else 2 on a machine with 2+ cores). */
  workers?: number;
  /** Read at most this many boxed values (badges, framed values, light boxes in banners) on their own (default 6; 0: off). */
  maxBoxes?: number;
}

interface Slot {
  worker?: Promise<Worker>;
  queue: Promise<unknown>;
  /** Jobs queued or running on this worker. */
  pending: number;
}

/**
 * Two workers by default: one image's page pass need not wait for another image's region reads, and PaddleOCR leaves
 * the second core idle part of the time. Each worker holds its own copy of the language models (~100 MB).
 */
function defaultWorkers(): number {
  const env = process.env.INTAKE_TESSERACT_WORKERS;
  if (env !== undefined && env !== '') return Number(env);
  return Math.min(2, Math.max(1, availableParallelism()));
}

/** Bump when OCR output changes, so caches of OCR lines keyed by image are not reused across versions. */
export const OCR_VERSION = 'prep2-reread0-boxes2-sauvola-fallback-crop3-angle';

/** A page pass that reads fewer characters than this failed (a label prints far more); it is read again. */
const MIN_PAGE_CHARS = 20;

/** A line whose mean word confidence is below this is re-read on its own (second pass). */
const WEAK_LINE_CONF = 80;
/** Text height tesseract's LSTM reads best at; big print (badges, pack sizes) is scaled down to it, small print up. */
const REREAD_TEXT_PX = 72;

/**
 * Local OCR with tesseract.js (eng+kor). A tesseract worker reads one image at a time and creating one costs seconds,
 * so callers share `TesseractOcr.shared()` — up to `workers` of them, each started when first needed — and call
 * `terminate()` (or `TesseractOcr.terminateShared()`) when done so the process can exit.
 */
export class TesseractOcr {
  private static instance: TesseractOcr | undefined;
  private readonly slots: Slot[];

  constructor(private readonly options: TesseractOcrOptions = {}) {
    const n = options.workers ?? defaultWorkers();
    if (!Number.isInteger(n) || n < 1) throw new Error(`tesseract workers must be a whole number ≥ 1 (got ${n})`);
    this.slots = Array.from({ length: n }, () => ({ queue: Promise.resolve(), pending: 0 }));
  }

  static shared(): TesseractOcr {
    TesseractOcr.instance ??= new TesseractOcr();
    return TesseractOcr.instance;
  }

  static async terminateShared(): Promise<void> {
    const inst = TesseractOcr.instance;
    TesseractOcr.instance = undefined;
    await inst?.terminate();
  }

  private getWorker(slot: Slot): Promise<Worker> {
    slot.worker ??= (async () => {
      const worker = await createWorker([...LANGS], OEM.LSTM_ONLY, {
        langPath: localLangPath(),
        gzip: true,
        cacheMethod: 'none',
        logger: () => undefined,
        errorHandler: () => undefined,
      });
      await worker.setParameters({
        tessedit_pageseg_mode: PSM.SPARSE_TEXT,
        preserve_interword_spaces: '1',
        user_defined_dpi: '300',
        // tesseract's tprintf diagnostics ("Detected 240 diacritics", …) go to stderr unless a debug file is set:
        // send them nowhere (the wasm file system has /dev/null), so CLI, eval and bench output stay clean.
        debug_file: '/dev/null',
      });
      return worker;
    })();
    slot.worker.catch(() => {
      slot.worker = undefined;
    });
    return slot.worker;
  }

  /**
   * Runs a job on the worker with the fewest jobs waiting (the first such: a second worker starts only when two
   * jobs overlap). A worker runs its jobs one after another, so concurrent callers never interleave parameters.
   */
  private schedule<T>(job: (worker: Worker) => Promise<T>): Promise<T> {
    const slot = this.slots.reduce((best, s) => (s.pending < best.pending ? s : best));
    slot.pending++;
    const run = slot.queue.then(async () => job(await this.getWorker(slot))).finally(() => {
      slot.pending--;
    });
    slot.queue = run.catch(() => undefined);
    return run;
  }

  /** Lines with confidence and boxes in pixels of `image` (give it the auto-oriented normalised copy). */
  async recognize(image: Buffer): Promise<OcrLine[]> {
    return this.schedule((worker) => this.recognizeNow(worker, image));
  }

  /**
   * Reads given regions of `image` one by one, each as a single line (cropped with a margin, binarised, turned
   * dark-on-light, scaled to ~BOX_TEXT_PX tall): where another engine found text it could not read (Paddle has no
   * Hangul). Boxes and results are in pixels of `image`.
   */
  async readRegions(image: Buffer, regions: OcrLine['box'][]): Promise<OcrLine[]> {
    if (regions.length === 0) return [];
    return this.schedule((worker) => this.readRegionsNow(worker, image, regions));
  }

  private async readRegionsNow(worker: Worker, image: Buffer, regions: OcrLine['box'][]): Promise<OcrLine[]> {
    // Decoded once: each region is cropped from this grey copy.
    const { data: grey, info } = await sharp(image).greyscale().png({ compressionLevel: 0 }).toBuffer({ resolveWithObject: true });
    const page: PreparedImage = { buffer: grey, width: info.width, height: info.height, toSource: (x, y) => ({ x, y }), scaleFactor: 1, angle: 0 };
    const out: OcrLine[] = [];
    await worker.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE });
    try {
      for (const r of regions) {
        // A little margin: detector boxes hug the ink, and a glyph cut at the edge reads as another.
        const m = Math.round(r.height * 0.15);
        const left = Math.max(0, r.left - m);
        const top = Math.max(0, r.top - m);
        const box: TextBox = { kind: 'frame', left, top, width: Math.min(info.width - left, r.width + 2 * m), height: Math.min(info.height - top, r.height + 2 * m) };
        if (box.width < 8 || box.height < 8) continue;
        // tesseract's LSTM misreads some crops at one scale and not at another (`옥살산` → `SAM` at 80 px, right at
        // 50, 60 and 100): an unsure first read is tried again at another scale, and the more confident one kept.
        let line = await readOneBox(worker, page, box, REGION_TEXT_PX[0]);
        if (!line || line.confidence < REGION_SURE_CONF) {
          const again = await readOneBox(worker, page, box, REGION_TEXT_PX[1]);
          if (again && again.confidence > (line?.confidence ?? -1)) line = again;
        }
        if (line) out.push(...this.toOcrLines(line, page));
      }
    } finally {
      await worker.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT });
    }
    return out;
  }

  private async recognizeNow(worker: Worker, image: Buffer): Promise<OcrLine[]> {
    const prepared = await prepareForOcr(image);
    const page = async (method: '0' | '2'): Promise<Line[]> => {
      if (method !== '0') await worker.setParameters({ thresholding_method: method } as Parameters<Worker['setParameters']>[0]);
      try {
        const { data } = await worker.recognize(prepared.buffer, {}, { blocks: true, text: false });
        const out: Line[] = [];
        for (const block of data.blocks ?? []) for (const para of block.paragraphs) out.push(...para.lines);
        return out;
      } finally {
        if (method !== '0') await worker.setParameters({ thresholding_method: '0' } as Parameters<Worker['setParameters']>[0]);
      }
    };
    // tesseract's global Otsu threshold can turn a whole evenly lit, low-contrast label black (devset img_0027: one
    // line, "Be"). Then the page is read again with Sauvola's local threshold. Only then: on every label it read
    // clean and photo fields worse and let four wrong records through (docs/accuracy.md, round 8).
    let lines = await page('0');
    if (lines.reduce((n, l) => n + l.text.trim().length, 0) < MIN_PAGE_CHARS) lines = await page('2');
    const reread = await this.rereadWeakLines(worker, prepared, lines);
    const boxed = await this.readBoxes(worker, prepared);
    const merged = mergeBoxReads(reread, boxed);
    return merged.flatMap((l) => this.toOcrLines(l, prepared)).filter((l) => l.text.length > 0);
  }

  /**
   * Boxed values (grade badges, pack sizes and codes in frames or in light boxes on a banner) are what the page
   * pass misses: mixed polarity and frame lines confuse its layout analysis. Each box is read alone: cropped
   * inside its frame, binarised (Otsu), turned dark-on-light, scaled to ~BOX_TEXT_PX tall and read as one line.
   */
  private async readBoxes(worker: Worker, prepared: PreparedImage): Promise<Line[]> {
    const budget = this.options.maxBoxes ?? 6;
    if (budget <= 0) return [];
    const boxes = await findTextBoxes(prepared, budget);
    if (boxes.length === 0) return [];
    const out: Line[] = [];
    await worker.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE });
    try {
      for (const b of boxes) {
        const line = await readOneBox(worker, prepared, b);
        if (line) out.push(line);
      }
    } finally {
      await worker.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT });
    }
    return out;
  }

  /**
   * Second pass, only where the first is weak: a low-confidence line is cropped, scaled so its text is
   * ~REREAD_TEXT_PX tall (big badges and pack sizes are too large for tesseract after the page upscale,
   * small print too small), inverted when it is light text on a dark box, and read as a single line. The new
   * reading replaces the old one only when tesseract is clearly more confident in it.
   */
  private async rereadWeakLines(worker: Worker, prepared: PreparedImage, lines: Line[]): Promise<Line[]> {
    const budget = this.options.maxRereads ?? 0;
    if (budget <= 0) return lines;
    const weak = lines
      .map((l, i) => ({ l, i, h: l.bbox.y1 - l.bbox.y0, w: l.bbox.x1 - l.bbox.x0 }))
      .filter((x) => x.l.confidence < WEAK_LINE_CONF && x.h >= 10 && x.w >= x.h * 0.8 && x.l.words.some((w) => /[\p{L}\p{N}]/u.test(w.text)))
      .sort((a, b) => a.l.confidence - b.l.confidence)
      .slice(0, budget);
    if (weak.length === 0) return lines;
    const out = [...lines];
    for (const { l, i, h, w } of weak) {
      const pad = Math.round(h * 0.35);
      const left = Math.max(0, Math.round(l.bbox.x0 - pad));
      const top = Math.max(0, Math.round(l.bbox.y0 - pad));
      const width = Math.min(prepared.width - left, Math.round(w + 2 * pad));
      const height = Math.min(prepared.height - top, Math.round(h + 2 * pad));
      if (width < 8 || height < 8) continue;
      const k = Math.max(0.2, Math.min(4, REREAD_TEXT_PX / h));
      const { data: px, info } = await sharp(prepared.buffer)
        .extract({ left, top, width, height })
        .resize(Math.max(8, Math.round(width * k)), Math.max(8, Math.round(height * k)), { kernel: 'lanczos3' })
        .greyscale()
        .normalise()
        .raw()
        .toBuffer({ resolveWithObject: true });
      let darkPx = 0;
      for (let j = 0; j < px.length; j++) if (px[j] < 110) darkPx++;
      // Light text on a dark box (badges, headers, pack sizes) needs the negative: tesseract reads dark on light.
      // A line can mix both (a black-on-white code beside a white-on-blue pack size), so read both and merge.
      const polarities = darkPx / px.length > 0.3 ? [false, true] : [false];
      const words: Word[] = [];
      for (const invert of polarities) {
        const raw = invert ? Buffer.from(px.map((v) => 255 - v)) : px;
        const buf = await sharp(raw, { raw: { width: info.width, height: info.height, channels: 1 } })
          .extend({ top: PAD, bottom: PAD, left: PAD, right: PAD, background: '#ffffff' })
          .png()
          .toBuffer();
        const { data } = await worker.recognize(buf, {}, { blocks: true, text: false });
        for (const block of data.blocks ?? []) for (const para of block.paragraphs) for (const ln of para.lines) words.push(...ln.words);
      }
      const merged = mergeWords(words.filter((x) => x.text.trim() && x.confidence >= 30));
      if (merged.length === 0) continue;
      const mergedConf = merged.reduce((t, x) => t + x.confidence * x.text.length, 0) / merged.reduce((t, x) => t + x.text.length, 0);
      if (mergedConf < l.confidence + 8) continue;
      // Back into the prepared image's coordinates.
      const back = (bb: { x0: number; y0: number; x1: number; y1: number }) => ({
        x0: left + (bb.x0 - PAD) / k,
        y0: top + (bb.y0 - PAD) / k,
        x1: left + (bb.x1 - PAD) / k,
        y1: top + (bb.y1 - PAD) / k,
      });
      const ws = merged.map((x) => ({ ...x, bbox: back(x.bbox) }));
      out[i] = {
        ...l,
        text: ws.map((x) => x.text).join(' '),
        confidence: mergedConf,
        words: ws,
        bbox: { x0: Math.min(...ws.map((x) => x.bbox.x0)), y0: Math.min(...ws.map((x) => x.bbox.y0)), x1: Math.max(...ws.map((x) => x.bbox.x1)), y1: Math.max(...ws.map((x) => x.bbox.y1)) },
      } as Line;
    }
    return out;
  }

  private toOcrLines(line: Line, prepared: PreparedImage): OcrLine[] {
    const words = line.words.filter((w) => w.text.trim().length > 0);
    if (words.length === 0) return [];
    const lineHeight = Math.max(1, line.rowAttributes?.rowHeight || line.bbox.y1 - line.bbox.y0);
    const gapFactor = this.options.columnGapFactor ?? 1.6;
    const groups: Word[][] = [[words[0]]];
    for (let i = 1; i < words.length; i++) {
      const gap = words[i].bbox.x0 - words[i - 1].bbox.x1;
      if (gap > gapFactor * lineHeight) groups.push([words[i]]);
      else groups[groups.length - 1].push(words[i]);
    }
    return groups.map((ws) => {
      const x0 = Math.min(...ws.map((w) => w.bbox.x0));
      const y0 = Math.min(...ws.map((w) => w.bbox.y0));
      const x1 = Math.max(...ws.map((w) => w.bbox.x1));
      const y1 = Math.max(...ws.map((w) => w.bbox.y1));
      const conf = ws.reduce((s, w) => s + w.confidence * w.text.length, 0) / Math.max(1, ws.reduce((s, w) => s + w.text.length, 0));
      const scale = prepared.scaleFactor;
      const c = prepared.toSource((x0 + x1) / 2, (y0 + y1) / 2);
      const w = (x1 - x0) / scale;
      const h = (y1 - y0) / scale;
      return {
        text: joinWords(ws.map((w) => w.text)),
        confidence: Math.max(0, Math.min(100, Math.round(conf * 10) / 10)),
        engine: 'tesseract' as const,
        ...(prepared.angle ? { angle: prepared.angle } : {}),
        box: { left: Math.round(c.x - w / 2), top: Math.round(c.y - h / 2), width: Math.round(w), height: Math.round(h) },
      };
    });
  }

  async terminate(): Promise<void> {
    const workers = this.slots.map((s) => s.worker);
    for (const s of this.slots) s.worker = undefined;
    await Promise.all(workers.map(async (w) => (w ? (await w).terminate() : undefined)));
  }
}

const PAD = 12;
/** Height a boxed single line is scaled to before it is read (its letters then run ~45–60 px). */
const BOX_TEXT_PX = 80;
/** Heights a region read elsewhere (`readRegions`) is scaled to: first, and again when the first read is unsure. */
const REGION_TEXT_PX = [60, 100] as const;
/** A region read at this confidence or more is not read again. */
const REGION_SURE_CONF = 85;
/** A box read is kept only at this word confidence or more (tesseract scores short upper-case words like `EP` ~55 even when right). */
const BOX_MIN_CONF = 45;

async function readOneBox(worker: Worker, prepared: PreparedImage, b: TextBox, textPx = BOX_TEXT_PX): Promise<Line | undefined> {
  const k = Math.max(0.25, Math.min(4, textPx / b.height));
  const { data: px, info } = await sharp(prepared.buffer)
    .extract({ left: b.left, top: b.top, width: Math.min(b.width, prepared.width - b.left), height: Math.min(b.height, prepared.height - b.top) })
    .greyscale()
    .resize(Math.max(8, Math.round(b.width * k)), Math.max(8, Math.round(b.height * k)), { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const t = otsu(px);
  let dark = 0;
  for (let i = 0; i < px.length; i++) if (px[i] < t) dark++;
  // The background is the majority: make it white, the text black.
  const invert = dark > px.length / 2;
  const bin = Buffer.alloc(px.length);
  for (let i = 0; i < px.length; i++) bin[i] = (px[i] < t) !== invert ? 0 : 255;
  clearBorderInk(bin, info.width, info.height);
  const buf = await sharp(bin, { raw: { width: info.width, height: info.height, channels: 1 } })
    .extend({ top: PAD * 2, bottom: PAD * 2, left: PAD * 2, right: PAD * 2, background: '#ffffff' })
    .png()
    .toBuffer();
  const { data } = await worker.recognize(buf, {}, { blocks: true, text: false });
  const words: Word[] = [];
  for (const block of data.blocks ?? []) for (const para of block.paragraphs) for (const ln of para.lines) words.push(...ln.words);
  const kept = words.filter((w) => w.text.trim() && /[\p{L}\p{N}]/u.test(w.text));
  if (kept.length === 0) return undefined;
  const conf = kept.reduce((s, w) => s + w.confidence * w.text.length, 0) / kept.reduce((s, w) => s + w.text.length, 0);
  if (conf < BOX_MIN_CONF || kept.reduce((s, w) => s + w.text.replace(/[^\p{L}\p{N}]/gu, '').length, 0) < 2) return undefined;
  const back = (bb: { x0: number; y0: number; x1: number; y1: number }) => ({
    x0: b.left + (bb.x0 - PAD * 2) / k,
    y0: b.top + (bb.y0 - PAD * 2) / k,
    x1: b.left + (bb.x1 - PAD * 2) / k,
    y1: b.top + (bb.y1 - PAD * 2) / k,
  });
  const ws = kept.map((w) => ({ ...w, bbox: back(w.bbox) }));
  return {
    text: ws.map((w) => w.text).join(' '),
    confidence: conf,
    words: ws,
    bbox: { x0: Math.min(...ws.map((w) => w.bbox.x0)), y0: Math.min(...ws.map((w) => w.bbox.y0)), x1: Math.max(...ws.map((w) => w.bbox.x1)), y1: Math.max(...ws.map((w) => w.bbox.y1)) },
  } as unknown as Line;
}

/**
 * Whatever dark touches the crop's border is frame, not text (a badge's rounded edge, the light ring of a framed
 * value turned dark by the inversion): clear it, or tesseract reads the frame as letters (`1 L` → `ar`).
 */
export function clearBorderInk(bin: Buffer | Uint8Array, W: number, H: number): void {
  const stack: number[] = [];
  for (let x = 0; x < W; x++) stack.push(x, (H - 1) * W + x);
  for (let y = 0; y < H; y++) stack.push(y * W, y * W + W - 1);
  while (stack.length) {
    const j = stack.pop()!;
    if (bin[j] !== 0) continue;
    bin[j] = 255;
    const x = j % W;
    if (x > 0) stack.push(j - 1);
    if (x < W - 1) stack.push(j + 1);
    if (j >= W) stack.push(j - W);
    if (j + W < W * H) stack.push(j + W);
  }
}

/**
 * Box reads join the page lines. A page line that lies mostly inside read boxes and is less confident (the
 * garbled reading of the same boxes) is dropped; a box read whose text a more confident page line already holds is dropped.
 */
export function mergeBoxReads(lines: Line[], boxed: Line[]): Line[] {
  if (boxed.length === 0) return lines;
  const area = (b: { x0: number; y0: number; x1: number; y1: number }) => Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
  const inter = (a: { x0: number; y0: number; x1: number; y1: number }, b: { x0: number; y0: number; x1: number; y1: number }) =>
    Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const squash = (t: string) => t.replace(/\s+/g, '').toLowerCase();
  const keptBoxes = boxed.filter((bx) => !lines.some((l) => l.confidence >= bx.confidence && inter(l.bbox, bx.bbox) > 0.5 * area(bx.bbox) && squash(l.text).includes(squash(bx.text))));
  const out = lines.filter((l) => {
    const covered = keptBoxes.reduce((s, bx) => s + inter(l.bbox, bx.bbox), 0);
    const weaker = keptBoxes.some((bx) => inter(l.bbox, bx.bbox) > 0 && bx.confidence > l.confidence);
    return !(weaker && covered > 0.3 * area(l.bbox));
  });
  return [...out, ...keptBoxes];
}

/** Words of two readings of the same crop: the more confident reading of each spot, left to right. */
function mergeWords(words: Word[]): Word[] {
  const kept: Word[] = [];
  for (const w of [...words].sort((a, b) => b.confidence - a.confidence)) {
    const overlaps = kept.some((k) => Math.min(k.bbox.x1, w.bbox.x1) - Math.max(k.bbox.x0, w.bbox.x0) > 0.3 * Math.min(k.bbox.x1 - k.bbox.x0, w.bbox.x1 - w.bbox.x0));
    if (!overlaps) kept.push(w);
  }
  return kept.sort((a, b) => a.bbox.x0 - b.bbox.x0);
}

/** Hangul words come out letter-spaced from the kor model less often when joined plainly; keep single spaces. */
function joinWords(words: string[]): string {
  return words.join(' ').replace(/\s+/g, ' ').trim();
}
