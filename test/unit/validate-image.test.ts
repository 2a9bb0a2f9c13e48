import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { sniffImageType, validateImage, type ImageLimits } from '../../functions/validate-image/core';
import { ImageRejectedError } from '../../functions/shared/errors';

const LIMITS: ImageLimits = { maxBytes: 50 * 1024 * 1024, maxMegapixels: 120, minEdgePx: 200, normalizedEdgePx: 1568 };
const BAD = '/work/shared/labels/devset/bad';
const bad = (f: string) => readFileSync(path.join(BAD, f));

function image(width: number, height: number, channels: 3 | 4 = 3) {
  return sharp({ create: { width, height, channels, background: channels === 4 ? { r: 0, g: 0, b: 0, alpha: 0 } : '#8a6' } });
}

async function rejection(p: Promise<unknown>): Promise<ImageRejectedError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    expect((err as Error).name).toBe('ImageRejectedError');
    return err as ImageRejectedError;
  }
  throw new Error('expected a rejection');
}

describe('sniffImageType', () => {
  it.each([
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'jpeg'],
    [Buffer.from('89504e470d0a1a0a0000', 'hex'), 'png'],
    [Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), 'webp'],
    [Buffer.from('GIF89a....'), 'gif'],
    [Buffer.from('%PDF-1.7\n%âãÏÓ'), 'pdf'],
    [Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(8)]), 'heic'],
    [Buffer.from('II*\u0000abcd'), 'tiff'],
    [Buffer.from('Lot No. 12345  CAS No. 7647-01-0'), 'text'],
    [Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe]), 'unknown'],
  ])('recognises %#', (buf, expected) => {
    expect(sniffImageType(buf)).toBe(expected);
  });
});

describe('validateImage', () => {
  it('accepts a JPEG, hashes the original bytes and keeps a small image at its size', async () => {
    const bytes = await image(800, 600).jpeg().toBuffer();
    const r = await validateImage(bytes, LIMITS);
    expect(r).toMatchObject({ format: 'jpeg', width: 800, height: 600, normalizedWidth: 800, normalizedHeight: 600 });
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(sniffImageType(r.normalized)).toBe('jpeg');
    expect(r.orientationApplied).toBeUndefined();
  });

  it('downscales PNG and WebP to the normalised edge', async () => {
    for (const fmt of ['png', 'webp'] as const) {
      const bytes = await image(2000, 1000)[fmt]().toBuffer();
      const r = await validateImage(bytes, { ...LIMITS, normalizedEdgePx: 1000 });
      expect(r).toMatchObject({ format: fmt, width: 2000, height: 1000, normalizedWidth: 1000, normalizedHeight: 500 });
    }
  });

  it('flattens transparency onto white', async () => {
    const bytes = await image(300, 300, 4).png().toBuffer();
    const r = await validateImage(bytes, LIMITS);
    const { data } = await sharp(r.normalized).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(240);
  });

  it('applies EXIF orientation: a 90° photo has its dimensions swapped', async () => {
    const bytes = await image(600, 400).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await validateImage(bytes, LIMITS);
    expect(r).toMatchObject({ width: 400, height: 600, normalizedWidth: 400, normalizedHeight: 600, orientationApplied: 6 });
  });

  it('accepts a CMYK JPEG and converts it to sRGB', async () => {
    const bytes = await image(400, 300).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(bytes).metadata()).space).toBe('cmyk');
    const r = await validateImage(bytes, LIMITS);
    expect((await sharp(r.normalized).metadata()).space).toBe('srgb');
  });

  it('rejects an empty file', async () => {
    expect((await rejection(validateImage(Buffer.alloc(0), LIMITS))).code).toBe('EMPTY_FILE');
    expect((await rejection(validateImage(bad('empty.jpg'), LIMITS))).code).toBe('EMPTY_FILE');
  });

  it('rejects a file over the byte limit', async () => {
    const bytes = await image(400, 300).jpeg().toBuffer();
    const err = await rejection(validateImage(bytes, { ...LIMITS, maxBytes: 100 }));
    expect(err.code).toBe('FILE_TOO_LARGE');
  });

  it('rejects text, PDF, HEIC and GIF by their bytes, naming what they look like', async () => {
    const text = await rejection(validateImage(bad('not_an_image.png'), LIMITS));
    expect(text.code).toBe('UNSUPPORTED_TYPE');
    expect(text.message).toMatch(/text file/);
    const pdf = await rejection(validateImage(Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'), LIMITS));
    expect(pdf.message).toMatch(/PDF/);
    const heic = await rejection(validateImage(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(32)]), LIMITS));
    expect(heic.message).toMatch(/HEIC/);
    const frames = await sharp({ create: { width: 300, height: 600, channels: 3, background: '#f00' } }).gif().toBuffer();
    const animated = await sharp(frames, { pages: -1 }).gif().toBuffer();
    const gif = await rejection(validateImage(animated, LIMITS));
    expect(gif.code).toBe('UNSUPPORTED_TYPE');
    expect(gif.message).toMatch(/GIF/);
  });

  it('rejects a truncated JPEG on full decode', async () => {
    expect((await rejection(validateImage(bad('truncated.jpg'), LIMITS))).code).toBe('CORRUPT_IMAGE');
    const whole = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg().toBuffer();
    const cut = whole.subarray(0, Math.floor(whole.length * 0.4));
    expect((await rejection(validateImage(cut, LIMITS))).code).toBe('CORRUPT_IMAGE');
  });

  it('rejects images that are too small or have too many pixels', async () => {
    const tiny = await image(150, 100).png().toBuffer();
    expect((await rejection(validateImage(tiny, LIMITS))).code).toBe('TOO_SMALL');
    const big = await image(3000, 2000).jpeg().toBuffer();
    expect((await rejection(validateImage(big, { ...LIMITS, maxMegapixels: 5 }))).code).toBe('TOO_LARGE_DIMENSIONS');
  });

  it('downscales the 108 MP devset photo without exhausting memory', async () => {
    const r = await validateImage(bad('huge_12000x9000.jpg'), LIMITS);
    expect(r).toMatchObject({ width: 12000, height: 9000, normalizedWidth: 1568, normalizedHeight: 1176 });
  });

  it('accepts the no-label photo (rejection is not its job)', async () => {
    const r = await validateImage(bad('no_label.jpg'), LIMITS);
    expect(r.format).toBe('jpeg');
  });
});
