import sharp from 'sharp';
import { findLabelRegion } from '../../functions/ocr-hints/image-prep';

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

/**
 * A photo-like scene (soft label edges against a grey wall): a label with a block of small keyed rows on the left
 * and a framed pack size in large type well to their right, level with them.
 */
async function scene(extra = ''): Promise<Buffer> {
  const rows = ['CAS No. 56-41-7', 'Code No. 43535-31', 'Lot No. 2207K859', 'Purity 95.0%', 'Grade GR']
    .map((t, i) => `<text x="190" y="${420 + i * 34}" ${FONT} font-size="22">${t}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1000">
    <rect width="100%" height="100%" fill="#c4c4c4"/>
    <rect x="150" y="300" width="900" height="360" fill="#f2f2f2"/>
    <text x="190" y="370" ${FONT} font-size="40" font-weight="bold">Alanine</text>${rows}
    <rect x="640" y="380" width="230" height="150" fill="none" stroke="#6a2c91" stroke-width="5"/>
    <text x="675" y="480" ${FONT} font-size="64" font-weight="bold">250g</text>${extra}
  </svg>`;
  return sharp(Buffer.from(svg)).blur(1.5).jpeg().toBuffer();
}

describe('findLabelRegion', () => {
  it('takes in a side panel level with the label text (a framed pack size) across a gap wider than the near-block rule allows', async () => {
    const r = await findLabelRegion(await scene());
    expect(r).toBeDefined();
    expect(r!.left).toBeLessThanOrEqual(190);
    expect(r!.left + r!.width).toBeGreaterThanOrEqual(870);
  });

  it('leaves out a text block as far off that is not level with the label (another object above it)', async () => {
    const above = ['OTHER BOTTLE 1', 'OTHER BOTTLE 2', 'OTHER BOTTLE 3']
      .map((t, i) => `<text x="640" y="${90 + i * 40}" ${FONT} font-size="26">${t}</text>`)
      .join('');
    const r = await findLabelRegion(await scene(above));
    expect(r).toBeDefined();
    expect(r!.top).toBeGreaterThan(200);
    expect(r!.left + r!.width).toBeGreaterThanOrEqual(870);
  });
});
