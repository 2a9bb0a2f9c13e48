/**
 * Quick accuracy harness for the offline reader: validate → OCR → offline read on a labelled folder
 * (NAME.jpg + NAME.json, index.csv with template and difficulty). Prints per-field and per-difficulty
 * accuracy and ms per label.
 *
 *   npx tsx scripts/measure-offline.ts [folder] [--only img_0001,img_0002] [--verbose] [--cache] [--points FILE]
 *                                      [--unknown-products] [--unknown-makers]
 *
 * --unknown-products (--unknown-makers) takes the folder's products (makers) out of the catalog first: how labels of
 * new products (makers) read.
 * --cache keeps OCR lines in os.tmpdir() keyed by image hash and OCR_VERSION, so rule changes can be measured in seconds.
 * Every record is also scored (functions/score-confidence) to print per-field calibration and a sweep of the
 * auto-accept threshold; --points writes the (field, confidence, correct) points as JSON.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIELD_NAMES } from '../functions/shared/contract';
import { expectedCalibrationError, fieldCorrect } from '../local/eval';
import { measureFolder, terminateOcr } from './ocr-cache';

const args = process.argv.slice(2);
const optionValues = new Set(['--only', '--points'].map((o) => args[args.indexOf(o) + 1]).filter((v, i) => args.includes(['--only', '--points'][i])));
const folder = args.find((a) => !a.startsWith('--') && !optionValues.has(a)) ?? path.join(__dirname, '..', '..', 'shared', 'labels', 'devset');
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : undefined;
const verbose = args.includes('--verbose');
const useCache = args.includes('--cache');
const pointsFile = args.includes('--points') ? args[args.indexOf('--points') + 1] : undefined;
const unknownProducts = args.includes('--unknown-products');
const unknownMakers = args.includes('--unknown-makers');

interface Point {
  label: string;
  difficulty: string;
  field: string;
  confidence: number;
  correct: boolean;
}

/** The same comparison and calibration measure as `intake eval`, so the numbers here predict the official ones. */
const same = fieldCorrect;
const ece = expectedCalibrationError;

async function main(): Promise<void> {
  const points: Point[] = [];
  const records: { stem: string; difficulty: string; overall: number; structural: boolean; allRight: boolean }[] = [];

  const perDiff: Record<string, { ok: number; total: number; labels: number }> = {};
  const perField: Record<string, { ok: number; total: number }> = {};
  const perFieldDiff: Record<string, { ok: number; total: number }> = {};
  let ocrMs = 0;
  let readMs = 0;
  let n = 0;
  // Scored at threshold 0 (only the structural review reasons); the sweep below applies each threshold.
  for await (const m of measureFolder(folder, { useCache, only, unknownProducts, unknownMakers })) {
    const { stem, template, difficulty, truth, result, scored } = m;
    ocrMs += m.ocrMs;
    readMs += m.readMs;
    n++;
    const got = result.candidate as Record<string, unknown>;
    const allRight = FIELD_NAMES.every((f) => (truth[f] === undefined && got[f] === undefined) || same(f, truth[f], got[f]));
    records.push({ stem, difficulty, overall: scored?.overall ?? 0, structural: scored ? scored.reviewReasons.length === 0 : false, allRight });
    for (const f of FIELD_NAMES) {
      if (got[f] === undefined) continue;
      points.push({ label: stem, difficulty, field: f, confidence: scored?.confidence[f]?.score ?? 0, correct: same(f, truth[f], got[f]) });
    }
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
  await terminateOcr();
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
  console.log('calibration (fields predicted; ECE over 10 bins, wrong fields at confidence >= 0.9):');
  for (const f of FIELD_NAMES) {
    const ps = points.filter((p) => p.field === f);
    if (!ps.length) continue;
    const hi = ps.filter((p) => p.confidence >= 0.9);
    console.log(`  ${f.padEnd(16)} n ${String(ps.length).padStart(3)}  ECE ${ece(ps).toFixed(3)}  wrong>=0.9 ${hi.filter((p) => !p.correct).length}/${hi.length}`);
  }
  console.log(`  all              ECE ${ece(points).toFixed(3)}`);
  console.log('threshold sweep (auto-accept = no structural review reason and every field >= threshold):');
  for (const t of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98]) {
    const acc = records.filter((r) => r.structural && r.overall >= t);
    const ok = acc.filter((r) => r.allRight).length;
    const wrongNames = acc.filter((r) => !r.allRight).map((r) => r.stem);
    console.log(`  t=${t.toFixed(2)}  accepted ${String(acc.length).padStart(2)}/${records.length}  precision ${acc.length ? (ok / acc.length).toFixed(3) : 'n/a'}  review ${(1 - acc.length / Math.max(1, records.length)).toFixed(3)}${wrongNames.length ? `  wrong: ${wrongNames.join(',')}` : ''}`);
  }
  if (pointsFile) writeFileSync(pointsFile, JSON.stringify({ points, records }, null, 1));
  const ocrCount = useCache ? '(cached OCR excluded)' : '';
  console.log(`ms per label: OCR ${(ocrMs / Math.max(1, n)).toFixed(0)} ${ocrCount}, read ${(readMs / Math.max(1, n)).toFixed(1)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
