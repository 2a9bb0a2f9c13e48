import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { FIELD_NAMES } from '../functions/shared/contract';
import type { ReviewStatus } from '../functions/shared/tables';
import { connect, DEFAULT_DATA_DIR, type IntakeClient } from './client';
import { runDoctor } from './doctor';
import { evalCommand } from './eval';
import { expandInputs } from './files';
import { startCommand } from './start';
import type { Outcome } from './stack';

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line = '') => process.stderr.write(`${line}\n`);

/** Options every command shares: where the data lives and which reader/OCR the in-process stack uses. */
function stackOptions(cmd: Command) {
  const o = cmd.optsWithGlobals() as { dataDir?: string; reader?: string; ocr?: boolean };
  const env: Record<string, string> = {};
  if (o.reader) env.INTAKE_READER = o.reader;
  if (o.ocr === false) env.INTAKE_OCR = 'off';
  return { dataDir: o.dataDir ?? DEFAULT_DATA_DIR, env, log: err };
}

export function fieldValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && 'value' in (v as object)) {
    const q = v as { value: number; unit: string };
    return `${q.value} ${q.unit}`;
  }
  return String(v);
}

export function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => {
        const cell = (c ?? '').replace(/\s+/g, ' ');
        return (cell.length > widths[i] ? `${cell.slice(0, widths[i] - 1)}…` : cell).padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/** A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10% otherwise). */
export class Progress {
  private done = 0;
  private lastDecile = -1;
  private readonly counts = new Map<string, number>();
  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}
  tick(status: string) {
    this.done++;
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
    const width = 28;
    const filled = Math.round((this.done / Math.max(1, this.total)) * width);
    const summary = [...this.counts].map(([s, n]) => `${s} ${n}`).join(' · ');
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}  ${summary}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      if (this.done === this.total) this.stream.write('\n');
    } else {
      const decile = Math.floor((this.done / Math.max(1, this.total)) * 10);
      if (decile !== this.lastDecile || this.done === this.total) {
        this.lastDecile = decile;
        this.stream.write(`${line}\n`);
      }
    }
  }
}

interface RunResult {
  file: string;
  outcome?: Outcome;
  error?: string;
}

/** Submit files through the full state machine and wait until each is terminal or waiting in review. */
export async function runFiles(client: IntakeClient, files: string[], opts: { progress?: boolean; concurrency?: number; timeoutMs?: number } = {}): Promise<RunResult[]> {
  const progress = opts.progress === false ? undefined : new Progress(files.length);
  const results: RunResult[] = new Array(files.length);
  let next = 0;
  // Uploads are bounded so a folder of thousands of photos is not read into memory at once; the engine
  // bounds how many runs execute together.
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      try {
        const bytes = readFileSync(file);
        const { executionArn } = await client.submit(file.split(/[\\/]/).pop()!, bytes);
        const outcome = await client.waitForOutcome(executionArn, opts.timeoutMs);
        results[i] = { file, outcome };
        progress?.tick(outcome.status);
      } catch (e) {
        results[i] = { file, error: (e as Error).message };
        progress?.tick('ERROR');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, files.length) }, worker));
  return results;
}

export function jsonLine(r: RunResult): string {
  const o = r.outcome;
  const fields = Object.fromEntries(FIELD_NAMES.filter((k) => o?.fields?.[k] !== undefined).map((k) => [k, o!.fields![k]]));
  return JSON.stringify({
    file: r.file,
    status: o?.status ?? 'ERROR',
    fields,
    confidence: o?.overall ?? null,
    fieldConfidence: o?.confidence ? Object.fromEntries(Object.entries(o.confidence).map(([k, c]) => [k, c.score])) : {},
    reasons: o?.reasons ?? [],
    executionId: o?.executionArn ?? null,
    ...(o?.reviewId ? { reviewId: o.reviewId } : {}),
    ...(o?.duplicateOf ? { duplicateOf: o.duplicateOf } : {}),
    ...(o && o.status !== 'SAVED' && o.status !== 'IN_REVIEW' && o.reason ? { reason: o.reason } : {}),
    ...(r.error ? { error: r.error } : {}),
  });
}

async function withClient<T>(cmd: Command, fn: (client: IntakeClient) => Promise<T>): Promise<T> {
  const client = await connect(stackOptions(cmd));
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function parseSet(values: string[]): Record<string, unknown> {
  const corrections: Record<string, unknown> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new Error(`--set needs field=value, got "${v}"`);
    const field = v.slice(0, eq).trim();
    const raw = v.slice(eq + 1).trim();
    if (field === 'quantity') {
      const m = /^([\d.]+)\s*(mL|L|g|kg|mg)$/i.exec(raw);
      if (!m) throw new Error(`quantity must look like "500 mL", got "${raw}"`);
      const unit = { ml: 'mL', l: 'L', g: 'g', kg: 'kg', mg: 'mg' }[m[2].toLowerCase()]!;
      corrections.quantity = { value: Number(m[1]), unit };
    } else if (field === 'molecularWeight') {
      corrections.molecularWeight = raw === '' ? null : Number(raw);
    } else corrections[field] = raw === '' ? null : raw;
  }
  return corrections;
}

function printReview(r: Record<string, any>) {
  out(`review ${r.reviewId}  ${r.status}${r.reviewer ? ` by ${r.reviewer}` : ''}`);
  out(`photo   ${r.sourceKey}`);
  out(`run     ${r.executionArn}`);
  out(`why     ${r.reason}`);
  out();
  const rows = FIELD_NAMES.map((k) => [k, fieldValue(r.fields?.[k]), r.confidence?.[k] ? r.confidence[k].score.toFixed(2) : '', r.confidence?.[k]?.reasons?.at(-1) ?? '']);
  out(table(rows, ['field', 'value', 'conf', 'evidence']));
}

export function buildProgram(): Command {
  const program = new Command('intake')
    .description('reagent-intake: photo of a reagent label → validated, confidence-scored inventory record')
    .option('--data-dir <dir>', 'local data folder (env INTAKE_DATA_DIR)', DEFAULT_DATA_DIR)
    .addOption(new Option('--reader <reader>', 'label reader for an in-process stack').choices(['offline', 'bedrock']))
    .option('--no-ocr', 'skip OCR hints (in-process stack)')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the local stack: stores, engine, inbox watch, console (what `npm start` runs)')
    .option('--port <port>', 'console/API port on 127.0.0.1 (env INTAKE_PORT)', process.env.INTAKE_PORT ?? '8787')
    .option('--inbox <dir>', 'folder watched for new photos (default: <data-dir>/inbox)')
    .option('--no-samples', 'do not process the sample photos on an empty data folder')
    .action(async (opts, cmd: Command) => {
      await startCommand({ ...stackOptions(cmd), port: Number(opts.port), inbox: opts.inbox, samples: opts.samples });
    });

  program
    .command('run')
    .description('run photos (files or folders) through the full state machine and print a summary')
    .argument('<paths...>', 'photos or folders (recursively; hidden and .json/.csv/.txt/.md files are skipped)')
    .option('--json', 'one JSON line per photo')
    .option('--timeout <seconds>', 'give up waiting for a photo after this long', '900')
    .action(async (paths: string[], opts, cmd: Command) => {
      const { files, missing } = expandInputs(paths);
      for (const m of missing) err(`intake run: no such file or folder: ${m}`);
      if (missing.length) process.exit(2);
      if (!files.length) {
        err('intake run: no photos found in the given paths.');
        return;
      }
      const results = await withClient(cmd, async (client) => {
        err(`Submitting ${files.length} file(s) to the local stack (${client.mode === 'remote' ? `running at ${client.where}` : 'started in this process'})…`);
        return runFiles(client, files, { timeoutMs: Number(opts.timeout) * 1000, progress: !opts.json || process.stderr.isTTY });
      });
      if (opts.json) results.forEach((r) => out(jsonLine(r)));
      else {
        out(
          table(
            results.map((r) => [
              r.file,
              r.outcome?.status ?? 'ERROR',
              fieldValue(r.outcome?.fields?.productName),
              fieldValue(r.outcome?.fields?.casNumber),
              r.outcome?.overall !== undefined ? r.outcome.overall.toFixed(2) : '',
              r.error ?? (r.outcome?.status === 'IN_REVIEW' ? `review ${r.outcome.reviewId}` : (r.outcome?.reason ?? '')),
            ]),
            ['file', 'status', 'product', 'CAS', 'conf', 'note'],
          ),
        );
        const counts = new Map<string, number>();
        results.forEach((r) => counts.set(r.outcome?.status ?? 'ERROR', (counts.get(r.outcome?.status ?? 'ERROR') ?? 0) + 1));
        out(`\n${[...counts].map(([s, n]) => `${s}: ${n}`).join('  ')}`);
        if (counts.get('IN_REVIEW')) out('Photos IN_REVIEW wait for a reviewer: `intake review list`, or the console (`npm start`).');
      }
      if (results.some((r) => r.error)) process.exitCode = 1;
    });

  const review = program.command('review').description('list, show, approve or reject items waiting for a person');
  review
    .command('list')
    .option('--status <status>', 'PENDING, APPROVED, REJECTED, EXPIRED or ALL', 'PENDING')
    .action(async (opts, cmd: Command) => {
      const status = String(opts.status).toUpperCase();
      const items = await withClient(cmd, (c) => c.listReviews(status === 'ALL' ? undefined : (status as ReviewStatus)));
      if (!items.length) {
        out(`No ${status === 'ALL' ? '' : `${status.toLowerCase()} `}reviews.`);
        return;
      }
      out(
        table(
          items.map((r: Record<string, any>) => [r.reviewId, r.status, String(r.sourceKey ?? '').split('/').pop()!, fieldValue(r.fields?.productName), Number(r.overallConfidence ?? 0).toFixed(2), r.createdAt, r.reason]),
          ['review', 'status', 'photo', 'product', 'conf', 'created', 'why'],
        ),
      );
    });
  review
    .command('show')
    .argument('<id>')
        .action(async (id: string, _o: unknown, cmd: Command) => printReview(await withClient(cmd, (c) => c.getReview(id))));
  review
    .command('approve')
    .argument('<id>')
    .option('--set <field=value...>', 'correct a field (repeatable); an empty value removes the field', [])
    .option('--reviewer <name>', 'who approves', process.env.USER ?? 'reviewer')
    .action(async (id: string, opts: Record<string, any>, cmd: Command) => {
      const corrections = parseSet(opts.set);
      const r = await withClient(cmd, async (c) => {
        const decided = await c.approveReview(id, corrections, opts.reviewer);
        const outcome = await c.waitForOutcome(decided.executionArn, 60_000, { terminal: true }).catch(() => undefined);
        return { decided, outcome };
      });
      out(`Approved ${id}${Object.keys(corrections).length ? ` with corrections to ${Object.keys(corrections).join(', ')}` : ''}; the run is ${r.outcome?.status ?? 'resuming'}.`);
    });
  review
    .command('reject')
    .argument('<id>')
    .requiredOption('--reason <text>', 'why (shown to the lab worker)')
    .option('--reviewer <name>', 'who rejects', process.env.USER ?? 'reviewer')
    .action(async (id: string, opts: Record<string, any>, cmd: Command) => {
      const r = await withClient(cmd, async (c) => {
        const decided = await c.rejectReview(id, opts.reason, opts.reviewer);
        return c.waitForOutcome(decided.executionArn, 60_000, { terminal: true }).catch(() => undefined);
      });
      out(`Rejected ${id}; the run is ${r?.status ?? 'finishing'}.`);
    });

  const runs = program.command('runs').description('executions of the state machine: status and history');
  runs
    .command('list')
    .option('--status <status>', 'filter: SAVED, IN_REVIEW, REJECTED, REVIEW_EXPIRED, FAILED, DUPLICATE, RUNNING')
    .action(async (opts, cmd: Command) => {
      const list = await withClient(cmd, (c) => c.listRuns(opts.status?.toUpperCase()));
      if (!list.length) {
        out('No runs yet. Try `intake run <photo>` or drop photos into the inbox folder.');
        return;
      }
      out(
        table(
          list.map((r) => [r.name, r.status, r.fileName ?? '', r.productName ?? '', r.overallConfidence?.toFixed(2) ?? '', r.startDate, r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)}s` : '']),
          ['execution', 'status', 'photo', 'product', 'conf', 'started', 'took'],
        ),
      );
    });
  runs
    .command('show')
    .argument('<execution>', 'execution name or ARN')
    .action(async (execution: string, _o: unknown, cmd: Command) => {
      const d = await withClient(cmd, async (c) => {
        const arn = execution.startsWith('arn:') ? execution : (await c.listRuns()).find((r) => r.name === execution)?.executionArn;
        if (!arn) throw new Error(`No run named ${execution}.`);
        return c.runDetail(arn);
      });
      out(`${d.execution.executionArn}\nstatus ${d.outcome.status} (execution ${d.execution.status})${d.outcome.reason ? `\nreason ${d.outcome.reason}` : ''}\n`);
      out(table(d.states.map((s) => [s.name, s.status, s.durationMs !== undefined ? `${s.durationMs} ms` : '', String(s.retries || ''), s.error ?? '']), ['state', 'status', 'took', 'retries', 'error']));
      out(`\n${d.events.length} history events: ${[...new Set(d.events.map((e) => e.type))].join(', ')}`);
    });

  program
    .command('eval')
    .description('accuracy on labelled photos: NAME.jpg + NAME.json ground truth (optional index.csv); bad/ files must be REJECTED')
    .argument('<dir>')
    .option('--report <dir>', 'where to write the report (Markdown, JSON, HTML)', 'eval-report')
    .option('--threshold <n>', 'confidence threshold for auto-accept (default: config)')
    .action(async (dir: string, opts, cmd: Command) => {
      const o = stackOptions(cmd);
      const code = await evalCommand({ dir: resolve(dir), reportDir: resolve(opts.report), env: { ...o.env, ...(opts.threshold ? { INTAKE_CONFIDENCE_THRESHOLD: String(opts.threshold) } : {}) }, log: err });
      process.exitCode = code;
    });

  program
    .command('doctor')
    .description('check AWS credentials, region, Bedrock model access, Textract and the deployed stack')
    .option('--stack <name>', 'CloudFormation stack name (default ReagentIntake)')
    .option('--region <region>', 'region for Bedrock and Textract (default BEDROCK_REGION, AWS_REGION, then us-east-1)')
    .option('--model <id>', 'model or inference-profile id (default BEDROCK_MODEL_ID)')
    .option('--skip-textract', 'do not call Textract (one page costs about $0.0015)')
    .action(async (opts) => {
      const result = await runDoctor({ stackName: opts.stack, region: opts.region, modelId: opts.model, skipTextract: opts.skipTextract });
      for (const c of result.checks) {
        out(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
        if (!c.ok && c.fix) out(`      → ${c.fix}`);
      }
      process.exitCode = result.ok ? 0 : 1;
    });
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    const error = e as Error;
    err(`intake: ${error.message}`);
    process.exitCode = error.name === 'ReviewConflictError' || error.name === 'ReviewNotFoundError' ? 3 : 1;
  }
}
