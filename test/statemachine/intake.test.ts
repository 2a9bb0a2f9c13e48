/**
 * The real ASL file through the local engine with the real step handlers, stores and OCR; faults are injected
 * only at the edge (the reader's answer, a throttle). One case per path, asserted on outcome and history.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MalformedModelOutputError, ModelThrottledError } from '../../functions/shared/errors';
import { LocalStack, type FunctionKey, type StepHandler } from '../../local/stack';
import { stateVisits } from '../../local/runs';

const SAMPLES = join(__dirname, '..', '..', 'samples');
const sodiumChloride = readFileSync(join(SAMPLES, 'sample-sodium-chloride.jpg'));
const newProduct = readFileSync(join(SAMPLES, 'sample-new-product.jpg'));

/** Per-test fault plan for ExtractFields and OcrHints, consumed in order. */
const faults: { extract: ((real: StepHandler, event: any) => Promise<unknown>)[]; ocr: (() => Promise<unknown>)[] } = { extract: [], ocr: [] };

function wrapHandler(key: FunctionKey, real: StepHandler): StepHandler {
  if (key === 'ExtractFieldsFunctionArn') return async (event) => (faults.extract.length ? faults.extract.shift()!(real, event) : real(event));
  if (key === 'OcrHintsFunctionArn') return async (event) => (faults.ocr.length ? faults.ocr.shift()!() : real(event));
  return real;
}

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'intake-sm-'));
  stack = await LocalStack.start({ dataDir, ephemeral: true, memoryEngine: true, wrapHandler, reviewTimeoutSeconds: 3, maxExtractAttempts: 3 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  const { LocalOcr } = await import('../../functions/ocr-hints/local-ocr');
  await LocalOcr.terminateShared();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

beforeEach(() => {
  faults.extract = [];
  faults.ocr = [];
});

/** A distinct photo per test (content dedupe would otherwise end later tests as duplicates). */
let variant = 0;
const distinct = (bytes: Buffer) => Buffer.concat([bytes, Buffer.from(`\n${variant++}`)]);

async function run(bytes: Buffer, name = 'label.jpg') {
  const { executionArn } = await stack.submitPhoto(name, distinct(bytes));
  const outcome = await stack.waitForOutcome(executionArn, 60_000);
  const { events } = await stack.engine.getExecutionHistory({ executionArn, maxResults: 1000 });
  return { outcome, events, path: stateVisits(events as never).map((v) => v.name) };
}

async function approve(reviewId: string, corrections: Record<string, unknown>) {
  await stack.approveReview(reviewId, corrections, 'tester');
}

test('happy path: a clear label of a known reagent is saved without review', async () => {
  const { outcome, path } = await run(sodiumChloride);
  expect(outcome.status).toBe('SAVED');
  expect(outcome.fields).toMatchObject({ productName: 'Sodium chloride', casNumber: '7647-14-5' });
  expect(path).toEqual(['Begin', 'ValidateImage', 'Deduplicate', 'IsDuplicate', 'OcrHints', 'ExtractFields', 'ValidateOutput', 'ScoreConfidence', 'RouteByConfidence', 'SaveResult', 'Saved']);
  const records = await stack.listRecords();
  expect(records.filter((r) => r.executionArn === outcome.executionArn)).toHaveLength(1);
}, 60_000);

test('malformed then repaired: the validation errors go back to the extractor, whose second answer is saved', async () => {
  let feedbackSeen: string[] | undefined;
  faults.extract.push(async (real, event) => {
    const answer = (await real(event)) as { candidate: Record<string, unknown> };
    return { ...answer, candidate: { ...answer.candidate, casNumber: '7647-14-6' } };
  });
  faults.extract.push(async (real, event) => {
    feedbackSeen = event.feedback;
    return real(event);
  });
  const { outcome, path } = await run(sodiumChloride);
  expect(outcome.status).toBe('SAVED');
  expect(path.filter((p) => p === 'ExtractFields')).toHaveLength(2);
  expect(path).toContain('CanRetryExtraction');
  expect(feedbackSeen?.join(' ')).toMatch(/casNumber.*check digit/);
}, 60_000);

test('malformed to review: out of attempts, the label goes to a person as unreadable', async () => {
  for (let i = 0; i < 3; i++) faults.extract.push(async () => Promise.reject(new MalformedModelOutputError('no tool use block in the answer', ['no tool use'])));
  const { outcome, path } = await run(sodiumChloride);
  expect(outcome.status).toBe('IN_REVIEW');
  expect(path.filter((p) => p === 'CanRetryExtraction')).toHaveLength(3);
  expect(path).toContain('MarkUnreadable');
  const review = await stack.getReview(outcome.reviewId!);
  expect(String(review.reason)).toMatch(/could not be read reliably after 3 attempts/);
  expect(review).not.toHaveProperty('taskToken');
}, 60_000);

test('throttled then succeeded: throttling is retried with backoff by the state machine', async () => {
  faults.extract.push(async () => Promise.reject(new ModelThrottledError('Too many requests')));
  const { outcome, events } = await run(sodiumChloride);
  expect(outcome.status).toBe('SAVED');
  const failed = events.filter((e) => e.type === 'LambdaFunctionFailed' || e.type === 'TaskFailed');
  expect(failed.length).toBeGreaterThanOrEqual(1);
  expect(JSON.stringify(failed[0])).toContain('ModelThrottledError');
}, 60_000);

test('OCR failure is tolerated: extraction continues without hints and a person checks the result', async () => {
  faults.ocr.push(async () => Promise.reject(Object.assign(new Error('tesseract crashed'), { name: 'OcrFailedError' })));
  faults.ocr.push(async () => Promise.reject(Object.assign(new Error('tesseract crashed'), { name: 'OcrFailedError' })));
  const { outcome, path } = await run(sodiumChloride);
  expect(path).toContain('ExtractFields');
  expect(['IN_REVIEW', 'SAVED']).toContain(outcome.status);
  expect(outcome.reasons?.join(' ')).toMatch(/OCR failed/);
}, 60_000);

test('bad image rejected: a text file named .png ends REJECTED with a sentence a person understands', async () => {
  const { outcome, path } = await run(Buffer.from('CAS 7647-01-0 this is not an image'), 'label.png');
  expect(outcome.status).toBe('REJECTED');
  expect(outcome.reason).toMatch(/not .*image|text/i);
  expect(path).toEqual(['Begin', 'ValidateImage', 'RecordRejection', 'Rejected']);
}, 60_000);

test('review rejected: the run ends REJECTED with the reviewer reason', async () => {
  // A product the catalog does not know always goes to a person.
  const { outcome } = await run(newProduct, 'unknown.jpg');
  expect(outcome.status).toBe('IN_REVIEW');
  await stack.rejectReview(outcome.reviewId!, 'Wrong bottle photographed', 'tester');
  const done = await stack.waitForOutcome(outcome.executionArn, 30_000, { terminal: true });
  expect(done.status).toBe('REJECTED');
  expect(done.reason).toMatch(/Wrong bottle photographed/);
  await expect(approve(outcome.reviewId!, {})).rejects.toMatchObject({ name: 'ReviewConflictError' });
}, 90_000);

test('review expired: nobody decides before the timeout, the run ends REVIEW_EXPIRED and approval is refused', async () => {
  const { outcome } = await run(newProduct, 'expire.jpg');
  expect(outcome.status).toBe('IN_REVIEW');
  const done = await stack.engine.waitForExecution(outcome.executionArn, { timeoutMs: 20_000 });
  expect(done.status).toBe('SUCCEEDED');
  const final = await stack.outcome(outcome.executionArn);
  expect(final.status).toBe('REVIEW_EXPIRED');
  await expect(approve(outcome.reviewId!, {})).rejects.toMatchObject({ name: 'ReviewConflictError' });
  expect((await stack.getReview(outcome.reviewId!)).status).toBe('EXPIRED');
}, 60_000);

test('duplicates: the same photo under two names and the same event twice end in one record', async () => {
  const bytes = distinct(sodiumChloride);
  const a = await stack.submitPhoto('first.jpg', bytes);
  const b = await stack.submitPhoto('second-name.jpg', bytes);
  const [oa, ob] = await Promise.all([stack.waitForOutcome(a.executionArn, 60_000), stack.waitForOutcome(b.executionArn, 60_000)]);
  expect([oa.status, ob.status].sort()).toEqual(['DUPLICATE', 'SAVED']);
  const again = await stack.submitPhoto('first.jpg', bytes);
  expect(again.executionArn).toBe(a.executionArn);
  const hash = (await stack.listIntakes()).find((i) => i.executionArn === a.executionArn)!.contentHash;
  expect((await stack.listRecords()).filter((r) => r.recordId === hash)).toHaveLength(1);
}, 90_000);

test('task tokens never leave the server: run detail and reviews are scrubbed', async () => {
  const { runDetail } = await import('../../local/runs');
  const { outcome, events } = await run(newProduct, 'token-check.jpg');
  expect(outcome.status).toBe('IN_REVIEW');
  const raw = JSON.stringify(events);
  const token = /"taskToken\\?"\s*:\s*\\?"([^"\\]+)/.exec(raw)?.[1];
  expect(token).toBeTruthy();
  const detail = JSON.stringify(await runDetail(stack, outcome.executionArn));
  expect(detail).not.toContain(token);
  expect(JSON.stringify(await stack.listReviews())).not.toContain(token);
}, 60_000);

test('a replayed review request (at-least-once after a crash) refreshes the token but keeps the review and its place in the queue', async () => {
  const { requestReview } = await import('../../functions/request-review/core');
  const { getReviewItem } = await import('../../functions/shared/tables');
  const { outcome } = await run(newProduct, 'replay.jpg');
  expect(outcome.status).toBe('IN_REVIEW');
  const before = (await getReviewItem(stack.deps, outcome.reviewId!))!;

  const image = (await stack.listIntakes()).find((i) => i.executionArn === outcome.executionArn)!;
  await new Promise((r) => setTimeout(r, 20));
  const replay = await requestReview(stack.deps, {
    taskToken: 'replayed-token',
    executionArn: outcome.executionArn,
    intakeId: image.intakeId,
    image: { bucket: 'intake', sourceKey: image.sourceKey!, normalizedKey: 'derived/normalized/x.jpg', contentHash: image.contentHash!, format: 'jpeg', width: 10, height: 10, normalizedWidth: 10, normalizedHeight: 10, bytes: 1 },
    scored: { fields: before.fields as Record<string, unknown>, confidence: {}, overall: 0.5, reviewReasons: ['replayed'] },
    ocrLines: [],
  });

  const after = (await getReviewItem(stack.deps, outcome.reviewId!))!;
  expect(replay.reviewId).toBe(outcome.reviewId);
  expect(after.taskToken).toBe('replayed-token');
  expect(after.createdAt).toBe(before.createdAt);
  expect((await stack.listReviews()).filter((r) => r.executionArn === outcome.executionArn)).toHaveLength(1);
}, 60_000);

// Runs after every test that needs the product unknown: once learned, its photos no longer go to review.
test('review approved with a correction: the run resumes and saves the corrected fields, and the product is learned; a second photo of it is then saved without review', async () => {
  const { outcome } = await run(newProduct);
  expect(outcome.status).toBe('IN_REVIEW');
  await approve(outcome.reviewId!, { grade: 'Electrochemical grade' });
  const done = await stack.waitForOutcome(outcome.executionArn, 30_000, { terminal: true });
  expect(done.status).toBe('SAVED');
  const record = (await stack.listRecords()).find((r) => r.executionArn === outcome.executionArn)!;
  expect(record.reviewed).toBe(true);
  expect((record.fields as Record<string, unknown>).grade).toBe('Electrochemical grade');
  expect((await stack.listCatalog()).some((e) => e.cas === '3109-63-5' && e.source === 'learned')).toBe(true);
  await expect(approve(outcome.reviewId!, {})).rejects.toMatchObject({ name: 'ReviewConflictError' });

  // The learning loop: another photo of the same product (different bytes) is now recognised and saved without a person.
  const second = await run(distinct(newProduct), 'same-product-again.jpg');
  expect(second.outcome.status).toBe('SAVED');
  const again = (await stack.listRecords()).find((r) => r.executionArn === second.outcome.executionArn)!;
  expect(again.reviewed).toBe(false);
  expect((again.fields as Record<string, unknown>).casNumber).toBe('3109-63-5');
}, 90_000);
