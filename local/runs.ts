import { normalizedKeyOf } from '../functions/shared/images';
import type { IntakeItem } from '../functions/shared/tables';
import type { LocalStack } from './stack';

export interface RunSummary {
  executionArn: string;
  name: string;
  /** The photo's recorded status (SAVED, IN_REVIEW, …), or the execution's while nothing is recorded yet. */
  status: string;
  executionStatus: string;
  intakeId?: string;
  fileName?: string;
  productName?: string;
  overallConfidence?: number;
  reason?: string;
  reviewId?: string;
  thumbnailKey?: string;
  startDate: string;
  stopDate?: string;
  durationMs?: number;
}

export interface StateVisit {
  name: string;
  type: string;
  enteredAt: string;
  exitedAt?: string;
  durationMs?: number;
  input?: unknown;
  output?: unknown;
  status: 'running' | 'succeeded' | 'failed';
  error?: string;
  cause?: string;
  retries: number;
}

type HistoryEvent = { id: number; type: string; timestamp: Date | number | string; [k: string]: unknown };

const iso = (d: Date | number | string | undefined) => (d === undefined ? undefined : new Date(d).toISOString());
const parse = (s: unknown) => {
  if (typeof s !== 'string') return s;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

export async function runSummary(stack: LocalStack): Promise<RunSummary[]> {
  const [executions, intakes] = await Promise.all([listAllExecutions(stack), stack.listIntakes()]);
  const byExecution = new Map<string, IntakeItem>();
  for (const i of intakes) byExecution.set(i.executionArn, i);
  return executions.map((e) => {
    const intake = byExecution.get(e.executionArn);
    const start = new Date(e.startDate).getTime();
    const stop = e.stopDate ? new Date(e.stopDate).getTime() : undefined;
    return {
      executionArn: e.executionArn,
      name: e.name,
      status: intake && intake.status !== 'PROCESSING' ? intake.status : e.status,
      executionStatus: e.status,
      intakeId: intake?.intakeId,
      fileName: intake?.fileName,
      productName: intake?.productName,
      overallConfidence: intake?.overallConfidence,
      reason: intake?.reason,
      reviewId: intake?.reviewId,
      thumbnailKey: intake?.contentHash ? normalizedKeyOf(intake.contentHash) : undefined,
      startDate: iso(e.startDate)!,
      stopDate: iso(e.stopDate),
      durationMs: stop !== undefined ? stop - start : undefined,
    };
  });
}

async function listAllExecutions(stack: LocalStack) {
  const out: { executionArn: string; name: string; status: string; startDate: Date | number; stopDate?: Date | number }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stack.engine.listExecutions({ stateMachineArn: stack.stateMachineArn, maxResults: 1000, nextToken });
    out.push(...page.executions);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** The states a run went through, in order, with input/output, duration and retries — from its history. */
export function stateVisits(events: HistoryEvent[]): StateVisit[] {
  const visits: StateVisit[] = [];
  let current: StateVisit | undefined;
  for (const ev of events) {
    const entered = ev.stateEnteredEventDetails as { name: string; input?: string } | undefined;
    const exited = ev.stateExitedEventDetails as { name: string; output?: string } | undefined;
    if (entered && ev.type.endsWith('StateEntered')) {
      current = {
        name: entered.name,
        type: ev.type.replace(/StateEntered$/, ''),
        enteredAt: iso(ev.timestamp)!,
        input: parse(entered.input),
        status: 'running',
        retries: 0,
      };
      visits.push(current);
    } else if (exited && current && exited.name === current.name) {
      current.exitedAt = iso(ev.timestamp);
      current.durationMs = new Date(current.exitedAt!).getTime() - new Date(current.enteredAt).getTime();
      current.output = parse(exited.output);
      current.status = current.error && !current.output ? 'failed' : 'succeeded';
    } else if (current && /(TaskFailed|LambdaFunctionFailed|TaskTimedOut|LambdaFunctionTimedOut|ExecutionFailed)$/.test(ev.type)) {
      const d = Object.entries(ev).find(([k]) => k.endsWith('EventDetails'))?.[1] as { error?: string; cause?: string } | undefined;
      current.error = d?.error;
      current.cause = d?.cause;
      if (ev.type === 'ExecutionFailed' || !current.exitedAt) current.status = 'failed';
    } else if (current && /(TaskScheduled|LambdaFunctionScheduled)$/.test(ev.type)) {
      const scheduledBefore = (current as StateVisit & { _scheduled?: number })._scheduled ?? 0;
      if (scheduledBefore > 0) current.retries++;
      (current as StateVisit & { _scheduled?: number })._scheduled = scheduledBefore + 1;
    }
  }
  for (const v of visits) {
    delete (v as StateVisit & { _scheduled?: number })._scheduled;
    if (v.status === 'failed' && v.exitedAt) v.status = 'succeeded';
  }
  return visits;
}

const TOKEN_IN_TEXT = /("taskToken"\s*:\s*)"[^"]*"/g;

/**
 * Task tokens never leave the server: the HumanReview task's parameters carry one, so every history event and
 * state payload is scrubbed (keys named taskToken, and the same key inside JSON text) before it is served.
 */
export function redactTaskTokens<T>(value: T): T {
  if (typeof value === 'string') return value.replace(TOKEN_IN_TEXT, '$1"[redacted]"') as T;
  if (Array.isArray(value)) return value.map(redactTaskTokens) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'taskToken' || k === 'TaskToken' ? '[redacted]' : redactTaskTokens(v)]),
    ) as T;
  }
  return value;
}

export async function runDetail(stack: LocalStack, executionArn: string) {
  return redactTaskTokens(await rawRunDetail(stack, executionArn));
}

async function rawRunDetail(stack: LocalStack, executionArn: string) {
  const execution = await stack.engine.describeExecution({ executionArn });
  const history = await stack.engine.getExecutionHistory({ executionArn, maxResults: 10000 });
  const events = history.events as HistoryEvent[];
  const outcome = await stack.outcome(executionArn);
  const visits = stateVisits(events);
  return {
    execution: {
      ...execution,
      input: parse(execution.input),
      output: parse(execution.output),
      startDate: iso(execution.startDate),
      stopDate: iso(execution.stopDate),
    },
    outcome,
    states: visits,
    path: visits.map((v) => v.name),
    currentState: execution.status === 'RUNNING' ? visits.at(-1)?.name : undefined,
    failedState: execution.status === 'FAILED' || execution.status === 'TIMED_OUT' ? visits.at(-1)?.name : undefined,
    events: events.map((e) => ({ ...e, timestamp: iso(e.timestamp) })),
  };
}
