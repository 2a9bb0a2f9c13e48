import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RealClock, type Clock } from './clock';
import {
  loadDefinition,
  localFunctionArn,
  functionNameOf,
  substitute,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type CMachine,
  type CState,
  type NumberField,
} from './definition';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  InvalidExecutionInput,
  InvalidOutput,
  InvalidToken,
  StateMachineDoesNotExist,
  StatesError,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
  runtimeError,
} from './errors';
import type { StatesBinding } from './jsonata-support';
import { evalPath, setPath, type PathScope } from './jsonpath';
import { MemoryStore } from './store';
import type {
  EngineStore,
  ExecutionRecord,
  ExecutionStatus,
  HandlerContext,
  LambdaHandler,
  Position,
  StateMachineRecord,
  StoredEvent,
} from './types';

export interface EngineOptions {
  /** Where executions and history live. @default new MemoryStore() */
  store?: EngineStore;
  /** @default new RealClock() */
  clock?: Clock;
  /** Executions actively running at once; more wait their turn (still RUNNING). Parked ones (token, Wait, backoff) don't count. @default 64 */
  maxConcurrentExecutions?: number;
  /** Random source for retry jitter (tests pin it). @default Math.random */
  random?: () => number;
}

export interface RegisterStateMachineInput {
  name: string;
  /** ASL text or object, with `${...}` placeholders as CDK's definitionSubstitutions sees them. */
  definition: string | object;
  /** Plain text substitutions, e.g. `{ MaxExtractAttempts: '3' }`. */
  definitionSubstitutions?: Record<string, string>;
  /** Local Lambda handlers keyed by substitution name, e.g. `{ ValidateImageFunctionArn: handler }`. */
  handlers?: Record<string, LambdaHandler>;
  roleArn?: string;
}

/** A history event as the SDK returns it. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

export type EventListener = (executionArn: string, event: HistoryEvent) => void;

export interface DescribeExecutionOutput {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
  redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  redriveStatusReason?: string;
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  redriveCount: number;
  redriveDate?: Date;
}

class Aborted extends Error {
  override readonly name = 'Aborted';
}

interface Outcome {
  output?: string;
  error?: string;
  cause?: string;
}

interface TokenWaiter {
  token: string;
  executionArn: string;
  stateName: string;
  resource: string;
  kindInvoke: boolean;
  top: boolean;
  closed: boolean;
  heartbeatSeconds?: number;
  settle?: (o: Outcome) => void;
  rearmHeartbeat?: (at: number) => void;
}

interface Scope {
  cancelled: boolean;
  parent?: Scope;
}

interface Frame {
  run: Run;
  top: boolean;
  scope: Scope;
  mapItem?: { Index: number; Value: unknown };
  /** Where this branch sits (top-level state entry, iteration/branch indices); stable across a re-run. */
  path: string;
  /** How often each state was entered in this branch, to tell loop passes apart. */
  visits: Map<string, number>;
  /** Key of the state currently running in this branch (path + state + visit). */
  here?: string;
  /** JSON text of the value runMachine last returned (the final state's exit output), when known. */
  outText?: string;
}

interface ExecEntry {
  rec: ExecutionRecord;
  events: StoredEvent[];
  run?: Run;
  inputValue?: unknown;
  ctxBase?: { redriveCount: number; Execution: unknown; StateMachine: unknown };
  machine?: CMachine;
  timer?: () => void;
  waiters: Array<() => void>;
}

class Run {
  stopped = false;
  holdsSlot = false;
  readonly cancels = new Set<(e: Error) => void>();
  constructor(
    readonly entry: ExecEntry,
    readonly machine: CMachine,
  ) {}
  abort(): void {
    this.stopped = true;
    for (const c of [...this.cancels]) c(new Aborted('execution stopped'));
    this.cancels.clear();
  }
}

const json = (v: unknown): string => JSON.stringify(v) ?? 'null';
const parseJson = (s: string | undefined): unknown => (s === undefined ? undefined : JSON.parse(s));

const DETAILS_KEYS = new Map<string, string>();
function detailsKey(type: string): string {
  let k = DETAILS_KEYS.get(type);
  if (k === undefined) {
    if (type.endsWith('StateEntered')) k = 'stateEnteredEventDetails';
    else if (type.endsWith('StateExited')) k = 'stateExitedEventDetails';
    else k = type[0].toLowerCase() + type.slice(1) + 'EventDetails';
    DETAILS_KEYS.set(type, k);
  }
  return k;
}

/** `<Type>StateEntered` / `<Type>StateExited`, built once per state type. */
const ENTERED: Record<string, string> = {};
const EXITED: Record<string, string> = {};
for (const t of ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']) {
  ENTERED[t] = `${t}StateEntered`;
  EXITED[t] = `${t}StateExited`;
}
const enteredType = (t: string) => ENTERED[t] ?? `${t}StateEntered`;
const exitedType = (t: string) => EXITED[t] ?? `${t}StateExited`;

const FINISH_EVENT: Record<ExecutionStatus, string> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
  RUNNING: '',
  PENDING_REDRIVE: '',
};

/** ASL error-name matching, with the wildcards AWS defines. */
export function errorMatches(list: string[], error: string): boolean {
  for (const e of list) {
    if (e === error) return true;
    if (error === 'States.Runtime' || error === 'States.DataLimitExceeded') continue;
    if (e === 'States.ALL') return true;
    if (e === 'States.TaskFailed' && error !== 'States.Timeout') return true;
  }
  return false;
}

/** Error and cause as AWS derives them from a Node.js Lambda handler's thrown value. */
export function lambdaError(e: unknown): { error: string; cause: string } {
  if (e instanceof StatesError) return { error: e.error, cause: e.cause };
  if (e instanceof Error) {
    const errorType = e.name || 'Error';
    return {
      error: errorType,
      cause: JSON.stringify({ errorMessage: e.message, errorType, trace: (e.stack ?? '').split('\n') }),
    };
  }
  const errorType = typeof e;
  return { error: errorType, cause: JSON.stringify({ errorMessage: String(e), errorType, trace: [] }) };
}

class Semaphore {
  private active = 0;
  private queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  /** Takes a slot at once when one is free. */
  tryAcquire(): boolean {
    if (this.active < this.limit) {
      this.active++;
      return true;
    }
    return false;
  }
  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((r) => this.queue.push(r));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * A JSONPath scope whose `$$` context object is built only when a path reads it (most states never do).
 * The object it builds is the one `context()` would have built eagerly: same state, entry time, retry count, token.
 */
class LazyScope implements PathScope {
  private ctx: unknown;
  private built = false;
  constructor(
    private readonly engine: StepFunctionsEngine,
    private readonly frame: Frame,
    private readonly st: CState,
    private readonly enteredAt: number,
    private readonly retryCount: number,
    private readonly token: string | undefined,
    readonly vars: Record<string, unknown>,
  ) {}
  get context(): unknown {
    if (!this.built) {
      this.ctx = this.engine.context(this.frame, this.st, this.enteredAt, this.retryCount, this.token);
      this.built = true;
    }
    return this.ctx;
  }
}

const TOKEN_PREFIX = 'AQ';

/**
 * Runs Amazon States Language state machines locally with the Step Functions API shape: task tokens, history,
 * retries/catches, timeouts, redrive, and a durable store so runs survive a crash.
 */
export class StepFunctionsEngine {
  private readonly store: EngineStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly slots: Semaphore;
  private readonly sms = new Map<string, StateMachineRecord>();
  private readonly compiled = new Map<string, CMachine>();
  private readonly execs = new Map<string, ExecEntry>();
  private readonly handlers = new Map<string, LambdaHandler>();
  private readonly tokens = new Map<string, TokenWaiter>();
  private readonly listeners = new Set<EventListener>();
  private closed = false;
  private recovered = false;
  /** load() finished: API calls need not wait on `ready` any more. */
  private loaded = false;
  /** Resolves once the store is loaded; every API call waits for it. */
  readonly ready: Promise<void>;

  constructor(opts: EngineOptions = {}) {
    this.store = opts.store ?? new MemoryStore();
    this.clock = opts.clock ?? new RealClock();
    this.random = opts.random ?? Math.random;
    this.slots = new Semaphore(opts.maxConcurrentExecutions ?? 64);
    this.ready = this.load();
    this.ready.catch(() => undefined);
  }

  private async load(): Promise<void> {
    const contents = await this.store.open();
    for (const sm of contents.stateMachines) this.sms.set(sm.stateMachineArn, sm);
    for (const rec of contents.executions) {
      const entry: ExecEntry = { rec, events: contents.events.get(rec.executionArn) ?? [], waiters: [] };
      this.execs.set(rec.executionArn, entry);
      const pos = rec.pos;
      // Register parked tokens at once, so a callback arriving before recover() is recorded, not refused.
      if (rec.status === 'RUNNING' && pos?.kind === 'token' && pos.token && !pos.tokenOutcome) {
        this.tokens.set(pos.token, {
          token: pos.token,
          executionArn: rec.executionArn,
          stateName: pos.state,
          resource: pos.resource ?? 'invoke.waitForTaskToken',
          kindInvoke: true,
          top: true,
          closed: false,
          heartbeatSeconds: pos.heartbeatSeconds,
        });
      }
      if (rec.status === 'RUNNING') {
        for (const [token, p] of Object.entries(rec.parked ?? {})) {
          if (p.outcome) continue;
          this.tokens.set(token, { token, executionArn: rec.executionArn, stateName: p.state, resource: p.resource, kindInvoke: true, top: false, closed: false, heartbeatSeconds: p.heartbeatSeconds });
        }
      }
    }
    this.loaded = true;
  }

  // ---------------------------------------------------------------- state machines

  /** Registers (or updates) a state machine and binds its `${...}` placeholders to local handlers. */
  async registerStateMachine(input: RegisterStateMachineInput): Promise<{ stateMachineArn: string; creationDate: Date }> {
    await this.ready;
    if (!input.name || !/^[A-Za-z0-9_-]{1,80}$/.test(input.name)) {
      throw new ValidationException(`Invalid state machine name '${input.name}'`);
    }
    const subs: Record<string, string> = { ...(input.definitionSubstitutions ?? {}) };
    for (const [key, handler] of Object.entries(input.handlers ?? {})) {
      const arn = localFunctionArn(key);
      subs[key] = arn;
      this.handlers.set(functionNameOf(arn), handler);
    }
    const text = typeof input.definition === 'string' ? input.definition : JSON.stringify(input.definition);
    const resolved = substitute(text, subs);
    const { machine } = loadDefinition(resolved);
    const version = createHash('sha1').update(resolved).digest('hex').slice(0, 16);
    const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${input.name}`;
    const prev = this.sms.get(arn);
    const rec: StateMachineRecord = {
      stateMachineArn: arn,
      name: input.name,
      roleArn: input.roleArn ?? prev?.roleArn ?? `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`,
      creationDate: prev?.creationDate ?? this.clock.now(),
      definition: resolved,
      versions: { ...(prev?.versions ?? {}), [version]: resolved },
      currentVersion: version,
    };
    this.compiled.set(`${arn}#${version}`, machine);
    if (!prev || prev.currentVersion !== version) {
      this.sms.set(arn, rec);
      this.store.append({ t: 'sm', sm: rec });
      await this.store.sync();
    }
    return { stateMachineArn: arn, creationDate: new Date(this.sms.get(arn)!.creationDate) };
  }

  /** SDK-shaped alias of registerStateMachine (handlers can be bound with registerHandlers). */
  createStateMachine(input: { name: string; definition: string; roleArn?: string; type?: string }) {
    if (input.type && input.type !== 'STANDARD') {
      return Promise.reject(new ValidationException('Only STANDARD state machines are supported locally'));
    }
    return this.registerStateMachine(input);
  }

  /** Binds handlers by substitution name (`XFunctionArn`) or function name. */
  registerHandlers(handlers: Record<string, LambdaHandler>): void {
    for (const [key, handler] of Object.entries(handlers)) this.handlers.set(functionNameOf(localFunctionArn(key)), handler);
  }

  async describeStateMachine(input: { stateMachineArn: string }) {
    await this.ready;
    const sm = this.sms.get(input.stateMachineArn);
    if (!sm) throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${input.stateMachineArn}'`);
    return {
      stateMachineArn: sm.stateMachineArn,
      name: sm.name,
      status: 'ACTIVE' as const,
      definition: sm.definition,
      roleArn: sm.roleArn,
      type: 'STANDARD' as const,
      creationDate: new Date(sm.creationDate),
    };
  }

  /** The definition the given execution runs (it may be an older version than the state machine's current one). */
  async describeStateMachineForExecution(input: { executionArn: string }) {
    const entry = await this.entry(input.executionArn);
    const sm = this.sms.get(entry.rec.stateMachineArn)!;
    return {
      stateMachineArn: sm.stateMachineArn,
      name: sm.name,
      definition: sm.versions[entry.rec.version] ?? sm.definition,
      roleArn: sm.roleArn,
      updateDate: new Date(sm.creationDate),
    };
  }

  async listStateMachines(_input: { maxResults?: number; nextToken?: string } = {}) {
    await this.ready;
    return {
      stateMachines: [...this.sms.values()].map((sm) => ({
        stateMachineArn: sm.stateMachineArn,
        name: sm.name,
        type: 'STANDARD' as const,
        creationDate: new Date(sm.creationDate),
      })),
    };
  }

  private machineFor(rec: ExecutionRecord): CMachine {
    const key = `${rec.stateMachineArn}#${rec.version}`;
    let m = this.compiled.get(key);
    if (!m) {
      const sm = this.sms.get(rec.stateMachineArn);
      const text = sm?.versions[rec.version];
      if (!text) throw new StateMachineDoesNotExist(`Definition version ${rec.version} of ${rec.stateMachineArn} is missing`);
      m = loadDefinition(text).machine;
      this.compiled.set(key, m);
    }
    return m;
  }

  // ---------------------------------------------------------------- executions

  async startExecution(input: { stateMachineArn: string; name?: string; input?: string; traceHeader?: string }) {
    if (!this.loaded) await this.ready;
    this.assertOpen();
    const sm = this.sms.get(input.stateMachineArn);
    if (!sm) throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${input.stateMachineArn}'`);
    const name = input.name ?? randomUUID();
    if (!/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/.test(name)) throw new ValidationException(`Invalid execution name '${name}'`);
    const inputText = input.input ?? '{}';
    let inputValue: unknown;
    try {
      inputValue = JSON.parse(inputText);
    } catch {
      throw new InvalidExecutionInput(`Invalid State Machine Execution Input: '${inputText}'`);
    }
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${sm.name}:${name}`;
    const existing = this.execs.get(executionArn);
    if (existing) {
      if (json(parseJson(existing.rec.input)) === json(inputValue)) {
        return { executionArn, startDate: new Date(existing.rec.startDate) };
      }
      throw new ExecutionAlreadyExists(`Execution Already Exists: '${executionArn}'`);
    }
    const machine = this.machineFor({ stateMachineArn: sm.stateMachineArn, version: sm.currentVersion } as ExecutionRecord);
    const now = this.clock.now();
    const rec: ExecutionRecord = {
      executionArn,
      stateMachineArn: sm.stateMachineArn,
      name,
      version: sm.currentVersion,
      input: inputText,
      status: 'RUNNING',
      startDate: now,
      redriveCount: 0,
      deadline: machine.timeoutSeconds !== undefined ? now + machine.timeoutSeconds * 1000 : undefined,
      pos: { state: machine.startAt, input: inputValue, vars: {}, entered: false },
    };
    const entry: ExecEntry = { rec, events: [], inputValue, waiters: [] };
    this.execs.set(executionArn, entry);
    this.appendEvent(entry, 'ExecutionStarted', {
      input: inputText,
      inputDetails: { truncated: false },
      roleArn: sm.roleArn,
    });
    this.checkpoint(entry);
    await this.store.sync();
    this.launch(entry);
    return { executionArn, startDate: new Date(now) };
  }

  async describeExecution(input: { executionArn: string; includedData?: string }): Promise<DescribeExecutionOutput> {
    const { rec } = await this.entry(input.executionArn);
    const terminalRedrivable = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(rec.status) && !!rec.failedAt;
    return {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: new Date(rec.startDate),
      stopDate: rec.stopDate !== undefined ? new Date(rec.stopDate) : undefined,
      input: rec.input,
      inputDetails: { included: true },
      output: rec.output,
      outputDetails: rec.output !== undefined ? { included: true } : undefined,
      error: rec.error,
      cause: rec.cause,
      redriveCount: rec.redriveCount,
      redriveDate: rec.redriveDate !== undefined ? new Date(rec.redriveDate) : undefined,
      redriveStatus: terminalRedrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: terminalRedrivable ? undefined : rec.status === 'RUNNING' ? 'Execution is RUNNING and cannot be redriven' : 'Execution cannot be redriven',
    };
  }

  async listExecutions(input: { stateMachineArn?: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string } = {}) {
    await this.ready;
    if (input.stateMachineArn && !this.sms.has(input.stateMachineArn)) {
      throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${input.stateMachineArn}'`);
    }
    const all: ExecutionRecord[] = [];
    for (const { rec } of this.execs.values()) {
      if (input.stateMachineArn && rec.stateMachineArn !== input.stateMachineArn) continue;
      if (input.statusFilter && rec.status !== input.statusFilter) continue;
      all.push(rec);
    }
    all.reverse().sort((a, b) => b.startDate - a.startDate);
    const { start, max } = this.page(input.maxResults, input.nextToken);
    const page = all.slice(start, start + max);
    return {
      executions: page.map<ExecutionListItem>((rec) => ({
        executionArn: rec.executionArn,
        stateMachineArn: rec.stateMachineArn,
        name: rec.name,
        status: rec.status,
        startDate: new Date(rec.startDate),
        stopDate: rec.stopDate !== undefined ? new Date(rec.stopDate) : undefined,
        redriveCount: rec.redriveCount,
        redriveDate: rec.redriveDate !== undefined ? new Date(rec.redriveDate) : undefined,
      })),
      nextToken: start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined,
    };
  }

  async getExecutionHistory(input: {
    executionArn: string;
    maxResults?: number;
    nextToken?: string;
    reverseOrder?: boolean;
    includeExecutionData?: boolean;
  }): Promise<{ events: HistoryEvent[]; nextToken?: string }> {
    const entry = await this.entry(input.executionArn);
    const events = input.reverseOrder ? [...entry.events].reverse() : entry.events;
    const { start, max } = this.page(input.maxResults, input.nextToken);
    const page = events.slice(start, start + max).map((e) => toPublic(e, input.includeExecutionData !== false));
    return { events: page, nextToken: start + max < events.length ? Buffer.from(String(start + max)).toString('base64') : undefined };
  }

  private page(maxResults: number | undefined, nextToken: string | undefined): { start: number; max: number } {
    const max = maxResults && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
    let start = 0;
    if (nextToken) {
      start = Number(Buffer.from(nextToken, 'base64').toString('utf8'));
      if (!Number.isInteger(start) || start < 0) throw new ValidationException('Invalid nextToken');
    }
    return { start, max };
  }

  async stopExecution(input: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    const entry = await this.entry(input.executionArn);
    if (entry.rec.status !== 'RUNNING') {
      throw new ValidationException(`Execution ${input.executionArn} is not RUNNING (status ${entry.rec.status})`);
    }
    this.finish(entry, 'ABORTED', { error: input.error, cause: input.cause });
    await this.store.sync();
    return { stopDate: new Date(entry.rec.stopDate!) };
  }

  async redriveExecution(input: { executionArn: string; clientToken?: string }): Promise<{ redriveDate: Date }> {
    const entry = await this.entry(input.executionArn);
    const rec = entry.rec;
    if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(rec.status) || !rec.failedAt) {
      throw new ExecutionNotRedrivable(`Execution ${rec.executionArn} with status ${rec.status} cannot be redriven`);
    }
    const machine = this.machineFor(rec);
    const now = this.clock.now();
    rec.status = 'RUNNING';
    rec.redriveCount += 1;
    rec.redriveDate = now;
    rec.stopDate = undefined;
    rec.error = rec.cause = rec.output = undefined;
    rec.deadline = machine.timeoutSeconds !== undefined ? now + machine.timeoutSeconds * 1000 : undefined;
    rec.pos = { state: rec.failedAt.state, input: rec.failedAt.input, vars: rec.failedAt.vars, entered: false };
    rec.failedAt = undefined;
    rec.parked = undefined;
    this.appendEvent(entry, 'ExecutionRedriven', { redriveCount: rec.redriveCount });
    this.checkpoint(entry);
    await this.store.sync();
    this.launch(entry);
    return { redriveDate: new Date(now) };
  }

  // ---------------------------------------------------------------- task tokens

  private decodeToken(token: string): { e: string } {
    if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 1024) {
      throw new InvalidToken('Invalid Token: the task token is malformed');
    }
    try {
      const v = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
      if (typeof v?.e !== 'string') throw new Error('no execution');
      return v;
    } catch {
      throw new InvalidToken('Invalid Token: the task token is malformed');
    }
  }

  private openToken(token: string): TokenWaiter {
    const { e } = this.decodeToken(token);
    const w = this.tokens.get(token);
    if (w && !w.closed) return w;
    if (this.execs.has(e)) throw new TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'");
    throw new TaskDoesNotExist('Task Does Not Exist: the task token is not known');
  }

  async sendTaskSuccess(input: { taskToken: string; output: string }): Promise<Record<string, never>> {
    await this.ready;
    let value: unknown;
    try {
      value = JSON.parse(input.output);
    } catch {
      throw new InvalidOutput('Invalid Output: the task output is not valid JSON');
    }
    if (overLimit(input.output)) throw new InvalidOutput('Invalid Output: the task output exceeds 256 KiB');
    const w = this.openToken(input.taskToken);
    w.closed = true; // before any await: a second send must never resume twice
    this.tokens.delete(w.token);
    const entry = this.execs.get(w.executionArn)!;
    const output = json(value);
    this.appendEvent(entry, 'TaskSucceeded', { resourceType: 'lambda', resource: w.resource, output, outputDetails: { truncated: false } });
    this.recordOutcome(entry, w, { output });
    await this.store.sync();
    w.settle?.({ output });
    return {};
  }

  async sendTaskFailure(input: { taskToken: string; error?: string; cause?: string }): Promise<Record<string, never>> {
    await this.ready;
    const w = this.openToken(input.taskToken);
    w.closed = true;
    this.tokens.delete(w.token);
    const entry = this.execs.get(w.executionArn)!;
    const outcome = { error: input.error ?? '', cause: input.cause ?? '' };
    this.appendEvent(entry, 'TaskFailed', { resourceType: 'lambda', resource: w.resource, ...outcome });
    this.recordOutcome(entry, w, outcome);
    await this.store.sync();
    w.settle?.(outcome);
    return {};
  }

  async sendTaskHeartbeat(input: { taskToken: string }): Promise<Record<string, never>> {
    await this.ready;
    const w = this.openToken(input.taskToken);
    if (w.heartbeatSeconds !== undefined) {
      const at = this.clock.now() + w.heartbeatSeconds * 1000;
      const entry = this.execs.get(w.executionArn)!;
      const parked = entry.rec.parked?.[w.token];
      if (w.top && entry.rec.pos?.token === w.token) {
        entry.rec.pos.heartbeatAt = at;
        this.checkpoint(entry);
        await this.store.sync();
      } else if (parked) {
        parked.heartbeatAt = at;
        this.checkpoint(entry);
        await this.store.sync();
      }
      w.rearmHeartbeat?.(at);
    }
    return {};
  }

  private recordOutcome(entry: ExecEntry, w: TokenWaiter, outcome: Outcome): void {
    const pos = entry.rec.pos;
    if (w.top && pos?.token === w.token) {
      pos.tokenOutcome = outcome;
      this.checkpoint(entry);
    }
    const parked = entry.rec.parked?.[w.token];
    if (!w.top && parked) {
      parked.outcome = outcome;
      this.checkpoint(entry);
    }
  }

  /** An answer already recorded durably for this token (top-level position or nested parked entry). */
  private persistedOutcome(entry: ExecEntry, token: string): Outcome | undefined {
    const pos = entry.rec.pos;
    if (pos?.token === token && pos.tokenOutcome) return pos.tokenOutcome;
    return entry.rec.parked?.[token]?.outcome;
  }

  // ---------------------------------------------------------------- lifecycle helpers

  /** Calls `listener` after each history event is durably written. Returns an unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with describeExecution once the execution is terminal; rejects after `timeoutMs` of real time. */
  async waitForExecution(executionArn: string, opts: { timeoutMs?: number } = {}): Promise<DescribeExecutionOutput> {
    const entry = await this.entry(executionArn);
    if (entry.rec.status !== 'RUNNING') return this.describeExecution({ executionArn });
    await new Promise<void>((resolve, reject) => {
      const timer =
        opts.timeoutMs !== undefined
          ? setTimeout(() => {
              entry.waiters = entry.waiters.filter((w) => w !== done);
              reject(new Error(`Execution ${executionArn} still ${entry.rec.status} after ${opts.timeoutMs} ms`));
            }, opts.timeoutMs)
          : undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      entry.waiters.push(done);
    });
    return this.describeExecution({ executionArn });
  }

  /**
   * Resumes every RUNNING execution found in the store (after a crash or restart). Call it after registering the
   * state machines' handlers. Idempotent.
   */
  async recover(): Promise<{ resumed: number }> {
    await this.ready;
    if (this.recovered) return { resumed: 0 };
    this.recovered = true;
    let resumed = 0;
    for (const entry of this.execs.values()) {
      if (entry.rec.status === 'RUNNING' && !entry.run) {
        this.launch(entry);
        resumed++;
      }
    }
    return { resumed };
  }

  /** Stops timers and running work (left RUNNING in the store, resumable by recover()) and flushes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.ready.catch(() => undefined);
    this.closed = true;
    for (const entry of this.execs.values()) {
      entry.timer?.();
      entry.run?.abort();
    }
    await this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ValidationException('Engine is closed');
  }

  private async entry(executionArn: string): Promise<ExecEntry> {
    if (!this.loaded) await this.ready;
    const entry = this.execs.get(executionArn);
    if (!entry) throw new ExecutionDoesNotExist(`Execution Does Not Exist: '${executionArn}'`);
    return entry;
  }

  /** Appends a history event; returns its timestamp. */
  private appendEvent(entry: ExecEntry, type: string, details?: Record<string, unknown>): number {
    const id = entry.events.length + 1;
    const ev: StoredEvent = { id, previousEventId: id - 1, timestamp: this.clock.now(), type };
    if (details) ev[detailsKey(type)] = details;
    entry.events.push(ev);
    this.store.append({ t: 'ev', arn: entry.rec.executionArn, ev });
    if (this.listeners.size) {
      this.store.whenDurable(() => {
        const pub = toPublic(ev, true);
        for (const l of this.listeners) {
          try {
            l(entry.rec.executionArn, pub);
          } catch {
            // a listener's failure must not break the execution
          }
        }
      });
    }
    return ev.timestamp;
  }

  private checkpoint(entry: ExecEntry): void {
    this.store.append({ t: 'ex', ex: entry.rec });
  }

  private launch(entry: ExecEntry): void {
    if (this.closed) return;
    const machine = (entry.machine ??= this.machineFor(entry.rec));
    const run = new Run(entry, machine);
    entry.run = run;
    const rec = entry.rec;
    if (rec.deadline !== undefined) {
      entry.timer?.();
      const fire = () => {
        if (entry.run === run && rec.status === 'RUNNING') {
          this.finish(entry, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
        }
      };
      if (rec.deadline <= this.clock.now()) {
        queueMicrotask(fire);
        return;
      }
      entry.timer = this.clock.setTimer(rec.deadline, fire);
    }
    this.drive(run).catch((e) => {
      // only reachable if the store itself fails (e.g. disk full); the execution stays RUNNING for recover()
      process.emitWarning(`engine: execution ${entry.rec.executionArn} stopped on an internal error: ${(e as Error)?.stack ?? e}`);
    });
  }

  private async drive(run: Run): Promise<void> {
    const entry = run.entry;
    try {
      if (this.slots.tryAcquire()) run.holdsSlot = true;
      else await this.acquire(run);
      const pos = entry.rec.pos!;
      const frame: Frame = { run, top: true, scope: { cancelled: false }, path: `r${entry.rec.redriveCount}`, visits: new Map() };
      const output = await this.runMachine(frame, run.machine, pos.state, pos.input, pos.vars, pos);
      if (!run.stopped) this.finish(entry, 'SUCCEEDED', { output: frame.outText ?? json(output) });
    } catch (e) {
      if (e instanceof Aborted || run.stopped) return;
      const se = e instanceof StatesError ? e : runtimeError(String((e as Error)?.message ?? e));
      this.finish(entry, 'FAILED', { error: se.error, cause: se.cause });
    } finally {
      this.releaseSlot(run);
    }
  }

  private async acquire(run: Run): Promise<void> {
    await this.slots.acquire();
    run.holdsSlot = true;
    if (run.stopped) {
      this.releaseSlot(run);
      throw new Aborted('execution stopped');
    }
  }

  private releaseSlot(run: Run): void {
    if (run.holdsSlot) {
      run.holdsSlot = false;
      this.slots.release();
    }
  }

  private finish(entry: ExecEntry, status: ExecutionStatus, r: { output?: string; error?: string; cause?: string }): void {
    const rec = entry.rec;
    if (rec.status !== 'RUNNING') return;
    const run = entry.run;
    run?.abort();
    entry.timer?.();
    entry.timer = undefined;
    rec.status = status;
    rec.stopDate = this.clock.now();
    rec.output = r.output;
    // a Fail state without Error/Cause leaves them out, as AWS does
    rec.error = r.error || undefined;
    rec.cause = r.cause || undefined;
    if (status !== 'SUCCEEDED' && !rec.failedAt && rec.pos) {
      rec.failedAt = { state: rec.pos.state, input: rec.pos.input, vars: rec.pos.vars };
    }
    rec.pos = undefined;
    rec.parked = undefined;
    for (const w of this.tokens.values()) if (w.executionArn === rec.executionArn) w.closed = true;
    for (const [t, w] of this.tokens) if (w.closed) this.tokens.delete(t);
    const type = FINISH_EVENT[status];
    this.appendEvent(
      entry,
      type,
      status === 'SUCCEEDED' ? { output: r.output, outputDetails: { truncated: false } } : { error: r.error, cause: r.cause },
    );
    this.checkpoint(entry);
    this.store.whenDurable(() => {
      const ws = entry.waiters;
      entry.waiters = [];
      for (const w of ws) w();
    });
  }

  // ---------------------------------------------------------------- interpreter

  private emit(frame: Frame, type: string, details?: Record<string, unknown>): number {
    if (frame.run.stopped) throw new Aborted('execution stopped');
    return this.appendEvent(frame.run.entry, type, details);
  }

  private sleep(run: Run, at: number): Promise<void> {
    if (run.stopped) return Promise.reject(new Aborted('execution stopped'));
    if (at <= this.clock.now()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cancel = (e: Error) => {
        stop();
        reject(e);
      };
      const stop = this.clock.setTimer(at, () => {
        run.cancels.delete(cancel);
        resolve();
      });
      run.cancels.add(cancel);
    });
  }

  /** Parks a top-level execution: gives its concurrency slot back while it waits. */
  private async parked<T>(frame: Frame, wait: Promise<T>): Promise<T> {
    if (!frame.top) return wait;
    this.releaseSlot(frame.run);
    try {
      return await wait;
    } finally {
      if (!frame.run.stopped) await this.acquire(frame.run);
    }
  }

  /** @internal The `$$` context object of a state (LazyScope builds it on first use). */
  context(frame: Frame, st: CState, enteredAt: number, retryCount: number, token?: string): unknown {
    const entry = frame.run.entry;
    const rec = entry.rec;
    // The execution and state-machine parts are fixed for a run: build them once (the hot path calls this per state).
    let base = entry.ctxBase;
    if (!base || base.redriveCount !== rec.redriveCount) {
      if (entry.inputValue === undefined) entry.inputValue = JSON.parse(rec.input);
      const sm = this.sms.get(rec.stateMachineArn);
      base = {
        redriveCount: rec.redriveCount,
        Execution: {
          Id: rec.executionArn,
          Input: entry.inputValue,
          Name: rec.name,
          RoleArn: sm?.roleArn,
          StartTime: new Date(rec.startDate).toISOString(),
          RedriveCount: rec.redriveCount,
          ...(rec.redriveDate !== undefined ? { RedriveTime: new Date(rec.redriveDate).toISOString() } : {}),
        },
        StateMachine: { Id: rec.stateMachineArn, Name: sm?.name },
      };
      entry.ctxBase = base;
    }
    if (enteredAt !== this.isoAt) {
      this.isoAt = enteredAt;
      this.iso = new Date(enteredAt).toISOString();
    }
    const ctx: Record<string, unknown> = {
      Execution: base.Execution,
      State: { EnteredTime: this.iso, Name: st.name, RetryCount: retryCount },
      StateMachine: base.StateMachine,
    };
    if (token !== undefined) ctx.Task = { Token: token };
    if (frame.mapItem) ctx.Map = { Item: frame.mapItem };
    return ctx;
  }
  private isoAt = NaN;
  private iso = '';

  private async runMachine(
    frame: Frame,
    machine: CMachine,
    startAt: string,
    input: unknown,
    vars: Record<string, unknown>,
    resume?: Position,
  ): Promise<unknown> {
    let name = startAt;
    let value = input;
    // The JSON text of `value` when the previous state already produced it (its exit event), reused for the entry event.
    let text: string | undefined;
    frame.outText = undefined;
    for (;;) {
      if (frame.run.stopped) throw new Aborted('execution stopped');
      for (let s: Scope | undefined = frame.scope; s; s = s.parent) if (s.cancelled) throw new Aborted('branch cancelled');
      const st = machine.states.get(name);
      if (!st) throw runtimeError(`State '${name}' does not exist`);
      if (frame.top) frame.here = undefined; // only nested branches key tokens by state visit
      else {
        const visit = (frame.visits.get(name) ?? 0) + 1;
        frame.visits.set(name, visit);
        frame.here = `${frame.path}/${name}#${visit}`;
      }
      const r = await this.runState(frame, st, value, text, vars, resume);
      resume = undefined;
      if (r.next === undefined) {
        frame.outText = r.text;
        return r.output;
      }
      name = r.next;
      value = r.output;
      text = r.text;
    }
  }

  private async num(f: NumberField | undefined, input: unknown, states: StatesBinding, vars: Record<string, unknown>, scope: PathScope): Promise<unknown> {
    if (!f) return undefined;
    if (f.k === 'lit') return f.v;
    if (f.k === 'jsonata') return f.f(states, vars);
    return f.f(input, scope);
  }

  private async runState(
    frame: Frame,
    st: CState,
    input: unknown,
    inputText: string | undefined,
    vars: Record<string, unknown>,
    resume?: Position,
  ): Promise<{ output: unknown; next?: string; text?: string }> {
    const entry = frame.run.entry;
    let enteredAt: number;
    if (!resume?.entered) {
      // the state's EnteredTime is its StateEntered event's timestamp
      enteredAt = this.emit(frame, enteredType(st.type), { name: st.name, input: inputText ?? json(input), inputDetails: { truncated: false } });
      if (frame.top) {
        entry.rec.pos = { state: st.name, input, vars: { ...vars }, entered: true, enteredAt };
        this.checkpoint(entry);
      }
    } else enteredAt = resume.enteredAt ?? this.clock.now();
    if (frame.top && (st.type === 'Parallel' || st.type === 'Map')) frame.here = `${frame.path}/${st.name}@${enteredAt}`;
    try {
      // JSONPath Pass/Choice/Succeed need nothing awaited: evaluate them in place
      const { output, next, assigned } = st.syncBody ? this.executeSync(frame, st, input, vars, enteredAt) : await this.execute(frame, st, input, vars, enteredAt, resume);
      const details = st.type === 'Fail' ? undefined : exitDetails(st, output, assigned); // size limits throw here
      if (assigned) Object.assign(vars, assigned);
      if (details) this.emit(frame, exitedType(st.type), details);
      return { output, next: st.end ? undefined : next ?? st.next, text: details?.output as string | undefined };
    } catch (e) {
      if (e instanceof Aborted) throw e;
      const se = e instanceof StatesError ? e : runtimeError(String((e as Error)?.message ?? e));
      const c = st.catch.find((c) => errorMatches(c.errorEquals, se.error));
      if (c) {
        const errorOutput = { Error: se.error, Cause: se.cause };
        let output: unknown;
        let assigned: Record<string, unknown> | undefined;
        if (st.ql === 'JSONata') {
          const states: StatesBinding = { input, context: this.context(frame, st, enteredAt, 0), errorOutput };
          assigned = c.assign ? ((await c.assign(states, vars)) as Record<string, unknown>) : undefined;
          output = c.output ? await c.output(states, vars) : errorOutput;
        } else {
          const scope = { context: this.context(frame, st, enteredAt, 0), vars };
          assigned = c.assignPath ? (c.assignPath(errorOutput, scope) as Record<string, unknown>) : undefined;
          output = setPath(input, c.resultPath === undefined ? '$' : c.resultPath, errorOutput);
        }
        if (assigned) Object.assign(vars, assigned);
        const text = this.exitState(frame, st, output, assigned);
        return { output, next: c.next, text };
      }
      if (frame.top && !frame.run.stopped) entry.rec.failedAt = { state: st.name, input, vars: { ...vars } };
      throw se;
    }
  }

  private exitState(frame: Frame, st: CState, output: unknown, assigned?: Record<string, unknown>): string | undefined {
    if (st.type === 'Fail') return undefined;
    const details = exitDetails(st, output, assigned);
    this.emit(frame, exitedType(st.type), details);
    return details.output as string;
  }

  /** execute() for a JSONPath Pass, Choice or Succeed state (the same steps, nothing to await). */
  private executeSync(frame: Frame, st: CState, input: unknown, vars: Record<string, unknown>, enteredAt: number): { output: unknown; next?: string; assigned?: Record<string, unknown> } {
    const effective = st.inputPath === null ? {} : st.inputPath === undefined || st.inputPath === '$' ? input : evalPath(st.inputPath, input, { context: undefined, vars });
    const scope = new LazyScope(this, frame, st, enteredAt, 0, undefined, vars);
    if (st.type === 'Pass') {
      const result = 'Result' in st.raw ? st.raw.Result : st.parameters ? st.parameters(effective, scope) : effective;
      return this.finishJsonPath(st, input, result, scope, false);
    }
    if (st.type === 'Choice') return this.runChoicePath(st, effective, scope);
    const assigned = st.assignPath?.(effective, scope) as Record<string, unknown> | undefined;
    return { output: st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', effective, scope), assigned };
  }

  /** Evaluates a state's body and its output processing. */
  private async execute(
    frame: Frame,
    st: CState,
    input: unknown,
    vars: Record<string, unknown>,
    enteredAt: number,
    resume?: Position,
  ): Promise<{ output: unknown; next?: string; assigned?: Record<string, unknown> }> {
    const jsonata = st.ql === 'JSONata';
    // JSONPath: InputPath first; JSONata works on the raw input.
    const effective = jsonata
      ? input
      : st.inputPath === null
        ? {}
        : st.type === 'Fail' || st.inputPath === undefined || st.inputPath === '$'
          ? input
          : evalPath(st.inputPath, input, { context: undefined, vars });

    switch (st.type) {
      case 'Pass': {
        if (jsonata) return this.finishJsonata(st, input, undefined, this.context(frame, st, enteredAt, 0), vars);
        const scope = new LazyScope(this, frame, st, enteredAt, 0, undefined, vars);
        const result = 'Result' in st.raw ? st.raw.Result : st.parameters ? st.parameters(effective, scope) : effective;
        return this.finishJsonPath(st, input, result, scope, false);
      }
      case 'Succeed':
      case 'Wait': {
        if (st.type === 'Wait') await this.runWait(frame, st, effective, vars, this.context(frame, st, enteredAt, 0), resume);
        if (jsonata) return this.finishJsonata(st, input, undefined, this.context(frame, st, enteredAt, 0), vars);
        const scope = new LazyScope(this, frame, st, enteredAt, 0, undefined, vars);
        const assigned = st.assignPath?.(effective, scope) as Record<string, unknown> | undefined;
        return { output: st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', effective, scope), assigned };
      }
      case 'Fail': {
        const context = this.context(frame, st, enteredAt, 0);
        const states = { input, context };
        const scope = { context, vars };
        const error = await this.num(st.errorField, input, states, vars, scope);
        const cause = await this.num(st.causeField, input, states, vars, scope);
        throw new StatesError(error === undefined ? '' : String(error), cause === undefined ? '' : String(cause));
      }
      case 'Choice':
        if (jsonata) return this.runChoice(st, input, effective, this.context(frame, st, enteredAt, 0), vars);
        return this.runChoicePath(st, effective, new LazyScope(this, frame, st, enteredAt, 0, undefined, vars));
      case 'Task':
      case 'Parallel':
      case 'Map': {
        // Without retriers (and no backoff to resume) an attempt runs as is; withRetry would only pass it through.
        const direct = st.type === 'Task' && st.retry.length === 0 && resume?.kind !== 'retry' && !resume?.retry?.length;
        const result = direct
          ? await this.attemptTask(frame, st, input, effective, vars, enteredAt, 0, resume)
          : await this.withRetry(frame, st, resume, (retryCount, res) =>
              st.type === 'Task'
                ? this.attemptTask(frame, st, input, effective, vars, enteredAt, retryCount, res)
                : st.type === 'Parallel'
                  ? this.runParallel(frame, st, input, effective, vars, this.context(frame, st, enteredAt, retryCount))
                  : this.runMap(frame, st, input, effective, vars, this.context(frame, st, enteredAt, retryCount)),
            );
        if (jsonata) return this.finishJsonata(st, input, result, this.context(frame, st, enteredAt, 0), vars);
        return this.finishJsonPath(st, input, result, new LazyScope(this, frame, st, enteredAt, 0, undefined, vars), true);
      }
      default:
        throw runtimeError(`Unsupported state type ${st.type}`);
    }
  }

  private async finishJsonata(st: CState, input: unknown, result: unknown, context: unknown, vars: Record<string, unknown>) {
    const states: StatesBinding = { input, context, result };
    // Assign and Output both see the variables as they were on entry (AWS evaluates them side by side).
    const assigned = st.assign ? ((await st.assign(states, vars)) as Record<string, unknown>) : undefined;
    const output = st.output ? await st.output(states, vars) : result !== undefined ? result : input;
    return { output, assigned };
  }

  private finishJsonPath(st: CState, rawInput: unknown, result: unknown, scope: PathScope, selector: boolean) {
    const selected = selector && st.resultSelector ? st.resultSelector(result, scope) : result;
    const assigned = st.assignPath ? (st.assignPath(selected, scope) as Record<string, unknown>) : undefined;
    const placed = setPath(rawInput, st.resultPath === undefined ? '$' : st.resultPath, selected);
    const output = st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', placed, scope);
    return { output, assigned };
  }

  /** A JSONPath Choice: synchronous (rules and paths only). */
  private runChoicePath(st: CState, effective: unknown, scope: PathScope) {
    for (const c of st.choices!) {
      if (!c.rule!(effective, scope)) continue;
      const assigned = (c.assignPath ?? st.assignPath)?.(effective, scope) as Record<string, unknown> | undefined;
      return { output: st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', effective, scope), next: c.next, assigned };
    }
    if (st.default === undefined) throw new StatesError('States.NoChoiceMatched', `No Choice Rule matched and no Default in state '${st.name}'`);
    const assigned = st.assignPath?.(effective, scope) as Record<string, unknown> | undefined;
    return { output: st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', effective, scope), next: st.default, assigned };
  }

  private async runChoice(st: CState, input: unknown, effective: unknown, context: unknown, vars: Record<string, unknown>) {
    const jsonata = st.ql === 'JSONata';
    const scope = { context, vars };
    const states: StatesBinding = { input, context };
    for (const c of st.choices!) {
      let ok: boolean;
      if (jsonata) {
        const v = await c.condition!(states, vars);
        if (typeof v !== 'boolean') throw new StatesError('States.QueryEvaluationError', `The Condition of a choice rule in '${st.name}' returned a non-boolean value ${json(v)}`);
        ok = v;
      } else ok = c.rule!(effective, scope);
      if (!ok) continue;
      if (jsonata) {
        const assigned = c.assign ? ((await c.assign(states, vars)) as Record<string, unknown>) : st.assign ? ((await st.assign(states, vars)) as Record<string, unknown>) : undefined;
        const output = c.output ? await c.output(states, vars) : st.output ? await st.output(states, vars) : input;
        return { output, next: c.next, assigned };
      }
      const assigned = (c.assignPath ?? st.assignPath)?.(effective, scope) as Record<string, unknown> | undefined;
      return { output: st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', effective, scope), next: c.next, assigned };
    }
    if (st.default === undefined) throw new StatesError('States.NoChoiceMatched', `No Choice Rule matched and no Default in state '${st.name}'`);
    if (jsonata) {
      const r = await this.finishJsonata(st, input, undefined, context, vars);
      return { ...r, next: st.default };
    }
    const assigned = st.assignPath?.(effective, scope) as Record<string, unknown> | undefined;
    return { output: st.outputPath === null ? {} : evalPath(st.outputPath ?? '$', effective, scope), next: st.default, assigned };
  }

  private async runWait(frame: Frame, st: CState, effective: unknown, vars: Record<string, unknown>, context: unknown, resume?: Position) {
    let wakeAt = resume?.kind === 'wait' ? resume.wakeAt : undefined;
    if (wakeAt === undefined) {
      const states = { input: effective, context };
      const scope = { context, vars };
      const secs = await this.num(st.seconds, effective, states, vars, scope);
      const stamp = await this.num(st.timestamp, effective, states, vars, scope);
      if (secs !== undefined) {
        if (typeof secs !== 'number' || secs < 0) throw runtimeError(`Wait state '${st.name}': Seconds must be a non-negative number, got ${json(secs)}`);
        wakeAt = this.clock.now() + secs * 1000;
      } else {
        const t = typeof stamp === 'string' ? Date.parse(stamp) : NaN;
        if (Number.isNaN(t)) throw runtimeError(`Wait state '${st.name}': Timestamp ${json(stamp)} is not an ISO-8601 timestamp`);
        wakeAt = t;
      }
      if (frame.top) {
        const pos = frame.run.entry.rec.pos!;
        pos.kind = 'wait';
        pos.wakeAt = wakeAt;
        this.checkpoint(frame.run.entry);
      }
    }
    await this.parked(frame, this.sleep(frame.run, wakeAt));
  }

  /** Runs `attempt` under the state's Retry policy; backoff deadlines are persisted for top-level states. */
  private async withRetry<T>(frame: Frame, st: CState, resume: Position | undefined, attempt: (retryCount: number, resume?: Position) => Promise<T>): Promise<T> {
    const counts = resume?.retry ? [...resume.retry] : st.retry.map(() => 0);
    let total = counts.reduce((a, b) => a + b, 0);
    let res = resume;
    if (res?.kind === 'retry' && res.wakeAt !== undefined) {
      await this.parked(frame, this.sleep(frame.run, res.wakeAt));
      res = undefined;
    }
    for (;;) {
      try {
        return await attempt(total, res);
      } catch (e) {
        if (e instanceof Aborted) throw e;
        res = undefined;
        const se = e instanceof StatesError ? e : runtimeError(String((e as Error)?.message ?? e));
        const idx = st.retry.findIndex((r) => errorMatches(r.errorEquals, se.error));
        if (idx < 0) throw se;
        const r = st.retry[idx];
        if (counts[idx] >= r.maxAttempts) throw se;
        let delay = r.interval * Math.pow(r.backoff, counts[idx]);
        if (r.maxDelay !== undefined) delay = Math.min(delay, r.maxDelay);
        if (r.jitter === 'FULL') delay = this.random() * delay;
        counts[idx]++;
        total++;
        const wakeAt = this.clock.now() + Math.round(delay * 1000);
        if (frame.top) {
          const pos = frame.run.entry.rec.pos!;
          Object.assign(pos, { kind: 'retry', wakeAt, retry: [...counts], token: undefined, tokenOutcome: undefined, timeoutAt: undefined, heartbeatAt: undefined });
          this.checkpoint(frame.run.entry);
        }
        await this.parked(frame, this.sleep(frame.run, wakeAt));
        if (frame.top) {
          const pos = frame.run.entry.rec.pos!;
          pos.kind = undefined;
          pos.wakeAt = undefined;
        }
      }
    }
  }

  /** A task token; with `where`, derived from the task's place in the run so a re-run reissues the same one. */
  private newToken(executionArn: string, where?: string): string {
    const n =
      where === undefined
        ? randomBytes(12).toString('base64url')
        : createHash('sha256').update(`${executionArn}\n${this.execs.get(executionArn)?.rec.startDate}\n${where}`).digest('base64url').slice(0, 16);
    return TOKEN_PREFIX + Buffer.from(JSON.stringify({ e: executionArn, n })).toString('base64url');
  }

  /** Records a task's failure or timeout (Lambda ARN or lambda:invoke naming) and throws it as the state's error. */
  private taskFail(frame: Frame, isLambdaFn: boolean, resourceName: string, type: 'Failed' | 'TimedOut', error: string, cause: string): never {
    if (isLambdaFn) this.emit(frame, `LambdaFunction${type}`, { error, cause });
    else this.emit(frame, `Task${type}`, { resourceType: 'lambda', resource: resourceName, error, cause });
    throw new StatesError(error, cause);
  }

  private async attemptTask(
    frame: Frame,
    st: CState,
    input: unknown,
    effective: unknown,
    vars: Record<string, unknown>,
    enteredAt: number,
    retryCount: number,
    resume?: Position,
  ): Promise<unknown> {
    const run = frame.run;
    const entry = run.entry;
    const kind = st.taskKind!;
    // Where a token wait picks up after a restart: the top-level position, or a nested parked entry.
    let token: string | undefined;
    let parkedBefore: { timeoutAt?: number; heartbeatAt?: number; outcome?: Outcome } | undefined;
    if (kind === 'invoke-token') {
      if (frame.top && resume?.kind === 'token' && resume.token) {
        token = resume.token;
        parkedBefore = { timeoutAt: resume.timeoutAt, heartbeatAt: resume.heartbeatAt, outcome: resume.tokenOutcome };
      } else if (!frame.top) {
        token = this.newToken(entry.rec.executionArn, `${frame.here}#${retryCount}`);
        parkedBefore = entry.rec.parked?.[token];
      } else token = this.newToken(entry.rec.executionArn);
    }
    const resumingToken = parkedBefore !== undefined;
    let params: any;
    let timeoutSec: number | undefined;
    let heartbeatSec: number | undefined;
    if (st.ql === 'JSONata') {
      const context = this.context(frame, st, enteredAt, retryCount, token);
      const scope = { context, vars };
      const states: StatesBinding = { input, context };
      params = st.args ? await st.args(states, vars) : input;
      timeoutSec = (await this.num(st.timeout, effective, states, vars, scope)) as number | undefined;
      heartbeatSec = (await this.num(st.heartbeat, effective, states, vars, scope)) as number | undefined;
    } else {
      // JSONPath: literals and paths only, nothing to await
      const scope = new LazyScope(this, frame, st, enteredAt, retryCount, token, vars);
      params = st.parameters ? st.parameters(effective, scope) : effective;
      const t = st.timeout;
      const h = st.heartbeat;
      timeoutSec = (t === undefined ? undefined : t.k === 'lit' ? t.v : t.k === 'path' ? t.f(effective, scope) : await t.f({ input, context: scope.context }, vars)) as number | undefined;
      heartbeatSec = (h === undefined ? undefined : h.k === 'lit' ? h.v : h.k === 'path' ? h.f(effective, scope) : await h.f({ input, context: scope.context }, vars)) as number | undefined;
    }
    let functionName: string;
    let payload: unknown;
    const resourceName = kind === 'invoke' ? 'invoke' : kind === 'invoke-token' ? 'invoke.waitForTaskToken' : st.resource!;
    if (kind === 'function') {
      functionName = st.functionName ??= functionNameOf(st.resource!);
      payload = params;
    } else {
      if (!params || typeof params.FunctionName !== 'string') {
        throw runtimeError(`Task '${st.name}': lambda:invoke needs Parameters/Arguments with a FunctionName string`);
      }
      functionName = cachedFunctionName(params.FunctionName);
      payload = params.Payload;
    }
    const isLambdaFn = kind === 'function';
    // The payload as JSON, serialised once: the scheduled event's input and the handler's private copy.
    let payloadJson: string | undefined;

    if (!resumingToken) {
      if (isLambdaFn) {
        payloadJson = json(payload);
        const details: Record<string, unknown> = { resource: st.resource, input: payloadJson, inputDetails: { truncated: false } };
        if (timeoutSec !== undefined) details.timeoutInSeconds = timeoutSec;
        this.emit(frame, 'LambdaFunctionScheduled', details);
      } else {
        this.emit(frame, 'TaskScheduled', {
          resourceType: 'lambda',
          resource: resourceName,
          region: LOCAL_REGION,
          parameters: json(params),
          ...(timeoutSec !== undefined ? { timeoutInSeconds: timeoutSec } : {}),
          ...(heartbeatSec !== undefined ? { heartbeatInSeconds: heartbeatSec } : {}),
        });
      }
      await this.store.sync(); // the schedule is durable before the side effect happens
      if (run.stopped) throw new Aborted('execution stopped');
    }

    const timeoutAt = resumingToken ? parkedBefore!.timeoutAt : timeoutSec !== undefined ? this.clock.now() + timeoutSec * 1000 : undefined;

    if (kind === 'invoke-token') {
      let waiter = this.tokens.get(token!);
      if (!waiter) {
        waiter = { token: token!, executionArn: entry.rec.executionArn, stateName: st.name, resource: resourceName, kindInvoke: true, top: frame.top, closed: false, heartbeatSeconds: heartbeatSec };
        this.tokens.set(token!, waiter);
      }
      let early: Outcome | undefined = parkedBefore?.outcome;
      const outcomeP = new Promise<Outcome>((resolve) => {
        waiter!.settle = resolve;
      });
      const heartbeatAt = resumingToken ? parkedBefore!.heartbeatAt : heartbeatSec !== undefined ? this.clock.now() + heartbeatSec * 1000 : undefined;
      if (!resumingToken) {
        this.emit(frame, 'TaskStarted', { resourceType: 'lambda', resource: resourceName });
        const handler = this.handlers.get(functionName);
        if (!handler) this.taskFail(frame, isLambdaFn, resourceName, 'Failed', 'Lambda.ResourceNotFoundException', `Function not found: ${functionName} (no local handler registered)`);
        let invokeResult: unknown;
        try {
          invokeResult = await handler!(clonePayload(payload), { executionArn: entry.rec.executionArn, stateName: st.name, functionName, attempt: retryCount });
        } catch (e) {
          if (run.stopped) throw new Aborted('execution stopped');
          waiter.closed = true;
          this.tokens.delete(token!);
          const { error, cause } = lambdaError(e);
          this.taskFail(frame, isLambdaFn, resourceName, 'Failed', error, cause);
        }
        if (run.stopped) throw new Aborted('execution stopped');
        this.emit(frame, 'TaskSubmitted', { resourceType: 'lambda', resource: resourceName, output: json(lambdaInvokeResult(invokeResult)), outputDetails: { truncated: false } });
        if (frame.top) {
          const pos = entry.rec.pos!;
          Object.assign(pos, { kind: 'token', token, timeoutAt, heartbeatAt, heartbeatSeconds: heartbeatSec, resource: resourceName, wakeAt: undefined });
        } else {
          entry.rec.parked = { ...(entry.rec.parked ?? {}), [token!]: { state: st.name, resource: resourceName, timeoutAt, heartbeatAt, heartbeatSeconds: heartbeatSec } };
        }
        this.checkpoint(entry);
      }
      early ??= this.persistedOutcome(entry, token!);
      let outcome: Outcome;
      if (early) outcome = early;
      else {
        const cancels: Array<() => void> = [];
        const timed = new Promise<Outcome>((resolve) => {
          if (timeoutAt !== undefined) {
            cancels.push(this.clock.setTimer(timeoutAt, () => resolve({ error: 'States.Timeout', cause: `The task timed out (TimeoutSeconds ${timeoutSec ?? ''})`.trim() })));
          }
          let hbCancel: (() => void) | undefined;
          const armHb = (at: number) => {
            hbCancel?.();
            hbCancel = this.clock.setTimer(at, () => resolve({ error: 'States.HeartbeatTimeout', cause: 'No heartbeat received within HeartbeatSeconds' }));
          };
          if (heartbeatAt !== undefined) armHb(heartbeatAt);
          waiter!.rearmHeartbeat = armHb;
          cancels.push(() => hbCancel?.());
        });
        let cancelWait: ((e: Error) => void) | undefined;
        const aborted = new Promise<never>((_, reject) => {
          cancelWait = reject;
          run.cancels.add(reject);
        });
        try {
          const both = Promise.race([outcomeP, timed, aborted]);
          outcome = await this.parked(frame, both);
        } finally {
          for (const c of cancels) c();
          run.cancels.delete(cancelWait!);
        }
        if (outcome.error === 'States.Timeout' || outcome.error === 'States.HeartbeatTimeout') {
          if (waiter.closed) {
            // a callback won the race while we were waking up: use it
            outcome = this.persistedOutcome(entry, token!) ?? outcome;
          } else {
            waiter.closed = true;
            this.tokens.delete(token!);
            if (entry.rec.parked?.[token!]) delete entry.rec.parked[token!];
            this.taskFail(frame, isLambdaFn, resourceName, 'TimedOut', outcome.error, outcome.cause!);
          }
        }
      }
      waiter.closed = true;
      this.tokens.delete(token!);
      if (entry.rec.parked?.[token!]) delete entry.rec.parked[token!];
      if (outcome.error !== undefined) throw new StatesError(outcome.error, outcome.cause ?? '');
      return parseJson(outcome.output);
    }

    // plain invocation (lambda:invoke or a Lambda ARN)
    if (isLambdaFn) this.emit(frame, 'LambdaFunctionStarted');
    else this.emit(frame, 'TaskStarted', { resourceType: 'lambda', resource: resourceName });
    const handler = this.handlers.get(functionName);
    if (!handler) this.taskFail(frame, isLambdaFn, resourceName, 'Failed', 'Lambda.ResourceNotFoundException', `Function not found: ${functionName} (no local handler registered)`);
    let out: unknown;
    let threw: unknown;
    let didThrow = false;
    const hctx: HandlerContext = { executionArn: entry.rec.executionArn, stateName: st.name, functionName, attempt: retryCount };
    if (timeoutAt === undefined) {
      try {
        out = await handler!(clonePayload(payload, payloadJson), hctx);
      } catch (e) {
        didThrow = true;
        threw = e;
      }
      if (run.stopped) throw new Aborted('execution stopped');
    } else {
      const call = (async () => handler!(clonePayload(payload, payloadJson), hctx))();
      let cancel: (() => void) | undefined;
      const timedOut = Symbol('timeout');
      const timer = new Promise<typeof timedOut>((r) => {
        cancel = this.clock.setTimer(timeoutAt, () => r(timedOut));
      });
      const r = await Promise.race([call.then((v) => ({ v }), (e) => ({ e })), timer]);
      cancel?.();
      if (run.stopped) throw new Aborted('execution stopped');
      if (r === timedOut) {
        call.catch(() => undefined);
        this.taskFail(frame, isLambdaFn, resourceName, 'TimedOut', 'States.Timeout', `Task timed out after ${timeoutSec} seconds`);
      }
      const rr = r as { v?: unknown; e?: unknown };
      if ('e' in rr) {
        didThrow = true;
        threw = rr.e;
      } else out = rr.v;
    }
    if (didThrow) {
      const { error, cause } = lambdaError(threw);
      this.taskFail(frame, isLambdaFn, resourceName, 'Failed', error, cause);
    }
    const payloadText = json(out === undefined ? null : out);
    if (overLimit(payloadText)) this.taskFail(frame, isLambdaFn, resourceName, 'Failed', 'States.DataLimitExceeded', `The result of '${functionName}' exceeds the 256 KiB limit`);
    if (isLambdaFn) {
      this.emit(frame, 'LambdaFunctionSucceeded', { output: payloadText, outputDetails: { truncated: false } });
      return JSON.parse(payloadText);
    }
    const result = lambdaInvokeResult(JSON.parse(payloadText));
    this.emit(frame, 'TaskSucceeded', { resourceType: 'lambda', resource: resourceName, output: json(result), outputDetails: { truncated: false } });
    return result;
  }

  private async runParallel(frame: Frame, st: CState, input: unknown, effective: unknown, vars: Record<string, unknown>, context: unknown): Promise<unknown> {
    let branchInput: unknown;
    if (st.ql === 'JSONata') branchInput = st.args ? await st.args({ input, context }, vars) : input;
    else branchInput = st.parameters ? st.parameters(effective, { context, vars }) : effective;
    this.emit(frame, 'ParallelStateStarted');
    const scope: Scope = { cancelled: false, parent: frame.scope };
    const here = frame.here;
    try {
      const results = await Promise.all(
        st.branches!.map((b, i) =>
          this.runMachine({ run: frame.run, top: false, scope, path: `${here}/b${i}`, visits: new Map() }, b, b.startAt, branchInput, { ...vars }).catch((e) => {
            scope.cancelled = true;
            throw e;
          }),
        ),
      );
      this.emit(frame, 'ParallelStateSucceeded');
      return results;
    } catch (e) {
      if (e instanceof Aborted) throw e;
      const se = e instanceof StatesError ? e : runtimeError(String((e as Error)?.message ?? e));
      this.emit(frame, 'ParallelStateFailed', { error: se.error, cause: se.cause });
      throw se;
    }
  }

  private async runMap(frame: Frame, st: CState, input: unknown, effective: unknown, vars: Record<string, unknown>, context: unknown): Promise<unknown> {
    const jsonata = st.ql === 'JSONata';
    const states: StatesBinding = { input, context };
    const scope: PathScope = { context, vars };
    const items = st.items ? await this.num(st.items, effective, states, vars, scope) : jsonata ? input : effective;
    if (!Array.isArray(items)) throw runtimeError(`Map state '${st.name}': items must be an array, got ${json(items)}`);
    const mc = Number((await this.num(st.maxConcurrency, effective, states, vars, scope)) ?? 0);
    const tolCount = (await this.num(st.toleratedCount, effective, states, vars, scope)) as number | undefined;
    const tolPct = (await this.num(st.toleratedPercent, effective, states, vars, scope)) as number | undefined;
    const tolerant = tolCount !== undefined || tolPct !== undefined;
    const tooMany = (failures: number) =>
      (tolCount === undefined || failures > tolCount) && (tolPct === undefined || (failures / items.length) * 100 > tolPct);
    this.emit(frame, 'MapStateStarted', { length: items.length });
    const mapScope: Scope = { cancelled: false, parent: frame.scope };
    const results: unknown[] = new Array(items.length);
    let failures = 0;
    let failure: StatesError | undefined;
    let next = 0;
    const here = frame.here;
    const runOne = async (index: number) => {
      const item = items[index];
      const child: Frame = { run: frame.run, top: false, scope: mapScope, mapItem: { Index: index, Value: item }, path: `${here}/i${index}`, visits: new Map() };
      const itemContext = { ...(context as object), Map: { Item: { Index: index, Value: item } } };
      let itemInput: unknown = item;
      try {
        if (jsonata && st.itemSelectorJsonata) itemInput = await st.itemSelectorJsonata({ input, context: itemContext }, vars);
        else if (!jsonata && st.itemSelector) itemInput = st.itemSelector(effective, { context: itemContext, vars });
      } catch (e) {
        failure ??= e instanceof StatesError ? e : runtimeError(String(e));
        mapScope.cancelled = true;
        return;
      }
      this.emit(frame, 'MapIterationStarted', { name: st.name, index });
      try {
        results[index] = await this.runMachine(child, st.processor!, st.processor!.startAt, itemInput, { ...vars });
        this.emit(frame, 'MapIterationSucceeded', { name: st.name, index });
      } catch (e) {
        if (e instanceof Aborted) {
          if (frame.run.stopped) throw e;
          this.emit(frame, 'MapIterationAborted', { name: st.name, index });
          return;
        }
        const se = e instanceof StatesError ? e : runtimeError(String((e as Error)?.message ?? e));
        this.emit(frame, 'MapIterationFailed', { name: st.name, index });
        failures++;
        results[index] = { Error: se.error, Cause: se.cause };
        if (!tolerant) failure ??= se;
        else if (tooMany(failures)) {
          failure ??= new StatesError('States.ExceedToleratedFailureThreshold', `The number of failed items (${failures}) exceeds the tolerated failure threshold`);
        }
        if (failure) mapScope.cancelled = true;
      }
    };
    const width = mc > 0 ? Math.min(mc, items.length) : items.length;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (!failure && next < items.length) await runOne(next++);
      }),
    );
    if (failure) {
      this.emit(frame, 'MapStateFailed', { error: failure.error, cause: failure.cause });
      throw failure;
    }
    this.emit(frame, 'MapStateSucceeded');
    return results;
  }
}

/** AWS's payload quota: 256 KiB of UTF-8 per state input/output, task result and assigned variable. */
const DATA_LIMIT = 256 * 1024;
const overLimit = (text: string) => text.length * 3 > DATA_LIMIT && Buffer.byteLength(text) > DATA_LIMIT;

function exitDetails(st: CState, output: unknown, assigned?: Record<string, unknown>): Record<string, unknown> {
  const text = json(output);
  if (overLimit(text)) throw new StatesError('States.DataLimitExceeded', `The output of state '${st.name}' exceeds the 256 KiB limit`);
  const details: Record<string, unknown> = { name: st.name, output: text, outputDetails: { truncated: false } };
  if (assigned) {
    const av: Record<string, string> = {};
    for (const [k, v] of Object.entries(assigned)) {
      av[k] = json(v);
      if (overLimit(av[k])) throw new StatesError('States.DataLimitExceeded', `The variable '${k}' assigned in state '${st.name}' exceeds the 256 KiB limit`);
    }
    details.assignedVariables = av;
  }
  return details;
}

const FUNCTION_NAMES = new Map<string, string>();
/** functionNameOf, remembered per FunctionName value (a definition uses a handful). */
function cachedFunctionName(ref: string): string {
  let n = FUNCTION_NAMES.get(ref);
  if (n === undefined) {
    n = functionNameOf(ref);
    if (FUNCTION_NAMES.size < 10_000) FUNCTION_NAMES.set(ref, n);
  }
  return n;
}

/** The handler's own copy of its event; `text` is `json(v)` when the caller already has it. */
function clonePayload(v: unknown, text?: string): unknown {
  return v === undefined ? {} : JSON.parse(text ?? json(v));
}

function lambdaInvokeResult(payload: unknown) {
  const requestId = randomUUID();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload === undefined ? null : payload,
    SdkHttpMetadata: {
      AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId], 'Content-Type': ['application/json'] },
      HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

const DATA_FIELDS = ['input', 'output', 'parameters'];

function toPublic(e: StoredEvent, includeData: boolean): HistoryEvent {
  const out: HistoryEvent = { ...e, timestamp: new Date(e.timestamp) };
  if (!includeData) {
    for (const [k, v] of Object.entries(out)) {
      if (k.endsWith('EventDetails') && v && typeof v === 'object') {
        const d = { ...(v as Record<string, unknown>) };
        for (const f of DATA_FIELDS) delete d[f];
        out[k] = d;
      }
    }
  }
  return out;
}
