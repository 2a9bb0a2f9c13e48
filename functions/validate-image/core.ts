import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ImageRejectedError } from '../shared/errors';

export type SniffedType = 'jpeg' | 'png' | 'webp' | 'gif' | 'pdf' | 'heic' | 'tiff' | 'text' | 'unknown';
export type AcceptedFormat = 'jpeg' | 'png' | 'webp';

export interface ImageLimits {
  maxBytes: number;
  maxMegapixels: number;
  minEdgePx: number;
  /** Long edge of the normalised copy (capped at 1568, the model's useful resolution). */
  normalizedEdgePx: number;
}

export interface ValidatedImage {
  format: AcceptedFormat;
  /** Dimensions as the photo is meant to be seen, i.e. after EXIF orientation. */
  width: number;
  height: number;
  /** sha256 hex of the original bytes: the idempotency key. */
  contentHash: string;
  /** Auto-oriented sRGB JPEG, long edge ≤ normalizedEdgePx. */
  normalized: Buffer;
  normalizedWidth: number;
  normalizedHeight: number;
  /** The EXIF orientation that was applied (2..8), absent when the photo was already upright. */
  orientationApplied?: number;
}

const MAX_NORMALIZED_EDGE = 1568;

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis']);

/** Identify a file by its first bytes, never by its name or declared content type. */
export function sniffImageType(buf: Buffer): SniffedType {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (buf.length >= 6 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) return 'gif';
  if (buf.length >= 5 && buf.toString('latin1', 0, 5) === '%PDF-') return 'pdf';
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp' && HEIF_BRANDS.has(buf.toString('latin1', 8, 12))) return 'heic';
  if (buf.length >= 4) {
    const head = buf.toString('latin1', 0, 4);
    if (head === 'II*\u0000' || head === 'MM\u0000*') return 'tiff';
  }
  if (looksLikeText(buf)) return 'text';
  return 'unknown';
}

function looksLikeText(buf: Buffer): boolean {
  if (buf.length === 0) return false;
  const sample = buf.subarray(0, 1024);
  let printable = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || b >= 32) printable++;
  }
  // Reject binary that merely has few control bytes by also requiring valid UTF-8.
  const decoded = sample.toString('utf8');
  const replacement = (decoded.match(/\uFFFD/g) ?? []).length;
  return printable / sample.length > 0.95 && replacement <= 1;
}

const DESCRIPTIONS: Record<Exclude<SniffedType, AcceptedFormat>, string> = {
  gif: 'a GIF image (possibly animated)',
  pdf: 'a PDF document',
  heic: 'a HEIC/HEIF photo (the iPhone default format)',
  tiff: 'a TIFF image',
  text: 'a text file, not a photo',
  unknown: 'not an image format we recognise',
};

/**
 * Reject a file by its byte size alone. Exported so a handler can call it with the object's ContentLength
 * before downloading the body.
 */
export function assertAcceptableSize(byteLength: number, limits: Pick<ImageLimits, 'maxBytes'>): void {
  if (byteLength === 0) {
    throw new ImageRejectedError('The uploaded file is empty (0 bytes). Please take the photo again and re-upload it.', 'EMPTY_FILE');
  }
  if (byteLength > limits.maxBytes) {
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
    throw new ImageRejectedError(
      `The file is too large (${mb(byteLength)} MB; the limit is ${mb(limits.maxBytes)} MB). Please upload a smaller photo.`,
      'FILE_TOO_LARGE',
    );
  }
}

/**
 * Check an uploaded photo and produce the normalised copy every later step uses. Every rejection is an
 * ImageRejectedError whose message a lab worker can act on.
 */
export async function validateImage(bytes: Buffer, limits: ImageLimits): Promise<ValidatedImage> {
  assertAcceptableSize(bytes.length, limits);

  const type = sniffImageType(bytes);
  if (type !== 'jpeg' && type !== 'png' && type !== 'webp') {
    throw new ImageRejectedError(
      `This file is ${DESCRIPTIONS[type]}. Please upload a photo of the label as JPEG, PNG or WebP.`,
      'UNSUPPORTED_TYPE',
    );
  }

  const maxPixels = Math.floor(limits.maxMegapixels * 1_000_000);
  let meta: Metadata;
  try {
    // Header only: cheap even for huge files, and lets us refuse oversize images before decoding them.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw corrupt(err);
  }
  if (!meta.width || !meta.height) throw corrupt(new Error('no dimensions in header'));
  if ((meta.pages ?? 1) > 1) {
    throw new ImageRejectedError('This file is an animated image. Please upload a single photo of the label.', 'UNSUPPORTED_TYPE');
  }

  const orientation = meta.orientation && meta.orientation > 1 && meta.orientation <= 8 ? meta.orientation : undefined;
  const swapped = orientation !== undefined && orientation >= 5;
  const width = swapped ? meta.height : meta.width;
  const height = swapped ? meta.width : meta.height;

  if (width * height > maxPixels) {
    throw new ImageRejectedError(
      `The photo is too large (${width}×${height}, ${((width * height) / 1e6).toFixed(0)} megapixels; the limit is ${limits.maxMegapixels} megapixels). Please upload a smaller photo.`,
      'TOO_LARGE_DIMENSIONS',
    );
  }
  if (Math.max(width, height) < limits.minEdgePx) {
    throw new ImageRejectedError(
      `The photo is too small (${width}×${height} pixels) to read the label. Please take a closer, sharper photo (at least ${limits.minEdgePx} pixels on the long side).`,
      'TOO_SMALL',
    );
  }

  const edge = Math.min(limits.normalizedEdgePx, MAX_NORMALIZED_EDGE);
  let normalized: { data: Buffer; info: OutputInfo };
  try {
    // A full decode: a truncated file passes metadata() and only fails here. For JPEG, resizing lets libjpeg
    // shrink on load, so a 100 MP photo never materialises at full size in memory.
    normalized = await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true })
      .rotate()
      .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
      // Transparent PNGs would otherwise turn black behind the text.
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .jpeg({ quality: 90, mozjpeg: false })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw corrupt(err);
  }

  return {
    format: type,
    width,
    height,
    contentHash: createHash('sha256').update(bytes).digest('hex'),
    normalized: normalized.data,
    normalizedWidth: normalized.info.width,
    normalizedHeight: normalized.info.height,
    ...(orientation !== undefined ? { orientationApplied: orientation } : {}),
  };
}

function corrupt(cause: unknown): ImageRejectedError {
  return new ImageRejectedError(
    'The image file is damaged or incomplete (it could not be fully decoded). Please upload the photo again.',
    'CORRUPT_IMAGE',
    { cause },
  );
}
