/**
 * Renders the sample label photos shipped in samples/ (made by the project, not taken from any labelled set).
 * `npm start` processes them on an empty data folder so a newcomer sees a saved record and a waiting review.
 * Run: npx tsx scripts/make-samples.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

interface Label {
  file: string;
  brand: string;
  colour: string;
  product: string;
  lines: [string, string][];
  size: string;
  tilt: number;
}

const labels: Label[] = [
  {
    file: 'sample-sodium-chloride.jpg',
    brand: 'Alfa Aesar',
    colour: '#b71c1c',
    product: 'Sodium chloride',
    lines: [
      ['CAS No.', '7647-14-5'],
      ['Cat. No.', 'A12313'],
      ['Lot No.', 'Q24B017'],
      ['Assay', '99.0% min'],
      ['Formula', 'NaCl'],
      ['M.W.', '58.44'],
    ],
    size: '500 g',
    tilt: 0,
  },
  {
    file: 'sample-new-product.jpg',
    brand: 'Alfa Aesar',
    colour: '#1b5e20',
    product: 'Tetrabutylammonium hexafluorophosphate',
    lines: [
      ['CAS No.', '3109-63-5'],
      ['Cat. No.', 'A15343'],
      ['Lot No.', 'R11C204'],
      ['Assay', '98%'],
    ],
    size: '25 g',
    tilt: -2,
  },
];

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function svg(l: Label): string {
  const rows = l.lines
    .map(([k, v], i) => `<text x="60" y="${330 + i * 58}" font-size="34" fill="#444">${esc(k)}</text><text x="300" y="${330 + i * 58}" font-size="36" font-weight="bold">${esc(v)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="800">
  <rect width="1400" height="800" fill="#f4f1ea"/>
  <rect x="20" y="20" width="1360" height="760" rx="18" fill="#ffffff" stroke="#999" stroke-width="3"/>
  <rect x="20" y="20" width="1360" height="16" fill="${l.colour}"/>
  <text x="60" y="110" font-size="60" font-family="Liberation Sans" font-weight="bold" fill="${l.colour}">${esc(l.brand)}</text>
  <text x="60" y="220" font-size="${l.product.length > 24 ? 50 : 66}" font-family="Liberation Sans" font-weight="bold">${esc(l.product)}</text>
  <g font-family="Liberation Sans">${rows}</g>
  <text x="1040" y="330" font-size="60" font-family="Liberation Sans" font-weight="bold">${esc(l.size)}</text>
  <text x="60" y="740" font-size="22" font-family="Liberation Sans" fill="#666">For laboratory use only. Not for drug, household or other uses.</text>
</svg>`;
}

async function main() {
  const dir = join(__dirname, '..', 'samples');
  mkdirSync(dir, { recursive: true });
  for (const l of labels) {
    await sharp(Buffer.from(svg(l)))
      .rotate(l.tilt, { background: '#d9d4c7' })
      .jpeg({ quality: 85 })
      .toFile(join(dir, l.file));
    process.stdout.write(`wrote samples/${l.file}\n`);
  }
}

void main();
