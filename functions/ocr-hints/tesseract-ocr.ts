import { mkdirSync, existsSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorker, OEM, PSM, type Worker, type Line, type Word } from 'tesseract.js';
import type { OcrLine } from '../shared/contract';
import { prepareForOcr, type PreparedImage } from './image-prep';

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
}

/**
 * Local OCR with tesseract.js (eng+kor). One worker per process: creating it costs seconds, so callers share
 * `TesseractOcr.shared()` and call `terminate()` (or `TesseractOcr.terminateShared()`) when done so the process can exit.
 */
export class TesseractOcr {
  private static instance: TesseractOcr | undefined;
  private worker: Promise<Worker> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TesseractOcrOptions = {}) {}

  static shared(): TesseractOcr {
    TesseractOcr.instance ??= new TesseractOcr();
    return TesseractOcr.instance;
  }

  static async terminateShared(): Promise<void> {
    const inst = TesseractOcr.instance;
    TesseractOcr.instance = undefined;
    await inst?.terminate();
  }

  private getWorker(): Promise<Worker> {
    this.worker ??= (async () => {
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
      });
      return worker;
    })();
    this.worker.catch(() => {
      this.worker = undefined;
    });
    return this.worker;
  }

  /** Lines with confidence and boxes in pixels of `image` (give it the auto-oriented normalised copy). */
  async recognize(image: Buffer): Promise<OcrLine[]> {
    // One worker runs one job at a time; serialise so concurrent callers don't interleave parameters.
    const run = this.queue.then(() => this.recognizeNow(image));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recognizeNow(image: Buffer): Promise<OcrLine[]> {
    const prepared = await prepareForOcr(image);
    const worker = await this.getWorker();
    const { data } = await worker.recognize(prepared.buffer, {}, { blocks: true, text: false });
    const lines: Line[] = [];
    for (const block of data.blocks ?? []) for (const para of block.paragraphs) lines.push(...para.lines);
    return lines.flatMap((l) => this.toOcrLines(l, prepared)).filter((l) => l.text.length > 0);
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
        box: { left: Math.round(c.x - w / 2), top: Math.round(c.y - h / 2), width: Math.round(w), height: Math.round(h) },
      };
    });
  }

  async terminate(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await (await w).terminate();
  }
}

/** Hangul words come out letter-spaced from the kor model less often when joined plainly; keep single spaces. */
function joinWords(words: string[]): string {
  return words.join(' ').replace(/\s+/g, ' ').trim();
}
