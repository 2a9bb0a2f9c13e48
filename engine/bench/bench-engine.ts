/**
 * Same 10-state definition (Task/Pass/Choice, no-op handlers) run three ways in one process:
 * aws-local-stepfunctions (keeps nothing), our engine on the in-memory store, our engine on the durable file store.
 * Executions are driven in waves of CONCURRENCY in flight; per-transition cost = wave wall time / transitions.
 * Env: BENCH_EXECUTIONS (per round, 2000), BENCH_ROUNDS (3), BENCH_CONCURRENCY (8).
 * Last line: `ratio=<ours in-memory / peer executions/s> transition_ms=<durable median per transition>`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStore, MemoryStore, StepFunctionsEngine, type EngineStore } from '../src';

const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function () {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const peer = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');

const fn = (n: string) => `arn:aws:lambda:us-east-1:123456789012:function:${n}`;
const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'n.$': '$.n', stage: 'start' }, Next: 'Validate' },
    Validate: { Type: 'Task', Resource: fn('Noop'), ResultPath: '$.validated', Next: 'IsValid' },
    IsValid: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 0, Next: 'Enrich' }], Default: 'Reject' },
    Enrich: { Type: 'Pass', Result: { source: 'bench' }, ResultPath: '$.meta', Next: 'Extract' },
    Extract: { Type: 'Task', Resource: fn('Noop'), ResultPath: '$.extracted', Next: 'Score' },
    Score: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'n.$': '$.n', score: 0.9 }, Next: 'IsConfident' },
    IsConfident: { Type: 'Choice', Choices: [{ Variable: '$.score', NumericGreaterThan: 0.5, Next: 'Save' }], Default: 'Reject' },
    Save: { Type: 'Task', Resource: fn('Noop'), ResultPath: '$.saved', Next: 'Shape' },
    Shape: { Type: 'Pass', OutputPath: '$.id', Next: 'Done' },
    Done: { Type: 'Succeed' },
    Reject: { Type: 'Fail', Error: 'Rejected' },
  },
};
const TRANSITIONS = 10;
const noop = () => ({ ok: true });

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

interface Result {
  label: string;
  perSecond: number;
  medianTransitionMs: number;
}

async function drive(label: string, runOne: (i: number) => Promise<void>): Promise<Result> {
  for (let i = 0; i < 200; i++) await runOne(-1 - i); // warm-up (JIT, compiled expressions)
  const waves: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < EXECUTIONS; i += CONCURRENCY) {
    const w0 = performance.now();
    const n = Math.min(CONCURRENCY, EXECUTIONS - i);
    await Promise.all(Array.from({ length: n }, (_, k) => runOne(i + k)));
    waves.push((performance.now() - w0) / (n * TRANSITIONS));
  }
  const total = performance.now() - t0;
  waves.sort((a, b) => a - b);
  return { label, perSecond: (EXECUTIONS / total) * 1000, medianTransitionMs: waves[Math.floor(waves.length / 2)] };
}

async function benchPeer(): Promise<Result> {
  const sm = new peer.StateMachine(structuredClone(definition) as never, { validationOptions: { checkArn: false } as never });
  const overrides = { taskResourceLocalHandlers: { Validate: noop, Extract: noop, Save: noop } as never };
  return drive('aws-local-stepfunctions', async (i) => {
    await sm.run({ id: `x${i}`, n: 1 } as never, { overrides }).result;
  });
}

async function benchOurs(label: string, store: EngineStore): Promise<Result> {
  const engine = new StepFunctionsEngine({ store, maxConcurrentExecutions: 10_000 });
  const { stateMachineArn } = await engine.registerStateMachine({ name: 'bench', definition, handlers: { Noop: noop } });
  try {
    return await drive(label, async (i) => {
      const { executionArn } = await engine.startExecution({ stateMachineArn, name: `e${i}`, input: JSON.stringify({ id: `x${i}`, n: 1 }) });
      const d = await engine.waitForExecution(executionArn);
      if (d.status !== 'SUCCEEDED') throw new Error(`${label}: execution ${executionArn} ${d.status} ${d.error} ${d.cause}`);
    });
  } finally {
    await engine.close();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-engine-'));
  // Rounds interleave the three variants so a noisy neighbour on a shared machine hits them alike; medians are reported.
  const rounds: Result[][] = [[], [], []];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      rounds[0].push(await benchPeer());
      rounds[1].push(await benchOurs('ours, in-memory store', new MemoryStore()));
      fs.rmSync(path.join(dir, 'log.jsonl'), { force: true });
      rounds[2].push(await benchOurs('ours, durable file store', new FileStore(dir)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const results = rounds.map((rs) => ({
      label: rs[0].label,
      perSecond: median(rs.map((x) => x.perSecond)),
      medianTransitionMs: median(rs.map((x) => x.medianTransitionMs)),
    }));
    console.log(`${ROUNDS} rounds x ${EXECUTIONS} executions of a ${TRANSITIONS}-state definition, ${CONCURRENCY} in flight (medians)`);
    for (const r of results) {
      console.log(`${r.label.padEnd(28)} ${r.perSecond.toFixed(0).padStart(7)} executions/s   median ${(r.medianTransitionMs * 1000).toFixed(1).padStart(7)} µs/transition`);
    }
    const [p, mem, durable] = results;
    console.log(`median engine overhead per state transition: in-memory ${mem.medianTransitionMs.toFixed(4)} ms, durable ${durable.medianTransitionMs.toFixed(4)} ms, peer ${p.medianTransitionMs.toFixed(4)} ms`);
    console.log(`ratio=${(mem.perSecond / p.perSecond).toFixed(2)} transition_ms=${durable.medianTransitionMs.toFixed(3)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
