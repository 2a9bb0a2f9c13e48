import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { bestOfTwo, ctcDecode, dbRegions, meanConfidence, PaddleOcr, type PaddleLine } from '../../functions/ocr-hints/paddle-ocr';
import { keptRegionReads, LocalOcr, mergeOcrLines, unreadHangulRegions } from '../../functions/ocr-hints/local-ocr';
import type { OcrLine } from '../../functions/shared/contract';

function svgLabel(lines: string[], rotate = 0): Buffer {
  const text = lines
    .map((l, i) => `<text x="60" y="${90 + i * 60}" font-family="DejaVu Sans, Arial, sans-serif" font-size="34">${l}</text>`)
    .join('');
  const h = 140 + lines.length * 60;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${h}"><rect width="100%" height="100%" fill="white"/><g transform="rotate(${rotate} 450 ${h / 2})">${text}</g></svg>`,
  );
}

const line = (text: string, left: number, top: number, width = 200, height = 30, confidence = 90): OcrLine => ({ text, confidence, box: { left, top, width, height } });

afterAll(() => LocalOcr.terminateShared());

describe('PaddleOcr (PP-OCRv4 ONNX models from npm)', () => {
  it('reads a rendered label: one line per text region, boxes in the pixels of the image given', async () => {
    const png = await sharp(svgLabel(['Sodium chloride', 'CAS No. 7647-14-5', 'Lot No. ABC1234'])).png().toBuffer();
    const lines = await PaddleOcr.shared().recognize(png);
    const text = lines.map((l) => l.text).join('\n');
    // Word spaces the recogniser leaves out are put back from the CTC step gaps.
    expect(text).toMatch(/Sodium chloride/);
    expect(text.replace(/\s/g, '')).toMatch(/CASNo\.7647-14-5/);
    const cas = lines.find((l) => l.text.includes('7647'))!;
    expect(cas.confidence).toBeGreaterThan(80);
    // Second row of text: baseline y=150, 34 px font.
    expect(cas.box.top).toBeGreaterThan(105);
    expect(cas.box.top + cas.box.height).toBeLessThan(175);
    expect(cas.box.left).toBeGreaterThanOrEqual(30);
    expect(cas.box.left).toBeLessThan(90);
  }, 60_000);

  it('runs the models in a worker thread: the same lines, and the event loop stays free meanwhile', async () => {
    const png = await sharp(svgLabel(['Sodium chloride', 'CAS No. 7647-14-5', 'Lot No. ABC1234', 'Net 500 g'])).png().toBuffer();
    /** The read's lines and the main event loop's utilisation while it ran (share of the time it was busy). */
    const timed = async (ocr: PaddleOcr) => {
      const before = performance.eventLoopUtilization();
      const lines = await ocr.readLines(png);
      return { lines, busy: performance.eventLoopUtilization(before).utilization };
    };
    const inProcess = new PaddleOcr({ thread: false });
    const threaded = new PaddleOcr({ thread: true });
    try {
      await Promise.all([inProcess.readLines(png), threaded.readLines(png)]); // models loaded in both
      const a = await timed(inProcess);
      // (the least of three threaded reads: on a loaded machine — other test files running beside this one — a
      // single read's figure can be taken by work that is not the read's)
      const reads = [await timed(threaded), await timed(threaded), await timed(threaded)];
      const b = reads.reduce((x, y) => (y.busy < x.busy ? y : x));
      expect(b.lines).toEqual(a.lines);
      expect(a.lines.map((l) => l.text).join(' ')).toMatch(/7647-14-5/);
      // In process, ONNX Runtime's synchronous `run` keeps the loop busy for the whole read; threaded, it waits.
      expect(b.busy).toBeLessThan(a.busy / 2);
    } finally {
      await Promise.all([inProcess.terminate(), threaded.terminate()]);
    }
  }, 60_000);

  it('reads tilted text through rotated boxes', async () => {
    const png = await sharp(svgLabel(['Triethanolamine 102-71-6'], 6)).png().toBuffer();
    const lines = await new PaddleOcr().readLines(png);
    expect(lines.map((l) => l.text).join(' ')).toMatch(/102-71-6/);
  }, 60_000);
});

describe('second read of a poorly read photo through a median filter', () => {
  const p = (text: string, mean: number, left = 0, top = 0): PaddleLine => ({ text, mean, box: { left, top, width: 200, height: 30 } });

  it('keeps, region by region, the clearly more confident read, and adds well-read regions only the second read found', () => {
    const first = [p('SHBAS964', 0.7, 0, 0), p('Sodium methoxide', 0.95, 0, 100), p('tot.c', 0.5, 0, 200)];
    const second = [p('SHBA5964', 0.9, 4, 2), p('Sodium methoxlde', 0.96, 0, 100), p('25 g', 0.85, 300, 300), p('#~', 0.4, 600, 600)];
    expect(bestOfTwo(first, second).map((l) => l.text)).toEqual(['SHBA5964', 'Sodium methoxide', 'tot.c', '25 g']);
  });

  it('measures the mean over lines of three or more characters, and nothing under twenty characters', () => {
    expect(meanConfidence([p('ab', 0.1), p('Sodium chloride', 0.9), p('7647-14-5', 0.6)])).toBeCloseTo((0.9 * 15 + 0.6 * 9) / 24, 5);
    expect(meanConfidence([p('short', 0.2)])).toBeUndefined();
  });

  it('reads a label through both reads when the gate is set above every read', async () => {
    const png = await sharp(svgLabel(['Sodium chloride', 'CAS No. 7647-14-5'])).png().toBuffer();
    const ocr = new PaddleOcr({ denoiseBelow: 100 });
    try {
      const text = (await ocr.recognize(png)).map((l) => l.text).join('\n');
      // (On a clean label the filtered read may swap a letter for a look-alike — `CASN0.` — hence the gate.)
      expect(text).toMatch(/7647-14-5/);
      expect(text).toMatch(/Sodium chloride/);
    } finally {
      await ocr.terminate();
    }
  }, 60_000);
});

describe('dbRegions (detector post-processing)', () => {
  it('finds one region per blob above the threshold, grown by the unclip distance, and drops weak blobs', () => {
    const w = 40;
    const h = 20;
    const prob = new Float32Array(w * h);
    for (let y = 5; y < 9; y++) for (let x = 4; x < 24; x++) prob[y * w + x] = 0.9; // a 20×4 text kernel
    for (let y = 14; y < 17; y++) for (let x = 30; x < 36; x++) prob[y * w + x] = 0.35; // weak: mean < 0.6
    const regions = dbRegions(prob, w, h);
    expect(regions).toHaveLength(1);
    const r = regions[0];
    expect(r.cx).toBeCloseTo(14, 0);
    expect(r.cy).toBeCloseTo(7, 0);
    // unclip: 20 × 4 × 1.5 / (2 × 24) = 2.5 px on every side
    expect(r.w).toBeCloseTo(25, 0);
    expect(r.h).toBeCloseTo(9, 0);
    expect(Math.abs(r.uy)).toBeLessThan(0.01);
  });
});

describe('ctcDecode', () => {
  it('merges repeats, drops blanks, and averages the kept probabilities', () => {
    const dict = ['', 'a', 'b'];
    // steps: a a blank a b → "aab"
    const rows = [
      [0.1, 0.8, 0.1],
      [0.1, 0.6, 0.3],
      [0.9, 0.05, 0.05],
      [0.2, 0.7, 0.1],
      [0.1, 0.1, 0.8],
    ];
    const r = ctcDecode(Float32Array.from(rows.flat()), rows.length, 3, dict);
    expect(r.text).toBe('aab');
    expect(r.mean).toBeCloseTo((0.8 + 0.7 + 0.8) / 3, 5);
  });
});

describe('mergeOcrLines (Paddle + tesseract)', () => {
  it('keeps Paddle lines, takes tesseract Hangul lines in place of Paddle Han readings, and adds confident lines Paddle missed', () => {
    const paddle = [line('Acetic acid', 40, 40), line('聚京化成', 40, 90), line('CAS No. 64-19-7', 40, 140)];
    const tesseract = [
      line('Acetic acid', 42, 41),
      line('아세트산', 40, 92),
      line('CAS No. 64-19-7', 40, 140),
      line('1L', 600, 300, 60, 40, 85),
      line('~~ ::', 600, 400, 60, 20, 30),
    ];
    const merged = mergeOcrLines(paddle, tesseract).map((l) => l.text);
    expect(merged).toEqual(['Acetic acid', 'CAS No. 64-19-7', '아세트산', '1L']);
  });

  it("joins tesseract's Korean key to Paddle's better reading of its value, and not when tesseract's Hangul is noise", () => {
    const paddle = [line('：F9575', 230, 575, 242, 32, 98)];
    const merged = mergeOcrLines(paddle, [line('제 품 번호: 69575', 230, 571, 241, 44, 91)]);
    expect(merged.map((l) => l.text)).toEqual(['제 품 번호: F9575']);
    const noisy = mergeOcrLines(paddle, [line('마브 69575', 230, 571, 241, 44, 8)]);
    expect(noisy.map((l) => l.text)).toEqual(['：F9575', '마브 69575']);
    // A value Paddle read differently by more than two characters is another line's.
    expect(mergeOcrLines([line('：X1234567', 230, 575, 242, 32, 98)], [line('제 품 번호: 69575', 230, 571, 241, 44, 91)]).map((l) => l.text)).toEqual(['：X1234567', '제 품 번호: 69575']);
    // Paddle's letter for the key before the colon is dropped, and tesseract's full-width letters compare as plain.
    const garbledKey = mergeOcrLines([line('H ：100mL', 302, 772, 209, 31, 90)], [line('내용량: 1000Ｌ', 304, 774, 204, 26, 68)]);
    expect(garbledKey.map((l) => l.text)).toEqual(['내용량: 100mL']);
  });

  it('keeps Japanese keys Paddle read clearly and drops its unclear Han readings of Hangul no tesseract line replaced', () => {
    const paddle = [line('分子量', 40, 40, 90, 30, 100), line('172.57', 200, 40), line('于才尿', 40, 90, 90, 30, 62), line('区京尿成', 40, 140, 30, 30, 90)];
    expect(mergeOcrLines(paddle, []).map((l) => l.text)).toEqual(['分子量', '172.57']);
  });

  it('keeps a Han line holding a word labels print (规格, 特级) below the clear-reading bar, and not other unclear Han', () => {
    const paddle = [line('规格', 40, 40, 60, 30, 94), line('特級', 40, 80, 60, 30, 83), line('于才尿', 40, 120, 90, 30, 83), line('特级', 40, 160, 60, 30, 55)];
    expect(mergeOcrLines(paddle, []).map((l) => l.text)).toEqual(['规格', '特級', '特级']);
  });

  it('keeps a short unclear Han reading no tesseract line replaced: a mark (a `1급` badge read as `1元`) for the scorer', () => {
    const paddle = [line('1元', 40, 40, 40, 30, 59), line('区', 40, 90, 30, 30, 97), line('于才尿', 40, 140, 90, 30, 62)];
    expect(mergeOcrLines(paddle, []).map((l) => l.text)).toEqual(['1元', '区']);
    // A longer one holding a grade word is kept too (`グレード: 特級` read as `F：特级` at 60), not below 45.
    expect(mergeOcrLines([line('F：特级', 40, 40, 90, 30, 60), line('F：特级', 40, 90, 90, 30, 40)], []).map((l) => l.text)).toEqual(['F：特级']);
    // (a tesseract Hangul reading of the spot still replaces it)
    expect(mergeOcrLines(paddle.slice(0, 1), [line('1급', 40, 40, 40, 30, 70)]).map((l) => l.text)).toEqual(['1급']);
  });

  it('keeps a clear Han reading over a less confident tesseract Hangul reading of the same spot', () => {
    const paddle = [line('特級', 740, 243, 70, 32, 80), line('含量', 580, 312, 50, 34, 100)];
    const tesseract = [line('는', 741, 243, 67, 32, 12), line('습 불', 581, 312, 50, 36, 43)];
    expect(mergeOcrLines(paddle, tesseract).map((l) => l.text)).toEqual(['特級', '含量']);
    // A more confident Hangul line wins: Paddle's clear-looking Han was its reading of Hangul.
    expect(mergeOcrLines([line('分子量', 40, 40, 90, 30, 96)], [line('분자량', 40, 40, 90, 30, 97)]).map((l) => l.text)).toEqual(['분자량']);
  });

  it("keeps a Han line with a maker's word (和光纯菜 at 70, 富士 和光純菜株式会社), and takes tesseract's doubled letter Paddle read once", () => {
    expect(mergeOcrLines([line('和光纯菜', 40, 40, 120, 35, 70), line('富士 和光純菜株式会社', 40, 90, 190, 17, 85)], []).map((l) => l.text)).toEqual(['和光纯菜', '富士 和光純菜株式会社']);
    // CTC decoding merged the JJ of the lot JJR4285; tesseract read both.
    const lot = line('JR4285', 217, 458, 149, 36, 100);
    expect(mergeOcrLines([lot], [line('JJR4285', 218, 460, 150, 33, 89)]).map((l) => [l.text, l.confidence])).toEqual([['JJR4285', 89]]);
    // Not another reading of the spot, nor an unsure tesseract line.
    expect(mergeOcrLines([lot], [line('JXR4285', 218, 460, 150, 33, 89)]).map((l) => l.text)).toEqual(['JR4285']);
    expect(mergeOcrLines([lot], [line('JJR4285', 218, 460, 150, 33, 40)]).map((l) => l.text)).toEqual(['JR4285']);
  });

  it("puts back the sign of a purity Paddle read bare, from tesseract's `299.9%` or `>99.0%` over it", () => {
    const paddle = [line('99.9%', 304, 368, 56, 21, 98.9)];
    const signed = mergeOcrLines(paddle, [line('299.9%', 306, 371, 52, 15, 93)]);
    expect(signed.map((l) => l.text)).toEqual(['≥99.9%']);
    expect(signed[0].confidence).toBe(93);
    expect(mergeOcrLines(paddle, [line('>99.9%', 306, 371, 52, 15, 93)]).map((l) => l.text)).toEqual(['>99.9%']);
    // Before Paddle's two digits or more, a 2 makes a number over 100: the sign.
    expect(mergeOcrLines([line('95%', 304, 368, 56, 21, 98)], [line('295%', 306, 371, 52, 15, 93)]).map((l) => l.text)).toEqual(['≥95%']);
    // A number Paddle read with one digit (`5%` of a `25%`?) is left alone.
    expect(mergeOcrLines([line('5%', 304, 368, 56, 21, 98)], [line('25%', 306, 371, 52, 15, 93)]).map((l) => l.text)).toEqual(['5%']);
    // Other values, or an unsure tesseract, change nothing.
    expect(mergeOcrLines(paddle, [line('299.8%', 306, 371, 52, 15, 93)]).map((l) => l.text)).toEqual(['99.9%']);
    expect(mergeOcrLines(paddle, [line('299.9%', 306, 371, 52, 15, 40)]).map((l) => l.text)).toEqual(['99.9%']);
  });

  it("takes tesseract's reading of a large pack size when Paddle's detector kept only its number", () => {
    const paddle = [line('2.5', 1061, 176, 153, 70, 100), line('100', 1047, 400, 172, 70, 100)];
    const tesseract = [line('2.5L', 1063, 176, 229, 65, 80), line('100 9 kg', 1049, 400, 254, 70, 93), line('77.5L', 400, 400, 100, 30, 90)];
    const merged = mergeOcrLines(paddle, tesseract);
    // `2.5L` replaces `2.5`; `100 9 kg` is more than a unit after the number; `77.5L` overlaps nothing and is added.
    expect(merged.map((l) => l.text)).toEqual(['100', '2.5L', '77.5L']);
    expect(merged[1].confidence).toBe(80);
    // Paddle read the big g apart, as `9`: both regions give way to tesseract's `250 g`.
    // (tesseract's box also takes in the key above; that Paddle line stays.)
    const split = mergeOcrLines([line('容量', 38, 600, 54, 32, 100), line('250', 44, 646, 193, 75, 100), line('9', 258, 664, 61, 67, 94)], [line('250 g', 41, 603, 273, 130, 94)]);
    expect(split.map((l) => l.text)).toEqual(['容量', '250 g']);
    // Not when the other region is a word of its own.
    expect(mergeOcrLines([line('250', 44, 646, 193, 75, 100), line('Sodium', 150, 646, 200, 75, 94)], [line('250 g', 41, 603, 273, 130, 94)]).map((l) => l.text)).toEqual(['250', 'Sodium']);
    // Not when tesseract is unsure of it.
    expect(mergeOcrLines([paddle[0]], [line('2.5L', 1063, 176, 229, 65, 40)]).map((l) => l.text)).toEqual(['2.5']);
  });
});

describe('regions Paddle found but could not read (Hangul), read again by tesseract', () => {
  it('picks unread and unclear-Han Paddle regions tesseract read no Hangul at, short lines only, tallest first', () => {
    const paddle = [
      line('', 40, 270, 104, 40, 0), // 옥살산 on a red panel: read as nothing
      line('于才尿', 40, 330, 90, 30, 62), // unclear Han
      line('12', 1276, 48, 53, 40, 58), // read, if unsure: not Hangul Paddle could not read
      line('', 580, 190, 100, 32, 0), // 제품번호: tesseract read it
      line('', 60, 640, 900, 22, 0), // a paragraph of hazard text: too long for a name or key
      line('Oxalic acid', 44, 190, 313, 46, 100),
      line('', 50, 195, 120, 40, 0), // inside a line Paddle read
    ];
    const tesseract = [line('제 품 번 호', 582, 193, 93, 24, 94)];
    expect(unreadHangulRegions(paddle, tesseract)).toEqual([paddle[0].box, paddle[1].box]);
    // At most eight regions.
    const many = Array.from({ length: 12 }, (_, i) => line('', 40, 40 + i * 50, 90, 20 + i, 0));
    expect(unreadHangulRegions(many, [])).toHaveLength(8);
    expect(unreadHangulRegions(many, [])[0].height).toBe(31);
  });

  it('keeps region reads with Hangul read at 60 or more', () => {
    expect(keptRegionReads([line('옥 살 산', 40, 270, 104, 40, 93), line('15', 1276, 48, 53, 40, 74), line('삐끼', 40, 400, 80, 40, 40)]).map((l) => l.text)).toEqual(['옥 살 산']);
  });

  it('LocalOcr asks tesseract to read the regions Paddle could not and merges what it read', async () => {
    const box = { left: 40, top: 270, width: 104, height: 40 };
    const paddle = {
      recognize: async () => [line('Oxalic acid', 44, 190, 313, 46, 100)],
      recognizeWithUnread: async () => [line('Oxalic acid', 44, 190, 313, 46, 100), { text: '', confidence: 0, box }],
    };
    const asked: unknown[] = [];
    const tesseract = {
      recognize: async () => [line('Oxalic acid', 44, 190, 313, 46, 96)],
      readRegions: async (_img: Buffer, regions: unknown[]) => {
        asked.push(...regions);
        return [line('옥 살 산', 43, 254, 99, 71, 93)];
      },
    };
    const lines = await new LocalOcr(paddle as never, tesseract as never).recognize(Buffer.alloc(1));
    expect(asked).toEqual([box]);
    expect(lines.map((l) => l.text)).toEqual(['Oxalic acid', '옥 살 산']);
  });
});
