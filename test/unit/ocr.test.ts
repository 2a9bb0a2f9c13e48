import sharp from 'sharp';
import { ocrHints } from '../../functions/ocr-hints/core';
import { clearBorderInk, TesseractOcr } from '../../functions/ocr-hints/tesseract-ocr';
import { OcrFailedError } from '../../functions/shared/errors';

function svgLabel(lines: string[]): Buffer {
  const text = lines
    .map((l, i) => `<text x="40" y="${80 + i * 60}" font-family="DejaVu Sans, Arial, sans-serif" font-size="36">${l}</text>`)
    .join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${120 + lines.length * 60}"><rect width="100%" height="100%" fill="white"/>${text}</svg>`);
}

afterAll(() => TesseractOcr.terminateShared());

describe('ocrHints', () => {
  it('wraps engine failures in OcrFailedError', async () => {
    const engine = { recognize: async () => Promise.reject(new Error('worker died')) };
    await expect(ocrHints(Buffer.alloc(1), engine)).rejects.toBeInstanceOf(OcrFailedError);
    await expect(ocrHints(Buffer.alloc(1), engine)).rejects.toHaveProperty('name', 'OcrFailedError');
  });

  it('returns lines, joined text in reading order, and timing', async () => {
    const box = (top: number) => ({ left: 0, top, width: 10, height: 10 });
    const engine = { recognize: async () => [{ text: 'second', confidence: 90, box: box(50) }, { text: 'first', confidence: 90, box: box(10) }] };
    const r = await ocrHints(Buffer.alloc(1), engine);
    expect(r.text).toBe('first\nsecond');
    expect(r.lines).toHaveLength(2);
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });
});

describe('TesseractOcr (offline eng+kor traineddata)', () => {
  it('reads a rendered label with boxes in the pixels of the image given', async () => {
    const png = await sharp(svgLabel(['Sodium chloride', 'CAS No. 7647-14-5', 'Lot No. ABC1234'])).png().toBuffer();
    const lines = await TesseractOcr.shared().recognize(png);
    const text = lines.map((l) => l.text).join('\n');
    expect(text).toMatch(/Sodium chloride/);
    expect(text).toMatch(/7647-14-5/);
    const cas = lines.find((l) => l.text.includes('7647'))!;
    expect(cas.confidence).toBeGreaterThan(50);
    expect(cas.box.top).toBeGreaterThan(80);
    expect(cas.box.top).toBeLessThan(150);
    expect(cas.box.left).toBeGreaterThanOrEqual(20);
  }, 60_000);
});

describe('TesseractOcr: a page its global threshold turns black', () => {
  it("reads a grey label with white corners (a photo's background) through the local-threshold fallback", async () => {
    const lines = ['SAMCHUN', 'Disodium hydrogen phosphate', 'CAS No. 10039-32-4', 'Lot No. D8910'];
    const text = lines.map((l, i) => `<text x="120" y="${180 + i * 60}" font-family="DejaVu Sans" font-size="36" fill="#202428">${l}</text>`).join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="520"><rect width="100%" height="100%" fill="#9ea2a6"/><polygon points="0,0 300,0 0,200" fill="#fff"/><polygon points="1000,520 700,520 1000,320" fill="#fff"/>${text}</svg>`;
    const read = await TesseractOcr.shared().recognize(await sharp(Buffer.from(svg)).jpeg().toBuffer());
    const all = read.map((l) => l.text).join(' ');
    // (tesseract's own Otsu threshold reads nothing at all on this image)
    expect(all).toMatch(/10039-32-4/);
    expect(all).toMatch(/Disodium/);
  }, 60_000);
});

describe('TesseractOcr.readRegions (regions another engine found but could not read)', () => {
  it('reads light text on a dark panel at the box given, in the pixels of the image given, and nothing for an empty box', async () => {
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="400"><rect width="100%" height="100%" fill="white"/>` +
        `<rect x="0" y="0" width="420" height="400" fill="#c62828"/><text x="40" y="230" font-family="DejaVu Sans, Arial, sans-serif" font-size="40" fill="white">Lot 2409N664</text></svg>`,
    );
    const png = await sharp(svg).png().toBuffer();
    const lines = await TesseractOcr.shared().readRegions(png, [
      { left: 36, top: 196, width: 300, height: 44 },
      { left: 600, top: 300, width: 200, height: 40 },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0].text.replace(/\s/g, '')).toBe('Lot2409N664');
    expect(lines[0].box.top).toBeGreaterThan(180);
    expect(lines[0].box.top + lines[0].box.height).toBeLessThan(260);
    expect(await TesseractOcr.shared().readRegions(png, [])).toEqual([]);
  });
});

describe('clearBorderInk (box reads)', () => {
  it('clears dark that touches the crop border (a frame) and keeps dark inside (the text)', () => {
    const W = 7;
    const H = 5;
    const bin = Buffer.alloc(W * H, 255);
    for (let x = 0; x < W; x++) bin[x] = 0; // frame along the top edge
    bin[1 * W + 0] = 0; // and down the left edge
    bin[2 * W + 3] = 0; // a glyph pixel in the middle
    clearBorderInk(bin, W, H);
    expect(bin[2 * W + 3]).toBe(0);
    expect([...bin].filter((v) => v === 0)).toHaveLength(1);
  });
});

describe('TesseractOcr with two workers', () => {
  it('reads pages and regions at once on separate workers, each as one worker reads it alone', async () => {
    const page = await sharp(svgLabel(['Sodium chloride', 'CAS No. 7647-14-5', 'Lot No. ABC1234'])).png().toBuffer();
    const panel = await sharp(
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="400"><rect width="100%" height="100%" fill="white"/>` +
          `<rect x="0" y="0" width="420" height="400" fill="#1e3a8a"/><text x="40" y="230" font-family="DejaVu Sans, Arial, sans-serif" font-size="40" fill="white">Lot 2409N664</text></svg>`,
      ),
    )
      .png()
      .toBuffer();
    const region = [{ left: 36, top: 196, width: 300, height: 44 }];
    const alone = { page: await TesseractOcr.shared().recognize(page), region: await TesseractOcr.shared().readRegions(panel, region) };

    const two = new TesseractOcr({ workers: 2 });
    try {
      // A region read (single-line mode) between two page passes (sparse-text mode): no job sees another's settings.
      const [r, p1, p2] = await Promise.all([two.readRegions(panel, [...region, ...region, ...region, ...region]), two.recognize(page), two.recognize(page)]);
      expect(p1).toEqual(alone.page);
      expect(p2).toEqual(alone.page);
      expect(r).toEqual([...alone.region, ...alone.region, ...alone.region, ...alone.region]);
      expect(r[0].text.replace(/\s/g, '')).toBe('Lot2409N664');
    } finally {
      await two.terminate();
    }
  }, 90_000);

  it('refuses a worker count that is not a whole number of at least 1', () => {
    expect(() => new TesseractOcr({ workers: 0 })).toThrow(/whole number ≥ 1/);
    expect(() => new TesseractOcr({ workers: 1.5 })).toThrow(/whole number ≥ 1/);
  });
});
