import sharp from 'sharp';

export interface PreparedImage {
  buffer: Buffer;
  /** prepared pixels per original pixel: divide OCR boxes by it to get back to the image given. */
  scale: number;
  width: number;
  height: number;
}

export interface PrepOptions {
  /** Upscale so the long edge reaches at least this (small text is the main cause of OCR misses). */
  minLongEdge?: number;
  /** Never go above this long edge: OCR time grows with pixel count. */
  maxLongEdge?: number;
}

/**
 * Grayscale + contrast stretch, upscaled when the photo is small. tesseract ignores EXIF, so callers give
 * the auto-oriented normalised copy.
 */
export async function prepareForOcr(image: Buffer, opts: PrepOptions = {}): Promise<PreparedImage> {
  const minLong = opts.minLongEdge ?? 1600;
  const maxLong = opts.maxLongEdge ?? 2400;
  const meta = await sharp(image).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const long = Math.max(w, h);
  let scale = 1;
  if (long > 0 && long < minLong) scale = minLong / long;
  if (long * scale > maxLong) scale = maxLong / long;
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(h * scale));
  let pipeline = sharp(image).rotate().greyscale();
  if (scale !== 1) pipeline = pipeline.resize(width, height, { kernel: scale > 1 ? 'lanczos3' : 'lanczos3' });
  const buffer = await pipeline.normalise().png({ compressionLevel: 1 }).toBuffer();
  return { buffer, scale, width, height };
}
