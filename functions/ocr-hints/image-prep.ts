import sharp from 'sharp';

/** Where the label is in the image and how much it is tilted. */
export interface LabelRegion {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Rotation (degrees, sharp's clockwise convention) that makes the text lines horizontal. */
  angle: number;
}

export interface PreparedImage {
  buffer: Buffer;
  width: number;
  height: number;
  /** Maps a point of the prepared image back to pixels of the image given. */
  toSource(x: number, y: number): { x: number; y: number };
  /** Prepared pixels per source pixel. */
  scaleFactor: number;
  region?: LabelRegion;
}

export interface PrepOptions {
  /** Longest edge of the prepared image; OCR time grows with pixel count. */
  maxLongEdge?: number;
  /** Largest upscale factor (beyond ~3× interpolation adds nothing tesseract can use). */
  maxScale?: number;
  /** Find the label and OCR only that, deskewed (photos of bottles show much background). */
  cropToLabel?: boolean;
}

const ANALYSIS_EDGE = 480;

/**
 * Find the label: text makes dense strong edges, bottles and walls don't. Returns undefined when the text
 * already fills most of the image (a scan or close-up), where cropping would gain nothing.
 */
export async function findLabelRegion(image: Buffer): Promise<LabelRegion | undefined> {
  const meta = await sharp(image).metadata();
  const W0 = meta.width ?? 0;
  const H0 = meta.height ?? 0;
  if (!W0 || !H0) return undefined;
  const k = Math.min(1, ANALYSIS_EDGE / Math.max(W0, H0));
  const { data, info } = await sharp(image)
    .greyscale()
    .resize(Math.max(1, Math.round(W0 * k)), Math.max(1, Math.round(H0 * k)))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const W = info.width;
  const H = info.height;
  const edge = new Uint8Array(W * H);
  let edgeCount = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      const gx = data[i - W + 1] + 2 * data[i + 1] + data[i + W + 1] - data[i - W - 1] - 2 * data[i - 1] - data[i + W - 1];
      const gy = data[i + W - 1] + 2 * data[i + W] + data[i + W + 1] - data[i - W - 1] - 2 * data[i - W] - data[i - W + 1];
      if (Math.abs(gx) + Math.abs(gy) > 160) {
        edge[i] = 1;
        edgeCount++;
      }
    }
  }
  if (edgeCount < 50) return undefined;
  // Edge density over a window ~ a few text lines tall: text areas are dense, single contours are not.
  const integral = new Uint32Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    let row = 0;
    for (let x = 0; x < W; x++) {
      row += edge[y * W + x];
      integral[(y + 1) * (W + 1) + x + 1] = integral[y * (W + 1) + x + 1] + row;
    }
  }
  const r = Math.max(4, Math.round(Math.max(W, H) / 60));
  const dense = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(H, y + r + 1);
    for (let x = 0; x < W; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(W, x + r + 1);
      const s = integral[y1 * (W + 1) + x1] - integral[y0 * (W + 1) + x1] - integral[y1 * (W + 1) + x0] + integral[y0 * (W + 1) + x0];
      if (s / ((y1 - y0) * (x1 - x0)) > 0.1) dense[y * W + x] = 1;
    }
  }
  // Connected components of the dense mask; the label is the union of the big ones around the biggest.
  const label = new Int32Array(W * H).fill(-1);
  const comps: { minX: number; minY: number; maxX: number; maxY: number; edges: number }[] = [];
  const stack: number[] = [];
  for (let i = 0; i < W * H; i++) {
    if (!dense[i] || label[i] >= 0) continue;
    const id = comps.length;
    const c = { minX: W, minY: H, maxX: 0, maxY: 0, edges: 0 };
    comps.push(c);
    label[i] = id;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop()!;
      const x = j % W;
      const y = (j - x) / W;
      if (x < c.minX) c.minX = x;
      if (x > c.maxX) c.maxX = x;
      if (y < c.minY) c.minY = y;
      if (y > c.maxY) c.maxY = y;
      c.edges += edge[j];
      for (const n of [j - 1, j + 1, j - W, j + W]) {
        if (n < 0 || n >= W * H || !dense[n] || label[n] >= 0) continue;
        if ((n === j - 1 && x === 0) || (n === j + 1 && x === W - 1)) continue;
        label[n] = id;
        stack.push(n);
      }
    }
  }
  if (comps.length === 0) return undefined;
  comps.sort((a, b) => b.edges - a.edges);
  const main = { ...comps[0] };
  // Pull in nearby text blocks of the same label (a barcode row, a side column), not bottle contours.
  const growX = (main.maxX - main.minX) * 0.2 + r * 3;
  const growY = (main.maxY - main.minY) * 0.2 + r * 3;
  for (const c of comps.slice(1)) {
    if (c.edges < comps[0].edges * 0.03) continue;
    const fill = c.edges / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1));
    if (fill < 0.05) continue;
    const cx = (c.minX + c.maxX) / 2;
    const cy = (c.minY + c.maxY) / 2;
    if (cx > main.minX - growX && cx < main.maxX + growX && cy > main.minY - growY && cy < main.maxY + growY) {
      main.minX = Math.min(main.minX, c.minX);
      main.minY = Math.min(main.minY, c.minY);
      main.maxX = Math.max(main.maxX, c.maxX);
      main.maxY = Math.max(main.maxY, c.maxY);
    }
  }
  const angle = deskewAngle(edge, W, main);
  const pad = r * 1.5;
  const left = Math.max(0, (main.minX - pad) / k);
  const top = Math.max(0, (main.minY - pad) / k);
  const right = Math.min(W0, (main.maxX + pad) / k);
  const bottom = Math.min(H0, (main.maxY + pad) / k);
  const region = { left: Math.round(left), top: Math.round(top), width: Math.round(right - left), height: Math.round(bottom - top), angle };
  if (region.width < 20 || region.height < 20) return undefined;
  return region;
}

/**
 * Projection-profile skew estimate: the angle at which edge pixels pile up into the fewest, sharpest rows.
 * Returned in sharp's `rotate()` convention (positive = clockwise), i.e. the correction to apply.
 */
function deskewAngle(edge: Uint8Array, W: number, box: { minX: number; minY: number; maxX: number; maxY: number }): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = box.minY; y <= box.maxY; y++) {
    for (let x = box.minX; x <= box.maxX; x++) {
      if (edge[y * W + x]) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length < 100) return 0;
  let best = 0;
  let bestScore = -1;
  const bins = new Map<number, number>();
  for (let a = -12; a <= 12; a += 0.5) {
    const t = (a * Math.PI) / 180;
    const sin = Math.sin(t);
    const cos = Math.cos(t);
    bins.clear();
    for (let i = 0; i < xs.length; i++) {
      const b = Math.round(ys[i] * cos - xs[i] * sin);
      bins.set(b, (bins.get(b) ?? 0) + 1);
    }
    let score = 0;
    for (const v of bins.values()) score += v * v;
    if (score > bestScore * 1.0001) {
      bestScore = score;
      best = a;
    }
  }
  // Rows of text are horizontal in a frame rotated by `best`; the image must turn the other way.
  return -best;
}

/**
 * What tesseract gets: the label cropped and deskewed, grayscale with stretched contrast, upscaled so small
 * print reaches a size tesseract reads. tesseract ignores EXIF, so callers give the auto-oriented copy.
 */
export async function prepareForOcr(image: Buffer, opts: PrepOptions = {}): Promise<PreparedImage> {
  const maxLong = opts.maxLongEdge ?? 2400;
  const maxScale = opts.maxScale ?? 3;
  const meta = await sharp(image).metadata();
  const W0 = meta.width ?? 0;
  const H0 = meta.height ?? 0;
  const region = opts.cropToLabel === false ? undefined : await findLabelRegion(image);
  const crop = region ?? { left: 0, top: 0, width: W0, height: H0, angle: 0 };
  const angle = Math.abs(crop.angle) >= 0.5 ? crop.angle : 0;

  let pipeline = sharp(image).greyscale();
  if (region) pipeline = pipeline.extract({ left: crop.left, top: crop.top, width: crop.width, height: crop.height });
  // Rotation grows the canvas; compute its size to map points back.
  const rad = (angle * Math.PI) / 180;
  let rotated: Buffer;
  let rotW = crop.width;
  let rotH = crop.height;
  if (angle) {
    const out = await pipeline.rotate(angle, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    rotated = await sharp(out.data, { raw: { width: out.info.width, height: out.info.height, channels: out.info.channels } }).png({ compressionLevel: 0 }).toBuffer();
    rotW = out.info.width;
    rotH = out.info.height;
  } else {
    rotated = await pipeline.png({ compressionLevel: 0 }).toBuffer();
  }
  const long = Math.max(rotW, rotH);
  const scale = Math.max(1, Math.min(maxScale, maxLong / long));
  const width = Math.round(rotW * scale);
  const height = Math.round(rotH * scale);
  let p = sharp(rotated);
  if (scale !== 1) p = p.resize(width, height, { kernel: 'lanczos3' });
  const buffer = await p.normalise().png({ compressionLevel: 1 }).toBuffer();

  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const toSource = (x: number, y: number) => {
    // Undo scale, then rotation about the canvas centre (sharp rotates clockwise for positive angles).
    const u = x / scale - rotW / 2;
    const v = y / scale - rotH / 2;
    const cx = u * cos + v * sin;
    const cy = -u * sin + v * cos;
    return { x: cx + crop.width / 2 + crop.left, y: cy + crop.height / 2 + crop.top };
  };
  return { buffer, width, height, toSource, scaleFactor: scale, region };
}
