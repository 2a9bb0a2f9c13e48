/**
 * Calibration workbench for functions/score-confidence: runs the same pipeline as measure-offline (validate →
 * OCR, cached → offline read → score) and prints, per field, every value with its score, whether it is right,
 * the scorer's last reason and the reader's evidence; then per-record why each record is (not) auto-accepted.
 *
 *   npx tsx scripts/calibrate.ts [folder] [--field lotNumber] [--records] [--json FILE]
 *
 * Needs the OCR cache of `measure-offline --cache` (it fills it when missing). A yard-stick for reading the
 * evidence, not a fitter: rules in the scorer must rest on evidence that generalises, never on devset values.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIELD_NAMES } from '../functions/shared/contract';
import { fieldCorrect } from '../local/eval';
import { measureFolder, terminateOcr } from './ocr-cache';

const args = process.argv.slice(2);
const valued = new Set(['--field', '--json']);
const folder = args.find((a, i) => !a.startsWith('--') && !valued.has(args[i - 1])) ?? path.join(__dirname, '..', '..', 'shared', 'labels', 'devset');
const opt = (o: string) => (args.includes(o) ? args[args.indexOf(o) + 1] : undefined);
const onlyField = opt('--field');
const jsonFile = opt('--json');

/** The same field comparison as `intake eval`. */
const same = fieldCorrect;

async function main(): Promise<void> {
  const out: unknown[] = [];
  const recs: string[] = [];
  for await (const { stem, template, difficulty, truth, result, scored } of measureFolder(folder, { useCache: true })) {
    const got = result.candidate as Record<string, unknown>;
    const wrong = FIELD_NAMES.filter((f) => !((truth[f] === undefined && got[f] === undefined) || same(f, truth[f], got[f])));
    const minField = scored ? Object.entries(scored.confidence).sort((a, b) => a[1]!.score - b[1]!.score)[0] : undefined;
    recs.push(
      `${stem} ${template}/${difficulty} overall ${scored?.overall ?? '-'} ${wrong.length ? `WRONG ${wrong.join(',')}` : 'right'}` +
        `${scored?.reviewReasons.length ? `\n    structural: ${scored.reviewReasons.join(' | ')}` : ''}` +
        `${minField ? `\n    weakest ${minField[0]} ${minField[1]!.score}: ${minField[1]!.reasons.join('; ')}` : ''}`,
    );
    for (const f of FIELD_NAMES) {
      if (got[f] === undefined) continue;
      const c = scored?.confidence[f];
      const row = { stem, template, difficulty, field: f, value: got[f], truth: truth[f], correct: same(f, truth[f], got[f]), self: result.selfConfidence?.[f], score: c?.score, reasons: c?.reasons, evidence: result.evidence?.[f] };
      out.push(row);
      if (!onlyField || onlyField === f)
        if (!args.includes('--records'))
          console.log(`${row.correct ? ' ok ' : 'BAD '} ${f.padEnd(15)} ${String(c?.score ?? '-').padEnd(5)} self ${String(row.self ?? '-').padEnd(4)} ${stem} ${JSON.stringify(got[f])}${row.correct ? '' : ` want ${JSON.stringify(truth[f])}`}  | ${c?.reasons.slice(1).join('; ')} | ${row.evidence ?? ''}`);
    }
  }
  if (args.includes('--records')) console.log(recs.join('\n'));
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(out, null, 1));
  await terminateOcr();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
