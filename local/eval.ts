import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative } from 'node:path';
import { FIELD_NAMES, type FieldName } from '../functions/shared/contract';
import { runFiles } from './cli';
import { InProcessClient } from './client';
import { LocalStack, type Outcome } from './stack';

export interface EvalItem {
  file: string;
  truth?: Record<string, unknown>;
  difficulty: string;
  template: string;
  /** Under bad/ with no ground truth: the photo must end REJECTED. */
  mustReject: boolean;
}

export interface FieldVerdict {
  field: FieldName;
  expected?: unknown;
  got?: unknown;
  correct: boolean;
  confidence?: number;
}

export interface EvalRow {
  item: EvalItem;
  outcome?: Outcome;
  error?: string;
  ms: number;
  verdicts: FieldVerdict[];
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Case, whitespace and dash/tilde variants do not count as differences. */
export function normalizeText(v: unknown): string {
  return String(v)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[～〜∼]/g, '~')
    .replace(/\s+/g, ' ')
    .replace(/\s*([-~])\s*/g, '$1')
    .trim();
}

export function fieldCorrect(field: FieldName, expected: unknown, got: unknown): boolean {
  if (expected === undefined || got === undefined) return expected === undefined && got === undefined;
  if (field === 'quantity') {
    const e = expected as { value: number; unit: string };
    const g = got as { value: number; unit: string };
    return Number(e.value) === Number(g?.value) && String(e.unit).toLowerCase() === String(g?.unit).toLowerCase();
  }
  if (field === 'molecularWeight') return Math.abs(Number(expected) - Number(got)) <= 0.05;
  return normalizeText(expected) === normalizeText(got);
}

/** NAME.jpg|png with NAME.json beside it; files under bad/ without ground truth must be rejected. */
export function collectItems(dir: string): EvalItem[] {
  const index = new Map<string, { template: string; difficulty: string }>();
  const indexPath = join(dir, 'index.csv');
  if (existsSync(indexPath)) {
    const [head, ...lines] = readFileSync(indexPath, 'utf8').split(/\r?\n/).filter(Boolean);
    const cols = head.split(',').map((c) => c.trim());
    for (const line of lines) {
      const cells = line.split(',').map((c) => c.trim());
      const row = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
      index.set(row.file, { template: row.template || 'unknown', difficulty: row.difficulty || 'unknown' });
    }
  }
  const items: EvalItem[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const rel = relative(dir, full);
      const inBad = rel.split(/[\\/]/)[0] === 'bad';
      const ext = extname(name).toLowerCase();
      const truthPath = join(dirname(full), `${basename(name, extname(name))}.json`);
      if (IMAGE_EXT.has(ext) && existsSync(truthPath)) {
        const meta = index.get(rel) ?? index.get(name);
        items.push({
          file: full,
          truth: JSON.parse(readFileSync(truthPath, 'utf8')),
          template: meta?.template ?? (inBad ? 'bad' : 'unknown'),
          difficulty: meta?.difficulty ?? (inBad ? 'bad' : 'unknown'),
          mustReject: false,
        });
      } else if (inBad && !['.json', '.csv', '.txt', '.md'].includes(ext)) {
        items.push({ file: full, template: 'bad', difficulty: 'bad', mustReject: true });
      }
    }
  };
  walk(dir);
  return items;
}

function verdicts(truth: Record<string, unknown>, outcome?: Outcome): FieldVerdict[] {
  const got = outcome?.fields ?? {};
  return FIELD_NAMES.filter((f) => truth[f] !== undefined || got[f] !== undefined).map((field) => ({
    field,
    expected: truth[field],
    got: got[field],
    correct: fieldCorrect(field, truth[field], got[field]),
    confidence: outcome?.confidence?.[field]?.score,
  }));
}

/** Expected calibration error: |accuracy − mean confidence| per confidence bin, weighted by bin size. */
export function expectedCalibrationError(points: { confidence: number; correct: boolean }[], bins = 10): number {
  if (!points.length) return 0;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const inBin = points.filter((p) => Math.min(bins - 1, Math.floor(p.confidence * bins)) === b);
    if (!inBin.length) continue;
    const acc = inBin.filter((p) => p.correct).length / inBin.length;
    const conf = inBin.reduce((s, p) => s + p.confidence, 0) / inBin.length;
    ece += (inBin.length / points.length) * Math.abs(acc - conf);
  }
  return ece;
}

export interface EvalSummary {
  photos: number;
  fieldAccuracy: number;
  reviewRate: number;
  autoAcceptPrecision: number | null;
  autoAccepted: number;
  byDifficulty: Record<string, { photos: number; fieldAccuracy: number }>;
  byField: Record<string, { total: number; correct: number; accuracy: number; ece: number }>;
  badRejected: number;
  badTotal: number;
  badFailures: { file: string; status: string; reason?: string }[];
  msP50: number;
  msP95: number;
}

export function summarize(rows: EvalRow[]): EvalSummary {
  const labelled = rows.filter((r) => !r.item.mustReject);
  const allVerdicts = labelled.flatMap((r) => r.verdicts);
  const acc = (vs: FieldVerdict[]) => (vs.length ? vs.filter((v) => v.correct).length / vs.length : 0);
  const byDifficulty: EvalSummary['byDifficulty'] = {};
  for (const d of [...new Set(labelled.map((r) => r.item.difficulty))].sort()) {
    const rs = labelled.filter((r) => r.item.difficulty === d);
    byDifficulty[d] = { photos: rs.length, fieldAccuracy: acc(rs.flatMap((r) => r.verdicts)) };
  }
  const byField: EvalSummary['byField'] = {};
  for (const f of FIELD_NAMES) {
    const vs = allVerdicts.filter((v) => v.field === f);
    if (!vs.length) continue;
    const points = vs.filter((v) => v.got !== undefined).map((v) => ({ confidence: v.confidence ?? 0, correct: v.correct }));
    byField[f] = { total: vs.length, correct: vs.filter((v) => v.correct).length, accuracy: acc(vs), ece: expectedCalibrationError(points) };
  }
  const accepted = labelled.filter((r) => r.outcome?.status === 'SAVED');
  const reviewed = labelled.filter((r) => r.outcome?.status === 'IN_REVIEW');
  const bad = rows.filter((r) => r.item.mustReject);
  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  const pct = (p: number) => (times.length ? times[Math.min(times.length - 1, Math.floor(p * times.length))] : 0);
  return {
    photos: labelled.length,
    fieldAccuracy: acc(allVerdicts),
    reviewRate: labelled.length ? reviewed.length / labelled.length : 0,
    autoAcceptPrecision: accepted.length ? accepted.filter((r) => r.verdicts.every((v) => v.correct)).length / accepted.length : null,
    autoAccepted: accepted.length,
    byDifficulty,
    byField,
    badRejected: bad.filter((r) => r.outcome?.status === 'REJECTED').length,
    badTotal: bad.length,
    badFailures: bad.filter((r) => r.outcome?.status !== 'REJECTED').map((r) => ({ file: r.item.file, status: r.outcome?.status ?? 'ERROR', reason: r.outcome?.reason ?? r.error })),
    msP50: pct(0.5),
    msP95: pct(0.95),
  };
}

export function finalLine(s: EvalSummary): string {
  const f = (n: number | null) => (n === null ? 'n/a' : n.toFixed(3));
  return `field_accuracy=${f(s.fieldAccuracy)} review_rate=${f(s.reviewRate)} auto_accept_precision=${f(s.autoAcceptPrecision)}`;
}

/**
 * Run every labelled photo through the real pipeline (a fresh, throw-away local stack; no human), score each
 * field, and write a report. Returns the exit code.
 */
export async function evalCommand(opts: { dir: string; reportDir: string; env: Record<string, string>; log: (l: string) => void }): Promise<number> {
  const items = collectItems(opts.dir);
  if (!items.length) {
    opts.log(`intake eval: no labelled photos (NAME.jpg + NAME.json) in ${opts.dir}`);
    return 2;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'intake-eval-'));
  const stack = await LocalStack.start({ dataDir, ephemeral: true, memoryEngine: true, env: opts.env, log: opts.log });
  const client = new InProcessClient(stack, dataDir);
  let rows: EvalRow[];
  try {
    opts.log(`Evaluating ${items.length} photo(s) from ${opts.dir} …`);
    const started = Date.now();
    const results = await runFiles(client, items.map((i) => i.file));
    rows = await Promise.all(
      results.map(async (r, i) => {
        const o = r.outcome;
        const ms = o?.startDate && o.stopDate ? new Date(o.stopDate).getTime() - new Date(o.startDate).getTime() : await runMs(stack, o);
        return { item: items[i], outcome: o, error: r.error, ms, verdicts: items[i].truth ? verdicts(items[i].truth!, o) : [] };
      }),
    );
    opts.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await client.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const summary = summarize(rows);
  writeReport(opts.reportDir, rows, summary);
  const out = (l = '') => process.stdout.write(`${l}\n`);
  out(`\nfield          accuracy  n    ECE`);
  for (const [f, s] of Object.entries(summary.byField)) out(`${f.padEnd(15)}${s.accuracy.toFixed(3).padStart(8)}  ${String(s.total).padEnd(4)} ${s.ece.toFixed(3)}`);
  out(`\ndifficulty     accuracy  photos`);
  for (const [d, s] of Object.entries(summary.byDifficulty)) out(`${d.padEnd(15)}${s.fieldAccuracy.toFixed(3).padStart(8)}  ${s.photos}`);
  out(`\nauto-accepted ${summary.autoAccepted}/${summary.photos}; bad files rejected ${summary.badRejected}/${summary.badTotal}`);
  for (const b of summary.badFailures) out(`  NOT REJECTED: ${b.file} ended ${b.status}${b.reason ? ` (${b.reason})` : ''}`);
  out(`latency p50 ${summary.msP50} ms, p95 ${summary.msP95} ms (in a run of ${rows.length} photos sharing 2 cores)`);
  out(`report: ${join(opts.reportDir, 'report.md')} · ${join(opts.reportDir, 'report.html')}`);
  out(finalLine(summary));
  return rows.some((r) => r.error) ? 1 : 0;
}

/** For runs that wait in review the execution has no stop date: time to the review request instead. */
async function runMs(stack: LocalStack, o?: Outcome): Promise<number> {
  if (!o) return 0;
  const { events } = await stack.engine.getExecutionHistory({ executionArn: o.executionArn, maxResults: 1000 });
  const waiting = [...events].reverse().find((e) => e.type === 'TaskSubmitted') ?? events.at(-1);
  return events.length ? new Date(waiting!.timestamp).getTime() - new Date(events[0].timestamp).getTime() : 0;
}

function writeReport(dir: string, rows: EvalRow[], s: EvalSummary) {
  mkdirSync(dir, { recursive: true });
  const json = {
    summary: s,
    photos: rows.map((r) => ({
      file: r.item.file,
      difficulty: r.item.difficulty,
      template: r.item.template,
      status: r.outcome?.status ?? 'ERROR',
      reason: r.outcome?.reason,
      ms: r.ms,
      overall: r.outcome?.overall,
      wrong: r.verdicts.filter((v) => !v.correct),
    })),
  };
  writeFileSync(join(dir, 'report.json'), JSON.stringify(json, null, 2));
  const fieldRows = Object.entries(s.byField).map(([f, v]) => `| ${f} | ${v.accuracy.toFixed(3)} | ${v.correct}/${v.total} | ${v.ece.toFixed(3)} |`);
  const worst = Object.entries(s.byField)
    .sort((a, b) => a[1].accuracy - b[1].accuracy)
    .slice(0, 3)
    .map(([f]) => f as FieldName);
  const confusion = worst.flatMap((f) => [
    `### ${f}`,
    '| photo | expected | got |',
    '|---|---|---|',
    ...rows
      .flatMap((r) => r.verdicts.filter((v) => v.field === f && !v.correct).map((v) => `| ${basename(r.item.file)} | ${fmt(v.expected)} | ${fmt(v.got)} |`))
      .slice(0, 15),
  ]);
  const slowest = [...rows].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const md = [
    '# intake eval report',
    '',
    `\`${finalLine(s)}\``,
    '',
    `Photos with ground truth: ${s.photos}; auto-accepted ${s.autoAccepted}; bad files rejected ${s.badRejected}/${s.badTotal}.`,
    '',
    '## Per field',
    '| field | accuracy | correct | ECE |',
    '|---|---|---|---|',
    ...fieldRows,
    '',
    '## Per difficulty',
    '| difficulty | photos | field accuracy |',
    '|---|---|---|',
    ...Object.entries(s.byDifficulty).map(([d, v]) => `| ${d} | ${v.photos} | ${v.fieldAccuracy.toFixed(3)} |`),
    '',
    '## Worst fields: what was expected and what was read',
    ...confusion,
    '',
    '## Slowest photos',
    '| photo | ms | status |',
    '|---|---|---|',
    ...slowest.map((r) => `| ${basename(r.item.file)} | ${r.ms} | ${r.outcome?.status ?? 'ERROR'} |`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'report.md'), md);
  writeFileSync(join(dir, 'report.html'), htmlReport(s));
}

const fmt = (v: unknown) => (v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\|/g, '\\|');
const esc = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A page a person would rather look at: bars for per-field and per-difficulty accuracy, no external assets. */
function htmlReport(s: EvalSummary): string {
  const bars = (entries: [string, number][]) => {
    const h = 26;
    const rows = entries
      .map(([label, v], i) => {
        const w = Math.round(v * 400);
        const colour = v >= 0.97 ? '#2e7d32' : v >= 0.9 ? '#f9a825' : '#c62828';
        return `<text x="0" y="${i * h + 17}" font-size="13">${esc(label)}</text><rect x="150" y="${i * h + 4}" width="${w}" height="18" fill="${colour}"/><text x="${158 + w}" y="${i * h + 17}" font-size="13">${v.toFixed(3)}</text>`;
      })
      .join('');
    return `<svg width="640" height="${entries.length * h + 8}" role="img">${rows}</svg>`;
  };
  return `<!doctype html><meta charset="utf-8"><title>intake eval report</title>
<style>body{font:14px system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}code{background:#f3f3f3;padding:2px 4px}</style>
<h1>intake eval report</h1><p><code>${esc(finalLine(s))}</code></p>
<p>${s.photos} labelled photos · auto-accepted ${s.autoAccepted} · bad files rejected ${s.badRejected}/${s.badTotal} · latency p50 ${s.msP50} ms, p95 ${s.msP95} ms</p>
<h2>Accuracy per field</h2>${bars(Object.entries(s.byField).map(([f, v]) => [f, v.accuracy]))}
<h2>Accuracy per difficulty</h2>${bars(Object.entries(s.byDifficulty).map(([d, v]) => [`${d} (${v.photos})`, v.fieldAccuracy]))}
<h2>Calibration (expected calibration error per field; lower is better)</h2>${bars(Object.entries(s.byField).map(([f, v]) => [f, v.ece]))}
`;
}
