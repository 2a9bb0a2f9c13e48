/** Persisted shapes (what the store keeps) and the public handler contract. */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** What a Lambda handler receives besides its event. */
export interface HandlerContext {
  executionArn: string;
  stateName: string;
  functionName: string;
  /** 0 for the first attempt, then 1, 2… for retries. */
  attempt: number;
}

export type LambdaHandler = (event: any, context: HandlerContext) => unknown;

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  roleArn: string;
  creationDate: number;
  /** Resolved (substituted) definition text of the current version. */
  definition: string;
  /** Every definition version an execution may still refer to, by version id. */
  versions: Record<string, string>;
  currentVersion: string;
}

/** Where a RUNNING top-level execution is; enough to resume it after a crash. */
export interface Position {
  state: string;
  input: unknown;
  vars: Record<string, unknown>;
  /** The StateEntered event is already in history. */
  entered: boolean;
  enteredAt?: number;
  retry?: number[];
  /** 'wait': in a Wait state; 'retry': in retry backoff; 'token': waiting for sendTaskSuccess/Failure. */
  kind?: 'wait' | 'retry' | 'token';
  wakeAt?: number;
  token?: string;
  timeoutAt?: number;
  heartbeatAt?: number;
  heartbeatSeconds?: number;
  tokenOutcome?: { output?: string; error?: string; cause?: string };
  /** Resource meta of the waiting task (for history events written on completion). */
  resource?: string;
}

export interface ParkedToken {
  state: string;
  resource: string;
  timeoutAt?: number;
  heartbeatAt?: number;
  heartbeatSeconds?: number;
  outcome?: { output?: string; error?: string; cause?: string };
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  version: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  /** Execution-level TimeoutSeconds deadline (epoch ms). */
  deadline?: number;
  pos?: Position;
  /**
   * waitForTaskToken tasks inside Map/Parallel that are parked, by token. Their tokens are derived
   * deterministically from where they sit, so a re-run after a crash reissues (and honours) the same token.
   */
  parked?: Record<string, ParkedToken>;
  /** The state that failed, for redrive. */
  failedAt?: { state: string; input: unknown; vars: Record<string, unknown> };
}

/** A history event as stored; `timestamp` is epoch ms (returned to callers as a Date). */
export interface StoredEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export type StoreRecord =
  | { t: 'sm'; sm: StateMachineRecord }
  | { t: 'ex'; ex: ExecutionRecord }
  | { t: 'ev'; arn: string; ev: StoredEvent };

export interface StoreContents {
  stateMachines: StateMachineRecord[];
  executions: ExecutionRecord[];
  events: Map<string, StoredEvent[]>;
}

export interface EngineStore {
  readonly durable: boolean;
  open(): Promise<StoreContents>;
  /** Queues a record; it is durable once a later `sync()` (or `whenDurable` callback) completes. */
  append(rec: StoreRecord): void;
  /** Calls `cb` once everything appended so far is durable (synchronously for the memory store). */
  whenDurable(cb: () => void): void;
  sync(): Promise<void>;
  close(): Promise<void>;
}
