import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { approveReview, getReview, listReviews, rejectReview, type PublicReview, type TaskCallbacks } from '../functions/complete-review/core';
import { ddbClient, resetClients, s3Client } from '../functions/shared/clients';
import { loadCatalog } from '../functions/shared/catalog-store';
import type { CatalogEntry } from '../functions/shared/catalog';
import { loadConfig, type Config } from '../functions/shared/config';
import { ConfigError, ModelThrottledError } from '../functions/shared/errors';
import { intakeIdOf, objectCreatedEvent } from '../functions/shared/s3-event';
import { getIntake, getRecord, scanAll, type IntakeItem, type RecordItem, type ReviewStatus, type TableDeps } from '../functions/shared/tables';
import { FileStore, MemoryStore, StepFunctionsEngine, type LambdaHandler } from '../engine/src';
import { LocalOcr } from '../functions/ocr-hints/local-ocr';
import { removeCutUploads } from './object-store-repair';

export const PROJECT_ROOT = resolve(__dirname, '..');
export const ASL_PATH = join(PROJECT_ROOT, 'statemachine', 'intake.asl.json');
export const STATE_MACHINE_NAME = 'reagent-intake';
/** User metadata carrying an upload's SHA-256, so a restart can tell a whole upload from one cut by a crash. */
const SHA256_META = 'content-sha256';

/** The step handlers, keyed by the same substitution names CDK's definitionSubstitutions uses. */
export const HANDLER_MODULES = {
  ValidateImageFunctionArn: 'validate-image',
  DeduplicateFunctionArn: 'deduplicate',
  OcrHintsFunctionArn: 'ocr-hints',
  ExtractFieldsFunctionArn: 'extract-fields',
  ValidateOutputFunctionArn: 'validate-output',
  ScoreConfidenceFunctionArn: 'score-confidence',
  RequestReviewFunctionArn: 'request-review',
  SaveResultFunctionArn: 'save-result',
  RecordOutcomeFunctionArn: 'record-outcome',
} as const;
export type FunctionKey = keyof typeof HANDLER_MODULES;
export type StepHandler = (event: any, context?: unknown) => Promise<unknown>;

export interface StackOptions {
  /** Where everything is kept (engine log, DynamoDB files, S3 objects). */
  readonly dataDir: string;
  /** Keep DynamoDB in memory (tests). @default false */
  readonly ephemeral?: boolean;
  /** Runs executing at once (runs waiting on a review do not count). @default INTAKE_MAX_CONCURRENCY or 8 */
  readonly maxConcurrentExecutions?: number;
  /** @default 3 */
  readonly maxExtractAttempts?: number;
  /** How long a review may wait. @default 604800 (7 days) */
  readonly reviewTimeoutSeconds?: number;
  /** Environment overrides applied before the handlers load (INTAKE_READER, INTAKE_OCR, …). */
  readonly env?: Record<string, string>;
  /** Replace or wrap step handlers — fault injection in tests and the soak script. */
  readonly wrapHandler?: (key: FunctionKey, handler: StepHandler) => StepHandler;
  /** Use the engine's in-memory store instead of the durable one (tests). @default false */
  readonly memoryEngine?: boolean;
  readonly log?: (line: string) => void;
}

/** Where one photo stands, as the CLI and console report it. */
export interface Outcome {
  executionArn: string;
  intakeId: string;
  status: 'RUNNING' | 'IN_REVIEW' | 'SAVED' | 'REJECTED' | 'REVIEW_EXPIRED' | 'FAILED' | 'DUPLICATE';
  executionStatus: string;
  sourceKey?: string;
  reason?: string;
  fields?: Record<string, unknown>;
  confidence?: Record<string, { score: number; reasons: string[] }>;
  overall?: number;
  reasons?: string[];
  reviewId?: string;
  recordId?: string;
  duplicateOf?: string;
  startDate?: string;
  stopDate?: string;
}

const TABLES = (config: Config): CreateTableCommandInput[] => [
  { TableName: config.RECORDS_TABLE, KeySchema: [{ AttributeName: 'recordId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'recordId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' },
  { TableName: config.INTAKES_TABLE, KeySchema: [{ AttributeName: 'intakeId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'intakeId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' },
  { TableName: config.CATALOG_TABLE, KeySchema: [{ AttributeName: 'cas', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'cas', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' },
  {
    TableName: config.REVIEWS_TABLE,
    KeySchema: [{ AttributeName: 'reviewId', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'reviewId', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'status-createdAt',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  },
];

/** Execution names are deterministic per uploaded object, so a redelivered event cannot start a second run. */
export const executionNameOf = (intakeId: string) => `intake-${intakeId}`;

const listen = (server: { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null }) =>
  new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as AddressInfo).port)));

/**
 * The embedded default: the same ASL file in the local engine, the step handlers called in-process, dynalite
 * for DynamoDB and s3rver for S3 (both on 127.0.0.1), S3 object-created events turned into the EventBridge
 * event AWS sends. One process owns a data folder at a time (the engine store's lock enforces it).
 */
export class LocalStack {
  readonly deps: TableDeps;
  private readonly outcomeWaiters = new Map<string, Set<() => void>>();
  private closed = false;

  private constructor(
    readonly options: StackOptions,
    readonly config: Config,
    readonly engine: StepFunctionsEngine,
    readonly stateMachineArn: string,
    readonly definition: unknown,
    private readonly dynamo: { close(cb: () => void): void },
    private readonly s3rver: { close(): Promise<void> },
    readonly endpoints: { s3: string; dynamodb: string },
  ) {
    this.deps = { ddb: ddbClient(), config };
    engine.onEvent((executionArn) => this.outcomeWaiters.get(executionArn)?.forEach((wake) => wake()));
  }

  static async start(options: StackOptions): Promise<LocalStack> {
    const log = options.log ?? (() => undefined);
    const dataDir = resolve(options.dataDir);
    mkdirSync(join(dataDir, 's3'), { recursive: true });
    if (!options.ephemeral) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });

    // The engine store's lock comes first: it is what makes this process the data folder's one owner.
    const store = options.memoryEngine ? new MemoryStore() : new FileStore(join(dataDir, 'engine'));
    const concurrency = options.maxConcurrentExecutions ?? Number(process.env.INTAKE_MAX_CONCURRENCY ?? 8);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ConfigError(`INTAKE_MAX_CONCURRENCY must be a whole number of at least 1, got "${process.env.INTAKE_MAX_CONCURRENCY}".`);
    }
    const engine = new StepFunctionsEngine({ store, maxConcurrentExecutions: concurrency });
    await engine.ready;
    // Whatever started is stopped again if a later step fails, so a failed start exits instead of hanging on
    // open servers and the engine's lock.
    const opened: (() => Promise<unknown>)[] = [() => engine.close()];
    try {
      return await LocalStack.startServices(options, log, dataDir, engine, opened);
    } catch (err) {
      for (const close of opened.reverse()) await close().catch(() => undefined);
      throw err;
    }
  }

  private static async startServices(options: StackOptions, log: (line: string) => void, dataDir: string, engine: StepFunctionsEngine, opened: (() => Promise<unknown>)[]): Promise<LocalStack> {
    const dynamo = dynalite({ path: options.ephemeral ? undefined : join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    opened.push(() => new Promise<void>((ok) => dynamo.close(() => ok())));
    const dynamoPort = await listen(dynamo);
    for (const cut of removeCutUploads(join(dataDir, 's3'))) log(`removed an upload cut by a crash before it was acknowledged: ${cut}`);
    const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(dataDir, 's3'), configureBuckets: [] });
    confineObjectPaths(s3rver);
    const s3Address = (await s3rver.run()) as AddressInfo;
    opened.push(() => s3rver.close());

    Object.assign(process.env, {
      INTAKE_LOCAL: '1',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3Address.port}`,
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamoPort}`,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      ...options.env,
    });
    resetClients();
    const config = loadConfig();
    await ensureStores(config);

    const handlers: Record<string, StepHandler> = {};
    for (const [key, dir] of Object.entries(HANDLER_MODULES) as [FunctionKey, string][]) {
      // Loaded after the environment is set: each handler reads its configuration once, at module load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const handler = require(join(PROJECT_ROOT, 'functions', dir, 'handler')).handler as StepHandler;
      const injected = injectFaults(key, handler, { ...process.env, ...options.env });
      handlers[key] = options.wrapHandler ? options.wrapHandler(key, injected) : injected;
    }
    const definitionText = readFileSync(ASL_PATH, 'utf8');
    const { stateMachineArn } = await engine.registerStateMachine({
      name: STATE_MACHINE_NAME,
      definition: definitionText,
      definitionSubstitutions: {
        MaxExtractAttempts: String(options.maxExtractAttempts ?? 3),
        ReviewTimeoutSeconds: String(options.reviewTimeoutSeconds ?? 604800),
      },
      handlers: handlers as Record<string, LambdaHandler>,
    });
    const stack = new LocalStack(
      options,
      config,
      engine,
      stateMachineArn,
      // The definition as the engine runs it (placeholders filled), for the console's graph.
      JSON.parse((await engine.describeStateMachine({ stateMachineArn })).definition),
      dynamo,
      s3rver,
      { s3: process.env.AWS_ENDPOINT_URL_S3!, dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB! },
    );
    s3rver.on('event', (event: { Records: { eventName: string; eventTime: string; s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } } }[] }) => {
      for (const r of event.Records) {
        if (!r.eventName.startsWith('ObjectCreated:') || !r.s3.object.key.startsWith('incoming/')) continue;
        const ev = objectCreatedEvent({
          bucket: r.s3.bucket.name,
          key: r.s3.object.key,
          size: r.s3.object.size,
          etag: r.s3.object.eTag?.replace(/"/g, ''),
          time: new Date(r.eventTime),
        });
        stack.deliverEvent(ev).catch((err) => log(`could not start a run for ${r.s3.object.key}: ${(err as Error).message}`));
      }
    });
    await engine.recover();
    const started = await stack.reconcileUploads();
    if (started) log(`started ${started} run(s) for uploads that arrived while the stack was down`);
    return stack;
  }

  /**
   * Uploads stored under `incoming/` whose event was lost (the process died between storing the object and
   * starting its run) get their run now. In AWS, EventBridge's retries and dead-letter queue cover this.
   */
  async reconcileUploads(): Promise<number> {
    let started = 0;
    let ContinuationToken: string | undefined;
    do {
      const page = await s3Client().send(new ListObjectsV2Command({ Bucket: this.config.INTAKE_BUCKET, Prefix: 'incoming/', ContinuationToken }));
      for (const o of page.Contents ?? []) {
        const etag = o.ETag?.replace(/"/g, '');
        if (!etag) continue;
        const event = objectCreatedEvent({ bucket: this.config.INTAKE_BUCKET, key: o.Key!, size: o.Size, etag, time: o.LastModified });
        const executionArn = this.executionArnOf(executionNameOf(intakeIdOf(event, '')));
        const known = await this.engine.describeExecution({ executionArn }).then(
          () => true,
          (err: Error) => {
            if (err.name === 'ExecutionDoesNotExist') return false;
            throw err;
          },
        );
        if (!known && (await this.storedIntact(o.Key!))) {
          await this.deliverEvent(event);
          started++;
        }
      }
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return started;
  }

  /** Start the run for an S3 event, as the EventBridge rule does in AWS. Redelivery returns the same run. */
  async deliverEvent(event: unknown): Promise<string> {
    const intakeId = intakeIdOf(event, `event:${createHash('sha256').update(JSON.stringify(event ?? null)).digest('hex')}`);
    const name = executionNameOf(intakeId);
    try {
      const out = await this.engine.startExecution({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(event ?? null) });
      return out.executionArn;
    } catch (err) {
      // Same name, different event text (the same upload notified twice): the first run owns it.
      if ((err as Error).name === 'ExecutionAlreadyExists') return this.executionArnOf(name);
      throw err;
    }
  }

  /**
   * Whether a stored upload is whole: the local S3 store writes content and metadata in steps, so an upload cut by
   * a crash can be listed with partial bytes. Uploads made through `submitPhoto` carry their SHA-256 in metadata;
   * anything else (or anything that does not match) was never acknowledged, and its client resends it.
   */
  private async storedIntact(key: string): Promise<boolean> {
    const head = await s3Client()
      .send(new HeadObjectCommand({ Bucket: this.config.INTAKE_BUCKET, Key: key }))
      .catch(() => undefined); // unreadable: not whole, so never acknowledged
    if (!head) return false;
    const expected = head.Metadata?.[SHA256_META];
    const bytes = expected ? await this.getObject(key) : undefined;
    return bytes !== undefined && createHash('sha256').update(bytes).digest('hex') === expected;
  }

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /**
   * Upload a photo the way a lab app does: into `incoming/` in the bucket; the object-created event starts the
   * run. The key carries a content prefix so two different files with one name never overwrite each other.
   */
  async submitPhoto(fileName: string, bytes: Buffer): Promise<{ key: string; executionArn: string; intakeId: string }> {
    const safeName = fileName.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f]/g, '') || 'photo';
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `incoming/${sha256.slice(0, 16)}/${safeName}`;
    const put = await s3Client().send(
      new PutObjectCommand({ Bucket: this.config.INTAKE_BUCKET, Key: key, Body: bytes, ContentLength: bytes.length, Metadata: { [SHA256_META]: sha256 } }),
    );
    const etag = put.ETag?.replace(/"/g, '');
    const event = objectCreatedEvent({ bucket: this.config.INTAKE_BUCKET, key, size: bytes.length, etag });
    const intakeId = intakeIdOf(event, '');
    const executionArn = this.executionArnOf(executionNameOf(intakeId));
    // The S3 event normally starts the run within milliseconds; deliver it ourselves too (idempotent) so a
    // missed notification cannot lose the photo.
    await this.deliverEvent(event);
    return { key, executionArn, intakeId };
  }

  async getObject(key: string): Promise<Buffer | undefined> {
    try {
      const out = await s3Client().send(new GetObjectCommand({ Bucket: this.config.INTAKE_BUCKET, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch {
      return undefined;
    }
  }

  /** Where a run stands: its intake's recorded status, and the fields as proposed before any human. */
  async outcome(executionArn: string): Promise<Outcome> {
    const exec = await this.engine.describeExecution({ executionArn });
    const event = safeJson(exec.input);
    const intakeId = intakeIdOf(event, executionArn);
    const intake = await getIntake(this.deps, intakeId);
    const mine = intake?.executionArn === executionArn;
    const base: Outcome = {
      executionArn,
      intakeId,
      executionStatus: exec.status,
      status: 'RUNNING',
      startDate: toIso(exec.startDate),
      stopDate: toIso(exec.stopDate),
      sourceKey: intake?.sourceKey,
    };
    const history = await this.engine.getExecutionHistory({ executionArn, maxResults: 1000 });
    const scored = lastStateOutput(history.events, 'ScoreConfidence') as
      | { fields: Record<string, unknown>; confidence: Outcome['confidence']; overall: number; reviewReasons: string[] }
      | undefined;
    if (scored) Object.assign(base, { fields: scored.fields, confidence: scored.confidence, overall: scored.overall, reasons: scored.reviewReasons });
    if (intake && (mine || exec.status !== 'RUNNING')) {
      const status = intake.status === 'PROCESSING' ? (exec.status === 'RUNNING' ? 'RUNNING' : 'FAILED') : intake.status;
      Object.assign(base, { status, reason: intake.reason, reviewId: intake.reviewId, recordId: intake.recordId, duplicateOf: intake.duplicateOf });
      if (!mine) base.duplicateOf ??= intake.recordId;
    } else if (exec.status !== 'RUNNING') {
      base.status = exec.status === 'SUCCEEDED' ? 'DUPLICATE' : 'FAILED';
      base.reason = exec.cause ?? exec.error;
    }
    if (base.status === 'DUPLICATE' && !base.fields && base.duplicateOf) {
      const record = await getRecord(this.deps, base.duplicateOf);
      if (record?.fields) base.fields = record.fields as Record<string, unknown>;
    }
    return base;
  }

  /** Resolve once the run is in a terminal state or (unless `terminal`) waiting in review. */
  async waitForOutcome(executionArn: string, timeoutMs = 10 * 60_000, opts: { terminal?: boolean } = {}): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const wake = new Promise<void>((ok) => {
        const set = this.outcomeWaiters.get(executionArn) ?? new Set();
        const fn = () => {
          set.delete(fn);
          ok();
        };
        set.add(fn);
        this.outcomeWaiters.set(executionArn, set);
        setTimeout(fn, 1000).unref();
      });
      let current: Outcome | undefined;
      try {
        current = await this.outcome(executionArn);
      } catch (err) {
        if ((err as Error).name !== 'ExecutionDoesNotExist') throw err;
      }
      const settled = current && current.status !== 'RUNNING' && (current.executionStatus !== 'RUNNING' || (current.status === 'IN_REVIEW' && !opts.terminal));
      if (settled) return current!;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${executionArn}`);
      if (this.closed) throw new Error('The local stack was stopped.');
      await wake;
    }
  }

  callbacks(): TaskCallbacks {
    return {
      sendTaskSuccess: (input) => this.engine.sendTaskSuccess(input),
      sendTaskFailure: (input) => this.engine.sendTaskFailure(input),
    };
  }

  listReviews(status?: ReviewStatus): Promise<PublicReview[]> {
    return listReviews(this.deps, status);
  }
  getReview(reviewId: string): Promise<PublicReview> {
    return getReview(this.deps, reviewId);
  }
  approveReview(reviewId: string, corrections: Record<string, unknown>, reviewer: string): Promise<PublicReview> {
    return approveReview({ ...this.deps, callbacks: this.callbacks() }, reviewId, corrections, reviewer);
  }
  rejectReview(reviewId: string, reason: string, reviewer: string): Promise<PublicReview> {
    return rejectReview({ ...this.deps, callbacks: this.callbacks() }, reviewId, reason, reviewer);
  }
  async listIntakes(): Promise<IntakeItem[]> {
    return (await scanAll<IntakeItem>(this.deps, this.config.INTAKES_TABLE)).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
  async listRecords(): Promise<RecordItem[]> {
    return (await scanAll<RecordItem>(this.deps, this.config.RECORDS_TABLE)).filter((r) => r.status === 'SAVED');
  }
  async listCatalog(): Promise<CatalogEntry[]> {
    return [...(await loadCatalog(this.deps)).entries];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.outcomeWaiters.values()) set.forEach((wake) => wake());
    await this.engine.close();
    await this.s3rver.close();
    await new Promise<void>((ok) => this.dynamo.close(() => ok()));
    resetClients();
    // The OCR worker thread and model sessions would keep a CLI process alive after its work is done.
    await LocalOcr.terminateShared();
  }
}

/**
 * Test-only fault injection for a stack in another process (the soak script, crash tests), where `wrapHandler`
 * cannot reach. Off unless set. `INTAKE_FAULT_THROTTLE=P` (0..1): ExtractFields throws ModelThrottledError
 * with probability P before reading, as a throttled Bedrock call would, so the ASL's retry with backoff runs.
 */
function injectFaults(key: FunctionKey, handler: StepHandler, env: NodeJS.ProcessEnv): StepHandler {
  const throttle = Number(env.INTAKE_FAULT_THROTTLE ?? 0);
  if (key !== 'ExtractFieldsFunctionArn' || !(throttle > 0)) return handler;
  if (!(throttle <= 1)) throw new ConfigError(`INTAKE_FAULT_THROTTLE must be a fraction between 0 and 1, got "${env.INTAKE_FAULT_THROTTLE}".`);
  return async (event, context) => {
    if (Math.random() < throttle) throw new ModelThrottledError('Injected throttle (INTAKE_FAULT_THROTTLE): too many requests, please wait before trying again.');
    return handler(event, context);
  };
}

/**
 * In S3 `incoming/../../x.jpg` is an ordinary key, but s3rver joins keys into file paths, so `.` and `..`
 * segments would write outside its folder (anywhere on disk). Those segments are escaped instead; the key an
 * event or a GET names is unchanged.
 */
function confineObjectPaths(server: unknown): void {
  const store = (server as { store: { rootDirectory: string; getResourcePath(bucket: string, key?: string, resource?: string): string } }).store;
  const original = store.getResourcePath.bind(store);
  store.getResourcePath = (bucket, key = '', resource) => {
    const safeKey = key
      .split('/')
      .map((part) => (part === '.' || part === '..' ? part.replace(/\./g, '%2E') : part))
      .join('/');
    const path = original(bucket, safeKey, resource);
    if (!path.startsWith(join(store.rootDirectory, bucket) + sep)) throw new Error(`Refusing an object path outside the bucket folder: ${key}`);
    return path;
  };
}

async function ensureStores(config: Config): Promise<void> {
  const ddb = ddbClient();
  for (const table of TABLES(config)) {
    try {
      await ddb.send(new DescribeTableCommand({ TableName: table.TableName }));
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      await ddb.send(new CreateTableCommand(table));
    }
  }
  try {
    await s3Client().send(new CreateBucketCommand({ Bucket: config.INTAKE_BUCKET }));
  } catch (err) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((err as Error).name)) throw err;
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

const toIso = (d: Date | number | undefined) => (d === undefined ? undefined : new Date(d).toISOString());

/** The output of the last time a state was exited, from the execution history. */
export function lastStateOutput(events: { type: string; stateExitedEventDetails?: { name: string; output?: string } }[], state: string): unknown {
  for (let i = events.length - 1; i >= 0; i--) {
    const d = events[i].stateExitedEventDetails;
    if (d?.name === state) return safeJson(d.output);
  }
  return undefined;
}
