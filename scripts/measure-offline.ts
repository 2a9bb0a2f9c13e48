/**
 * Quick accuracy harness for the offline reader: validate → OCR → offline read on a labelled folder
 * (NAME.jpg + NAME.json, index.csv with template and difficulty). Prints per-field and per-difficulty
 * accuracy and ms per label.
 *
 *   npx tsx scripts/measure-offline.ts [folder] [--only img_0001,img_0002] [--verbose] [--cache]
 *
 * --cache keeps OCR lines in os.tmpdir() keyed by image hash, so rule changes can be measured in seconds.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Catalog } from '../functions/shared/catalog';
import { FIELD_NAMES, type OcrLine } from '../functions/shared/contract';
import { loadConfig } from '../functions/shared/config';
import { validateImage } from '../functions/validate-image/core';
import { TesseractOcr } from '../functions/ocr-hints/tesseract-ocr';
import { createOfflineReader } from '../functions/extract-fields/offline-reader';

const args = process.argv.slice(2);
const folder = args.find((a) => !a.startsWith('--')) ?? path.join(__dirname, '..', '..', 'shared', 'labels', 'devset');
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : undefined;
const verbose = args.includes('--verbose');
const useCache = args.includes('--cache');

const norm = (v: unknown): string =>
  String(v)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[‐‑‒–—―−~〜]/g, '-')
    .replace(/\s+/g, '');

function same(field: string, truth: unknown, got: unknown): boolean {
  if (truth === undefined || got === undefined) return truth === got;
  if (field === 'quantity') {
    const a = truth as { value: number; unit: string };
    const b = got as { value: number; unit: string };
    return a.value === b.value && a.unit === b.unit;
  }
  if (field === 'molecularWeight') return Math.abs(Number(truth) - Number(got)) <= 0.05;
  return norm(truth) === norm(got);
}

async function main(): Promise<void> {
  const config = loadConfig({});
  const limits = { maxBytes: config.INTAKE_MAX_BYTES, maxMegapixels: config.INTAKE_MAX_MEGAPIXELS, minEdgePx: config.INTAKE_MIN_EDGE_PX, normalizedEdgePx: config.INTAKE_NORMALIZED_EDGE_PX };
  const rows = readFileSync(path.join(folder, 'index.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const reader = createOfflineReader(Catalog.shipped(), { ocr: false });
  const ocr = TesseractOcr.shared();
  const cacheDir = path.join(tmpdir(), 'reagent-intake-ocr-cache');
  if (useCache) mkdirSync(cacheDir, { recursive: true });

  const perDiff: Record<string, { ok: number; total: number; labels: number }> = {};
  const perField: Record<string, { ok: number; total: number }> = {};
  const perFieldDiff: Record<string, { ok: number; total: number }> = {};
  let ocrMs = 0;
  let readMs = 0;
  let n = 0;
  for (const [file, template, difficulty] of rows) {
    const stem = file.replace(/\.[^.]+$/, '');
    if (only && !only.has(stem)) continue;
    const truth = JSON.parse(readFileSync(path.join(folder, `${stem}.json`), 'utf8')) as Record<string, unknown>;
    const v = await validateImage(readFileSync(path.join(folder, file)), limits);
    const cacheFile = path.join(cacheDir, `${v.contentHash}.json`);
    let lines: OcrLine[];
    const t0 = Date.now();
    if (useCache && existsSync(cacheFile)) lines = JSON.parse(readFileSync(cacheFile, 'utf8'));
    else {
      lines = await ocr.recognize(v.normalized);
      ocrMs += Date.now() - t0;
      if (useCache) writeFileSync(cacheFile, JSON.stringify(lines));
    }
    const t1 = Date.now();
    const result = await reader.read({ image: v.normalized, mediaType: 'image/jpeg', ocrLines: lines, attempt: 1 });
    readMs += Date.now() - t1;
    n++;
    const got = result.candidate as Record<string, unknown>;
    const d = (perDiff[difficulty] ??= { ok: 0, total: 0, labels: 0 });
    d.labels++;
    const wrong: string[] = [];
    for (const f of FIELD_NAMES) {
      if (truth[f] === undefined && got[f] === undefined) continue;
      const ok = same(f, truth[f], got[f]);
      d.total++;
      if (ok) d.ok++;
      const pf = (perField[f] ??= { ok: 0, total: 0 });
      pf.total++;
      if (ok) pf.ok++;
      const pfd = (perFieldDiff[`${f}/${difficulty}`] ??= { ok: 0, total: 0 });
      pfd.total++;
      if (ok) pfd.ok++;
      if (!ok) wrong.push(`${f}: want ${JSON.stringify(truth[f])} got ${JSON.stringify(got[f])}${result.evidence?.[f] ? ` [${result.evidence[f]}]` : ''}`);
    }
    if (verbose && wrong.length) console.log(`${stem} ${template}/${difficulty}\n  ${wrong.join('\n  ')}`);
  }
  await TesseractOcr.terminateShared();
  const pct = (o: { ok: number; total: number }) => (o.total ? (o.ok / o.total).toFixed(3) : '-');
  console.log('\nper difficulty (field accuracy):');
  for (const [k, v] of Object.entries(perDiff)) console.log(`  ${k.padEnd(6)} ${pct(v)}  (${v.ok}/${v.total} fields, ${v.labels} labels)`);
  const all = Object.values(perDiff).reduce((a, b) => ({ ok: a.ok + b.ok, total: a.total + b.total }), { ok: 0, total: 0 });
  console.log(`  all    ${pct(all)}`);
  console.log('per field:');
  for (const f of FIELD_NAMES) {
    if (!perField[f]) continue;
    const cells = ['clean', 'photo', 'hard'].map((d) => `${d} ${pct(perFieldDiff[`${f}/${d}`] ?? { ok: 0, total: 0 })}`);
    console.log(`  ${f.padEnd(16)} ${pct(perField[f])}   ${cells.join('  ')}`);
  }
  const ocrCount = useCache ? '(cached OCR excluded)' : '';
  console.log(`ms per label: OCR ${(ocrMs / Math.max(1, n)).toFixed(0)} ${ocrCount}, read ${(readMs / Math.max(1, n)).toFixed(1)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
