/** Runs a definition through aws-local-stepfunctions (the npm peer) and through our engine, in one shape. */
import type { Clock } from '../src';
import { StepFunctionsEngine } from '../src';

// The peer targets Node 22; Node 20 lacks Promise.withResolvers.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function () {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const peer = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  entered: string[];
}

type Handlers = Record<string, (input: any) => unknown>;

function walkStates(def: any, visit: (name: string, state: any) => void): void {
  for (const [name, s] of Object.entries<any>(def.States)) {
    visit(name, s);
    for (const b of s.Branches ?? []) walkStates(b, visit);
    const p = s.ItemProcessor ?? s.Iterator;
    if (p) walkStates(p, visit);
  }
}

const functionName = (arn: string) => arn.split(':function:')[1];

export async function runPeer(definition: any, input: unknown, handlers: Handlers): Promise<RunResult> {
  const taskResourceLocalHandlers: Record<string, (i: any) => any> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  walkStates(definition, (name, s) => {
    if (s.Type === 'Task') taskResourceLocalHandlers[name] = async (i) => handlers[functionName(s.Resource)](i);
    if (s.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (s.Retry) retryIntervalOverrides[name] = 0;
  });
  const sm = new peer.StateMachine(structuredClone(definition), { validationOptions: { checkArn: false } as never });
  const ex = sm.run(input as never, { overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides } });
  const entered: string[] = [];
  const collecting = (async () => {
    for await (const e of ex.eventLogs as AsyncGenerator<any>) if (e.type === 'StateEntered') entered.push(e.state.name);
  })();
  try {
    const output = await ex.result;
    await collecting;
    return { status: 'SUCCEEDED', output, entered };
  } catch (e: any) {
    await collecting.catch(() => undefined);
    const inner = e.cause ?? e;
    return { status: 'FAILED', error: inner.name, cause: inner.message, entered };
  }
}

/** Fires every timer at once while keeping "now" monotonic, so retries and Waits cost nothing. */
export class InstantClock implements Clock {
  private t = Date.parse('2025-01-01T00:00:00Z');
  now(): number {
    return this.t;
  }
  setTimer(at: number, fn: () => void): () => void {
    const h = setImmediate(() => {
      this.t = Math.max(this.t, at);
      fn();
    });
    return () => clearImmediate(h);
  }
}

export async function runOurs(definition: any, input: unknown, handlers: Handlers): Promise<RunResult> {
  const engine = new StepFunctionsEngine({ clock: new InstantClock() });
  try {
    const { stateMachineArn } = await engine.registerStateMachine({ name: 'diff', definition, handlers });
    const { executionArn } = await engine.startExecution({ stateMachineArn, input: JSON.stringify(input) });
    const d = await engine.waitForExecution(executionArn, { timeoutMs: 5000 });
    const { events } = await engine.getExecutionHistory({ executionArn, maxResults: 1000 });
    const entered = events.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
    return d.status === 'SUCCEEDED'
      ? { status: 'SUCCEEDED', output: JSON.parse(d.output!), entered }
      : { status: 'FAILED', error: d.error, cause: d.cause, entered };
  } finally {
    await engine.close();
  }
}

/**
 * The peer reports a thrown error's message as Cause; AWS (and we) report the Lambda error JSON
 * `{"errorMessage","errorType","trace"}`. Compare on the message.
 */
export function normaliseCauses(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normaliseCauses);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'Cause' || k === 'cause' ? causeMessage(x) : normaliseCauses(x);
    return out;
  }
  return v;
}

function causeMessage(x: unknown): unknown {
  if (typeof x !== 'string') return x;
  try {
    const p = JSON.parse(x);
    return p && typeof p === 'object' && 'errorMessage' in p ? p.errorMessage : x;
  } catch {
    return x;
  }
}
