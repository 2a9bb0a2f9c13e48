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
  /** Degrees (clockwise positive) the label was turned to level its text. */
  angle: number;
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
/** Share of a block's height within the label's rows for it to count as a side panel of the label. */
const SIDE_PANEL_OVERLAP = 0.6;
/** A side panel joins across a gap up to this many label widths. */
const SIDE_PANEL_GAP = 1;

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
  // Pull in the other text blocks of the same label (a header band, a value grid, a side panel, a barcode row):
  // a block whose box lies within a fifth of the label's size (plus a few text heights) of the label's box joins
  // it, and the label grows, so a block beside a joined block joins too. Bottle contours are sparse and stay out.
  const candidates = comps.slice(1).filter((c) => c.edges >= comps[0].edges * 0.03 && c.edges / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1)) >= 0.05);
  for (let grew = true; grew; ) {
    grew = false;
    const growX = (main.maxX - main.minX) * 0.2 + r * 3;
    const growY = (main.maxY - main.minY) * 0.2 + r * 3;
    for (let i = candidates.length - 1; i >= 0; i--) {
      const c = candidates[i];
      const gapX = Math.max(0, c.minX - main.maxX, main.minX - c.maxX);
      const gapY = Math.max(0, c.minY - main.maxY, main.minY - c.maxY);
      // A block level with the label's text (most of its height within the label's rows) is its side panel — a
      // framed pack size, a pictogram, a barcode — and joins across a wider gap: up to the label's own width.
      const level = gapY === 0 && Math.min(c.maxY, main.maxY) - Math.max(c.minY, main.minY) >= SIDE_PANEL_OVERLAP * (c.maxY - c.minY + 1);
      if ((gapX > growX && !(level && gapX <= SIDE_PANEL_GAP * (main.maxX - main.minX + 1))) || gapY > growY) continue;
      main.minX = Math.min(main.minX, c.minX);
      main.minY = Math.min(main.minY, c.minY);
      main.maxX = Math.max(main.maxX, c.maxX);
      main.maxY = Math.max(main.maxY, c.maxY);
      candidates.splice(i, 1);
      grew = true;
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
  return { buffer, width, height, toSource, scaleFactor: scale, region, angle };
}

/** A region of the prepared image whose text the page pass tends to miss: a badge, a framed value or a white box in a banner. */
export interface TextBox {
  kind: 'badge' | 'frame' | 'hole';
  /** Pixels of the prepared image: the inside of the box, frame or fill excluded. */
  left: number;
  top: number;
  width: number;
  height: number;
}

const BOX_ANALYSIS_EDGE = 800;
/** Least ink in each corner square of a badge (a rounded rectangle leaves ≥ ~0.75; round glyphs ≤ ~0.5). */
const BADGE_CORNER_FILL = 0.62;

/**
 * Boxes with text on labels: filled badges (grade, pack size: light text on a dark or coloured fill), framed
 * values (a pack size or code inside a drawn rectangle) and light boxes cut out of a dark banner (a catalog
 * code on a header band). Found from connected regions of ink (pixels darker than Otsu's threshold) in a
 * downscaled copy; no position or template is assumed, only the geometry of a box around one line of text.
 */
export async function findTextBoxes(prepared: { buffer: Buffer; width: number; height: number }, maxBoxes = 8): Promise<TextBox[]> {
  const k = Math.min(1, BOX_ANALYSIS_EDGE / Math.max(prepared.width, prepared.height));
  const { data, info } = await sharp(prepared.buffer)
    .greyscale()
    .resize(Math.max(1, Math.round(prepared.width * k)), Math.max(1, Math.round(prepared.height * k)))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const W = info.width;
  const H = info.height;
  const long = Math.max(W, H);
  const t = otsu(data);
  const ink = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) ink[i] = data[i] < t ? 1 : 0;
  const comps = components(ink, W, H, 1);
  const boxes: (TextBox & { area: number })[] = [];
  const minH = long * 0.018;
  const toPrep = (x0: number, y0: number, x1: number, y1: number, inset: number, kind: TextBox['kind']) => {
    const l = (x0 + inset) / k;
    const tp = (y0 + inset) / k;
    const w = (x1 - x0 + 1 - 2 * inset) / k;
    const h = (y1 - y0 + 1 - 2 * inset) / k;
    if (w < 8 || h < 8) return;
    boxes.push({ kind, left: Math.round(l), top: Math.round(tp), width: Math.round(w), height: Math.round(h), area: w * h });
  };
  for (const c of comps) {
    const w = c.maxX - c.minX + 1;
    const h = c.maxY - c.minY + 1;
    if (h < minH || w < h * 1.1) continue;
    const fill = c.count / (w * h);
    if (fill >= 0.55) {
      // A filled region: a one-line badge is read whole; a taller band (header) is searched for light boxes in it.
      const holes = h <= long * 0.2 ? components(ink, W, H, 0, c) : [];
      // Light letters inside the fill: at least two glyph-sized light regions not touching the edge (a bold
      // letter's counters are smaller or fewer).
      const glyphs = holes.filter((o) => o.minX > c.minX && o.maxX < c.maxX && o.minY > c.minY && o.maxY < c.maxY && o.maxY - o.minY + 1 >= h * 0.3 && o.maxY - o.minY + 1 <= h * 0.85);
      // A badge is a rectangle, maybe with rounded corners and, in a photo, corners rounded further and shifted by
      // perspective: each corner square (0.3 × height) is mostly ink. Merged bold round digits ("00") leave their
      // corner squares less than half inked.
      const cs = Math.max(2, Math.round(h * 0.3));
      const cornerFill = (x0: number, y0: number) => {
        let n = 0;
        for (let y = y0; y < y0 + cs; y++) for (let x = x0; x < x0 + cs; x++) n += ink[y * W + x];
        return n / (cs * cs);
      };
      const corners = [
        cornerFill(c.minX, c.minY),
        cornerFill(c.maxX - cs + 1, c.minY),
        cornerFill(c.minX, c.maxY - cs + 1),
        cornerFill(c.maxX - cs + 1, c.maxY - cs + 1),
      ].every((f) => f >= BADGE_CORNER_FILL);
      if (h <= long * 0.07 && w <= long * 0.45 && fill < 0.97 && glyphs.length >= 2 && corners) toPrep(c.minX, c.minY, c.maxX, c.maxY, 1, 'badge');
      {
        for (const o of holes) {
          const ow = o.maxX - o.minX + 1;
          const oh = o.maxY - o.minY + 1;
          if (o.minX <= c.minX || o.maxX >= c.maxX || o.minY <= c.minY || o.maxY >= c.maxY) continue;
          if (oh < Math.max(minH, h * 0.3) || ow < oh * 1.5 || o.count / (ow * oh) < 0.6) continue;
          toPrep(o.minX, o.minY, o.maxX, o.maxY, 1, 'hole');
        }
      }
    } else if (fill <= 0.45 && h <= long * 0.1 && w <= long * 0.4) {
      // A drawn frame: ink along all four sides, text inside.
      const side = (x0: number, y0: number, dx: number, dy: number, n: number) => {
        let hit = 0;
        for (let s = Math.floor(n * 0.15); s < Math.ceil(n * 0.85); s++) {
          let any = 0;
          for (let d = 0; d < 3; d++) {
            const x = x0 + dx * s + dy * d * (x0 === c.maxX ? -1 : 1);
            const y = y0 + dy * s + dx * d * (y0 === c.maxY ? -1 : 1);
            if (x >= 0 && y >= 0 && x < W && y < H && ink[y * W + x]) any = 1;
          }
          hit += any;
        }
        return hit / Math.max(1, Math.ceil(n * 0.85) - Math.floor(n * 0.15));
      };
      const cover = Math.min(side(c.minX, c.minY, 1, 0, w), side(c.minX, c.maxY, 1, 0, w), side(c.minX, c.minY, 0, 1, h), side(c.maxX, c.minY, 0, 1, h));
      if (cover < 0.9) continue;
      const inset = Math.max(2, Math.round(h * 0.12));
      toPrep(c.minX, c.minY, c.maxX, c.maxY, inset, 'frame');
    }
  }
  return boxes
    .sort((a, b) => b.area - a.area)
    .slice(0, maxBoxes)
    .map(({ area: _area, ...b }) => b);
}

/** Otsu's global threshold of an 8-bit grey image: the level that best separates ink from paper. */
export function otsu(px: Uint8Array | Buffer): number {
  const hist = new Array<number>(256).fill(0);
  for (let i = 0; i < px.length; i++) hist[px[i]]++;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i];
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let thr = 128;
  for (let i = 0; i < 256; i++) {
    wB += hist[i];
    if (!wB) continue;
    const wF = px.length - wB;
    if (!wF) break;
    sumB += i * hist[i];
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      thr = i + 1;
    }
  }
  return thr;
}

/** 4-connected components of pixels equal to `value`, optionally only inside a bounding box. */
function components(mask: Uint8Array, W: number, H: number, value: number, within?: { minX: number; minY: number; maxX: number; maxY: number }) {
  const x0 = within?.minX ?? 0;
  const y0 = within?.minY ?? 0;
  const x1 = within?.maxX ?? W - 1;
  const y1 = within?.maxY ?? H - 1;
  const seen = new Uint8Array(W * H);
  const out: { minX: number; minY: number; maxX: number; maxY: number; count: number }[] = [];
  const stack: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * W + x;
      if (seen[i] || mask[i] !== value) continue;
      const c = { minX: x, minY: y, maxX: x, maxY: y, count: 0 };
      seen[i] = 1;
      stack.push(i);
      while (stack.length) {
        const j = stack.pop()!;
        const px = j % W;
        const py = (j - px) / W;
        c.count++;
        if (px < c.minX) c.minX = px;
        if (px > c.maxX) c.maxX = px;
        if (py < c.minY) c.minY = py;
        if (py > c.maxY) c.maxY = py;
        if (px > x0 && !seen[j - 1] && mask[j - 1] === value) (seen[j - 1] = 1), stack.push(j - 1);
        if (px < x1 && !seen[j + 1] && mask[j + 1] === value) (seen[j + 1] = 1), stack.push(j + 1);
        if (py > y0 && !seen[j - W] && mask[j - W] === value) (seen[j - W] = 1), stack.push(j - W);
        if (py < y1 && !seen[j + W] && mask[j + W] === value) (seen[j + W] = 1), stack.push(j + W);
      }
      out.push(c);
    }
  }
  return out;
}
