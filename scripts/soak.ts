/**
 * Soak: drive a real `intake start` child process with the devset photos, optionally SIGKILLing and restarting
 * it every S seconds and injecting model throttling, then check that every photo that entered ended in exactly
 * one recorded outcome.
 *
 *   npm run soak -- --photos 300 --concurrency 8 --kill-every 20 [--throttle 0.3] [--duplicates 0.05]
 *
 * Each submitted photo is a devset photo (cycling, bad/ files included) made distinct by bytes appended after
 * the file's end, so content dedupe does not collapse them. With --duplicates F, that fraction of extra uploads
 * re-send an already submitted photo under another name: each must end DUPLICATE (or, when the original was
 * rejected, in its own outcome) and never add a record. The last line is
 *   submitted=… saved=… in_review=… rejected=… lost=… duplicated=…
 * lost: a submitted photo with no terminal or in-review record; duplicated: a photo with more than one
 * record or outcome. Exit code 1 unless both are 0 (and nothing ended FAILED).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(__dirname, '..');
const DEVSET = process.env.INTAKE_DEVSET ?? resolve(ROOT, '..', 'shared', 'labels', 'devset');
const CSRF = { 'x-intake-csrf': '1' };
const SETTLED = new Set(['SAVED', 'IN_REVIEW', 'REJECTED', 'REVIEW_EXPIRED', 'DUPLICATE', 'FAILED']);

const { values: args } = parseArgs({
  options: {
    photos: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '8' },
    'kill-every': { type: 'string' },
    throttle: { type: 'string', default: '0' },
    duplicates: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    'timeout-min': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
  },
});
const PHOTOS = int(args.photos!, 'photos');
const CONCURRENCY = int(args.concurrency!, 'concurrency');
const KILL_EVERY_S = args['kill-every'] ? Number(args['kill-every']) : 0;
const THROTTLE = Number(args.throttle);
const DUPLICATES = Number(args.duplicates);
const DEADLINE = Date.now() + Number(args['timeout-min']) * 60_000;
if (!(THROTTLE >= 0 && THROTTLE <= 1) || !(DUPLICATES >= 0 && DUPLICATES <= 1) || !(KILL_EVERY_S >= 0)) fail('--throttle and --duplicates are fractions (0..1); --kill-every is seconds.');

function int(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got "${v}"`);
  return n;
}
function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();

// ---- the stack child: start, SIGKILL, restart on the same data folder ----

const dataDir = args['data-dir'] ? resolve(args['data-dir']) : mkdtempSync(join(tmpdir(), 'intake-soak-'));
let child: ChildProcess | undefined;
let url: string | undefined;
let upSignal: Promise<void> = Promise.resolve();
let starts = 0;
let kills = 0;

async function startStack(): Promise<void> {
  let markUp!: () => void;
  upSignal = new Promise((r) => (markUp = r));
  url = undefined;
  const t0 = Date.now();
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'intake.js'), 'start', '--data-dir', dataDir, '--port', '0', '--no-samples'], {
    cwd: ROOT,
    env: { ...process.env, INTAKE_FAULT_THROTTLE: String(THROTTLE) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  starts++;
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => {
    out += d;
    const m = /console\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m && !url && child === proc) {
      url = m[1];
      log(`stack up (start #${starts}, pid ${proc.pid}, ${url}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      markUp();
    }
  });
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  proc.on('exit', (code, signal) => {
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0) log(`stack exited unexpectedly (code ${code}): ${err.trim().split('\n').slice(-5).join(' | ')}`);
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([upSignal, new Promise<never>(() => (timer = setTimeout(() => fail(`the stack did not start within 120 s: ${err}`), 120_000)))]);
  clearTimeout(timer);
}

async function killAndRestart(): Promise<void> {
  const proc = child!;
  url = undefined;
  proc.kill('SIGKILL');
  kills++;
  await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(undefined) : proc.once('exit', r)));
  log(`SIGKILL #${kills} (pid ${proc.pid}); restarting on the same data folder`);
  await startStack();
}

/** One API call against whichever stack is up; retried across kills until the overall deadline. */
async function api<T>(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > DEADLINE) throw new Error(`deadline passed during ${method} ${path}`);
    await upSignal;
    const base = url;
    if (!base) {
      await sleep(200);
      continue;
    }
    try {
      const res = await fetch(new URL(path, base), { method, headers: { ...CSRF, ...headers }, body: body ? new Uint8Array(body) : undefined, signal: AbortSignal.timeout(90_000) });
      const text = await res.text();
      if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      const data = text ? JSON.parse(text) : {};
      if (!res.ok) throw Object.assign(new Error(data.message ?? `HTTP ${res.status}`), { status: res.status, permanent: true });
      return data as T;
    } catch (e) {
      if ((e as { permanent?: boolean }).permanent) throw e;
      // Connection refused/reset while the stack is being killed: wait for the next one.
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
}

// ---- the photos ----

function devsetFiles(): string[] {
  if (!existsSync(DEVSET)) fail(`no devset at ${DEVSET} (set INTAKE_DEVSET)`);
  const top = readdirSync(DEVSET).filter((f) => /\.(jpe?g|png)$/i.test(f)).map((f) => join(DEVSET, f));
  const bad = existsSync(join(DEVSET, 'bad')) ? readdirSync(join(DEVSET, 'bad')).filter((f) => !f.endsWith('.json')).map((f) => join(DEVSET, 'bad', f)) : [];
  return [...top.sort(), ...bad.sort()];
}

interface Submission {
  index: number;
  name: string;
  /** Index of the photo this upload duplicates (same bytes, another name), if it is a deliberate duplicate. */
  duplicateOf?: number;
  bytes: Buffer;
  executionArn?: string;
  intakeId?: string;
  status?: string;
  reason?: string;
}

interface OutcomeDto {
  status: string;
  executionStatus: string;
  reason?: string;
  intakeId: string;
}

async function submitAndWait(s: Submission): Promise<void> {
  // The upload is idempotent (content-keyed object, deterministic execution name), so resending after a kill
  // can only find the same run, never start a second one.
  const ack = await api<{ executionArn: string; intakeId: string }>('POST', '/api/uploads', s.bytes, {
    'x-file-name': encodeURIComponent(s.name),
    'content-type': 'application/octet-stream',
  });
  s.executionArn = ack.executionArn;
  s.intakeId = ack.intakeId;
  for (;;) {
    const o = await api<OutcomeDto>('GET', `/api/runs/${encodeURIComponent(ack.executionArn)}/outcome?wait=10`);
    if (SETTLED.has(o.status) && (o.executionStatus !== 'RUNNING' || o.status === 'IN_REVIEW')) {
      s.status = o.status;
      s.reason = o.reason;
      return;
    }
  }
}

async function main(): Promise<void> {
  const files = devsetFiles();
  const runTag = Date.now().toString(36);
  const submissions: Submission[] = [];
  let dupCount = 0;
  for (let i = 0; i < PHOTOS; i++) {
    const file = files[i % files.length];
    const base = readFileSync(file);
    // Bytes after a JPEG's end marker are ignored by decoders but change the content hash.
    const bytes = Buffer.concat([base, Buffer.from(`\nsoak ${runTag} ${i}\n`)]);
    const name = `${String(i).padStart(4, '0')}-${file.split('/').pop()}`;
    submissions.push({ index: submissions.length, name, bytes });
    if (DUPLICATES > 0 && Math.floor((i + 1) * DUPLICATES) > dupCount) {
      dupCount++;
      submissions.push({ index: submissions.length, name: `dup-${name}`, duplicateOf: submissions.length - 1, bytes });
    }
  }
  log(`${PHOTOS} photos (+${dupCount} deliberate duplicate uploads) from ${files.length} devset files, concurrency ${CONCURRENCY}, kill every ${KILL_EVERY_S || '-'} s, throttle ${THROTTLE}, data ${dataDir}`);
  await startStack();

  let stopKilling = false;
  const killer = (async () => {
    if (!KILL_EVERY_S) return;
    while (!stopKilling) {
      await sleep(KILL_EVERY_S * 1000);
      if (stopKilling) break;
      await killAndRestart();
    }
  })();

  let next = 0;
  let done = 0;
  const counts = new Map<string, number>();
  const progress = setInterval(() => log(`${done}/${submissions.length} settled  ${[...counts].map(([k, v]) => `${k} ${v}`).join(' · ')}  kills ${kills}`), 10_000);
  const worker = async () => {
    while (next < submissions.length) {
      const s = submissions[next++];
      // A deliberate duplicate goes after its original has an outcome, so which one owns the record is fixed.
      if (s.duplicateOf !== undefined) while (!submissions[s.duplicateOf].status && Date.now() < DEADLINE) await sleep(200);
      try {
        await submitAndWait(s);
      } catch (e) {
        s.status = 'ERROR';
        s.reason = (e as Error).message;
      }
      done++;
      counts.set(s.status!, (counts.get(s.status!) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, submissions.length) }, worker));
  stopKilling = true;
  await killer;
  clearInterval(progress);
  log(`all ${submissions.length} uploads settled; checking the records`);

  // ---- the audit, from the stack's own stores ----
  const { runs } = await api<{ runs: { executionArn: string; intakeId?: string; status: string; reason?: string }[] }>('GET', '/api/runs');
  const { records } = await api<{ records: { recordId: string; executionArn: string }[] }>('GET', '/api/records');
  const { reviews } = await api<{ reviews: { reviewId: string; executionArn: string; status: string }[] }>('GET', '/api/reviews');
  const runsByArn = new Map<string, typeof runs>();
  for (const r of runs) runsByArn.set(r.executionArn, [...(runsByArn.get(r.executionArn) ?? []), r]);
  const recordsByArn = new Map<string, number>();
  for (const r of records) recordsByArn.set(r.executionArn, (recordsByArn.get(r.executionArn) ?? 0) + 1);
  const pendingByArn = new Map<string, number>();
  for (const r of reviews) if (r.status === 'PENDING') pendingByArn.set(r.executionArn, (pendingByArn.get(r.executionArn) ?? 0) + 1);

  const tally = { saved: 0, inReview: 0, rejected: 0, expired: 0, failed: 0, lost: 0, duplicated: 0, dedupedUploads: 0, dupMismatch: 0 };
  const problems: string[] = [];
  const byContent = new Map<string, Submission[]>();
  for (const s of submissions) {
    const hash = createHash('sha256').update(s.bytes).digest('hex');
    byContent.set(hash, [...(byContent.get(hash) ?? []), s]);
  }

  for (const s of submissions) {
    const mine = s.executionArn ? runsByArn.get(s.executionArn) ?? [] : [];
    const recorded = mine[0]?.status;
    if (!s.executionArn || mine.length === 0 || !recorded || !SETTLED.has(recorded)) {
      if (s.duplicateOf === undefined) tally.lost++;
      problems.push(`lost: ${s.name} (${s.status}: ${s.reason ?? recorded ?? 'no run'})`);
      continue;
    }
    if (mine.length > 1) {
      tally.duplicated++;
      problems.push(`duplicated: ${s.name} has ${mine.length} runs`);
    }
    if (s.duplicateOf !== undefined) {
      // A photo that was not kept (rejected) may be sent again and is judged again; otherwise it is a duplicate.
      const original = submissions[s.duplicateOf];
      if (recorded === 'DUPLICATE') tally.dedupedUploads++;
      else if (!(original.status === 'REJECTED' && recorded === 'REJECTED')) {
        tally.dupMismatch++;
        problems.push(`duplicate upload ${s.name} ended ${recorded} (original ${original.status})`);
      }
      continue;
    }
    if (recorded === 'SAVED') tally.saved++;
    else if (recorded === 'IN_REVIEW') tally.inReview++;
    else if (recorded === 'REJECTED') tally.rejected++;
    else if (recorded === 'REVIEW_EXPIRED') tally.expired++;
    else if (recorded === 'FAILED') {
      tally.failed++;
      problems.push(`failed: ${s.name}: ${mine[0].reason}`);
    } else {
      tally.lost++;
      problems.push(`lost: ${s.name} ended ${recorded}, not its own outcome`);
    }
  }
  // One photo (content), one record and at most one waiting review, across all its uploads.
  for (const group of byContent.values()) {
    const arns = group.map((s) => s.executionArn).filter(Boolean) as string[];
    const nRecords = arns.reduce((n, a) => n + (recordsByArn.get(a) ?? 0), 0);
    const nPending = arns.reduce((n, a) => n + (pendingByArn.get(a) ?? 0), 0);
    const owners = arns.filter((a) => ['SAVED', 'IN_REVIEW'].includes(runsByArn.get(a)?.[0]?.status ?? '')).length;
    if (nRecords > 1 || nPending > 1 || owners > 1) {
      tally.duplicated++;
      problems.push(`duplicated: ${group[0].name}: ${nRecords} records, ${nPending} pending reviews, ${owners} saved/in-review runs`);
    }
  }
  const ownRuns = new Set(submissions.map((s) => s.executionArn));
  const strays = runs.filter((r) => !ownRuns.has(r.executionArn));
  if (strays.length && !args['data-dir']) problems.push(`${strays.length} run(s) not started by this soak`);

  for (const p of problems.slice(0, 30)) log(p);
  if (problems.length > 30) log(`… and ${problems.length - 30} more`);
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `kills=${kills} restarts=${starts - 1} duplicate_uploads=${dupCount} deduplicated=${tally.dedupedUploads} review_expired=${tally.expired} failed=${tally.failed} records=${records.length} elapsed=${seconds.toFixed(0)}s photos_per_min=${((PHOTOS / seconds) * 60).toFixed(1)}\n`,
  );
  process.stdout.write(`submitted=${PHOTOS} saved=${tally.saved} in_review=${tally.inReview} rejected=${tally.rejected} lost=${tally.lost} duplicated=${tally.duplicated}\n`);
  process.exitCode = tally.lost === 0 && tally.duplicated === 0 && tally.failed === 0 && tally.dupMismatch === 0 ? 0 : 1;
}

main()
  .catch((e) => {
    log(`soak failed: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    child?.kill('SIGTERM');
    await sleep(1500);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!args.keep && !args['data-dir']) rmSync(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  });
