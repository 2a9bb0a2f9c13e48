/**
 * Faults at the edges, end to end: the stack runs the bedrock reader against a local server that speaks the
 * Bedrock protocol (throttling, malformed answers, hung calls), Textract OCR against a failing fake, and the
 * review API over HTTP with racing decisions. Every photo must end in exactly one recorded outcome.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSRF_HEADER, CSRF_VALUE, createApiServer, listenLoopback } from '../../local/http-api';
import { stateVisits } from '../../local/runs';
import { LocalStack, type Outcome } from '../../local/stack';
import { startFakeBedrock, type FakeBedrock, type FakeReply } from '../helpers/fake-bedrock-server';
import { startFakeTextract, type FakeTextract, type FakeTextractReply } from '../helpers/fake-textract-server';

const SAMPLE = readFileSync(join(__dirname, '..', '..', 'samples', 'sample-sodium-chloride.jpg'));
const REQUEST_TIMEOUT_MS = 1500;
const MAX_CONCURRENT = 4;

/** What a careful model answers for the sample: sodium chloride, every value printed on it. */
const GOOD: FakeReply = {
  kind: 'toolUse',
  input: {
    fields: { manufacturer: 'Daejung', productName: 'Sodium chloride', casNumber: '7647-14-5', formula: 'NaCl', molecularWeight: 58.44 },
    confidence: { manufacturer: 0.95, productName: 0.95, casNumber: 0.95, formula: 0.9, molecularWeight: 0.9 },
    noLabelFound: false,
  },
};

let bedrockReply: (n: number) => FakeReply = () => GOOD;
let textractReply: () => FakeTextractReply = () => ({ kind: 'blocks', blocks: [] });
let calls = 0;
let inFlight = 0;
let maxInFlight = 0;

let bedrock: FakeBedrock;
let textract: FakeTextract;
let stack: LocalStack;
let server: Server;
let api: string;
let dataDir: string;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ respond: () => bedrockReply(calls++) });
  textract = await startFakeTextract({ respond: () => textractReply() });
  dataDir = mkdtempSync(join(tmpdir(), 'intake-faults-'));
  stack = await LocalStack.start({
    dataDir,
    ephemeral: true,
    memoryEngine: true,
    maxConcurrentExecutions: MAX_CONCURRENT,
    reviewTimeoutSeconds: 6,
    maxExtractAttempts: 3,
    // Counts ExtractFields invocations running at once: the bound on parallel model calls.
    wrapHandler: (key, handler) =>
      key !== 'ExtractFieldsFunctionArn'
        ? handler
        : async (event) => {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            try {
              return await handler(event);
            } finally {
              inFlight--;
            }
          },
    env: {
      INTAKE_READER: 'bedrock',
      BEDROCK_ENDPOINT: bedrock.url,
      BEDROCK_REGION: 'us-east-1',
      BEDROCK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-local-tests-only',
      INTAKE_OCR: 'on',
      INTAKE_OCR_ENGINE: 'textract',
      TEXTRACT_ENDPOINT: textract.url,
    },
  });
  server = createApiServer(stack);
  api = `http://127.0.0.1:${await listenLoopback(server, 0)}`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await stack?.close();
  await bedrock?.close();
  await textract?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

beforeEach(() => {
  bedrockReply = () => GOOD;
  textractReply = () => ({ kind: 'blocks', blocks: [] });
  bedrock.requests.length = 0;
  calls = 0;
  textract.requests.length = 0;
  maxInFlight = 0;
});

let variant = 0;
const distinct = () => Buffer.concat([SAMPLE, Buffer.from(`faults-${variant++}`)]);

async function run(bytes = distinct(), timeoutMs = 90_000) {
  const { executionArn } = await stack.submitPhoto(`photo-${variant}.jpg`, bytes);
  const outcome = await stack.waitForOutcome(executionArn, timeoutMs);
  return { outcome, ...(await history(executionArn)) };
}

async function history(executionArn: string) {
  const { events } = await stack.engine.getExecutionHistory({ executionArn, maxResults: 1000 });
  return { events, visits: stateVisits(events as never) };
}

const post = (path: string, body: unknown) =>
  fetch(`${api}${path}`, { method: 'POST', headers: { [CSRF_HEADER]: CSRF_VALUE, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('model faults via the Bedrock protocol', () => {
  test('50% ThrottlingException: every photo completes, retried with jittered backoff, model calls bounded', async () => {
    bedrockReply = (n) => (n % 2 === 0 ? { kind: 'throttle' } : GOOD);
    const t0 = Date.now();
    const runs = await Promise.all(Array.from({ length: 12 }, () => run()));
    for (const r of runs) expect(['SAVED', 'IN_REVIEW']).toContain(r.outcome.status);
    const throttled = runs.flatMap((r) => r.events.filter((e) => JSON.stringify(e).includes('ModelThrottledError')));
    expect(throttled.length).toBeGreaterThanOrEqual(5);
    expect(bedrock.requests.length).toBeGreaterThanOrEqual(15);
    // Bounded: never more model calls at once than executions allowed to run together.
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(MAX_CONCURRENT);
    // Jitter: the retries of different runs are not all spaced the same.
    const gaps = runs.map((r) => r.visits.find((v) => v.name === 'ExtractFields')!.durationMs!).filter((ms) => ms > 0);
    expect(new Set(gaps.map((g) => Math.round(g / 100))).size).toBeGreaterThan(1);
    expect(Date.now() - t0).toBeLessThan(80_000);
  }, 120_000);

  test('malformed answers go round the repair loop with the errors as feedback, then to a person', async () => {
    bedrockReply = (n) =>
      n % 2 === 0
        ? { kind: 'text', text: 'Sure! The CAS number is 7647-14-5.' }
        : { kind: 'toolUse', input: { fields: { productName: 'Sodium chloride', casNumber: '7647-14-6' }, confidence: {} } };
    const { outcome, visits } = await run();
    expect(outcome.status).toBe('IN_REVIEW');
    expect(visits.filter((v) => v.name === 'ExtractFields')).toHaveLength(3);
    expect(visits.map((v) => v.name)).toContain('MarkUnreadable');
    const prompts = bedrock.requests.map((r) => JSON.stringify(r.body.messages));
    expect(prompts[1]).toMatch(/<feedback>[^]*returned no structured answer/);
    expect(prompts[2]).toMatch(/<feedback>[^]*fails the CAS check digit/);
    expect(outcome.reasons ?? [(await stack.getReview(outcome.reviewId!)).reason]).toEqual(expect.arrayContaining([expect.stringMatching(/could not be read reliably after 3 attempts/)]));
    expect((await stack.listRecords()).some((r) => r.executionArn === outcome.executionArn)).toBe(false);
  }, 90_000);

  test('a hung model call hits the request timeout, is retried, and the run completes', async () => {
    bedrockReply = (n) => (n === 0 ? { kind: 'hang' } : GOOD);
    const t0 = Date.now();
    const { outcome, events } = await run();
    expect(['SAVED', 'IN_REVIEW']).toContain(outcome.status);
    expect(JSON.stringify(events)).toMatch(/ModelUnavailableError/);
    expect(bedrock.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  test('a model that always hangs ends the run FAILED and recorded after bounded retries, never stuck', async () => {
    bedrockReply = () => ({ kind: 'hang' });
    const { outcome } = await run(distinct(), 120_000);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.executionStatus).toBe('FAILED');
    expect(outcome.reason).toMatch(/ModelUnavailableError/);
    expect(bedrock.requests).toHaveLength(5); // the call and its 4 retries
  }, 150_000);
});

test('OCR failure (Textract errors): extraction continues without hints and the result goes to a person', async () => {
  textractReply = () => ({ kind: 'error', status: 500, type: 'InternalServerError', message: 'Textract is having a bad day' });
  const { outcome, visits } = await run();
  expect(textract.requests.length).toBeGreaterThanOrEqual(1);
  expect(visits.map((v) => v.name)).toEqual(expect.arrayContaining(['OcrHints', 'ExtractFields', 'ScoreConfidence']));
  expect(JSON.stringify(bedrock.requests[0].body.messages)).toMatch(/No OCR hints are available/);
  expect(outcome.status).toBe('IN_REVIEW');
}, 60_000);

describe('duplicates under concurrency', () => {
  test('the same event delivered five times at once and the same photo under three names: one run each, one record', async () => {
    const bytes = distinct();
    const first = await stack.submitPhoto('dup-a.jpg', bytes);
    const event = JSON.parse((await stack.engine.describeExecution({ executionArn: first.executionArn })).input!);
    const redelivered = await Promise.all(Array.from({ length: 5 }, () => stack.deliverEvent(event)));
    expect(new Set(redelivered)).toEqual(new Set([first.executionArn]));
    const others = await Promise.all(['dup-b.jpg', 'dup-c.jpg'].map((n) => stack.submitPhoto(n, bytes)));
    const outcomes = await Promise.all([first, ...others].map((s) => stack.waitForOutcome(s.executionArn, 60_000)));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['DUPLICATE', 'DUPLICATE', expect.stringMatching(/SAVED|IN_REVIEW/)].sort());
    const hash = (await stack.listIntakes()).find((i) => i.executionArn === first.executionArn)!.contentHash;
    const reviewsOfPhoto = (await stack.listReviews()).filter((r) => outcomes.some((o) => o.executionArn === r.executionArn));
    const recordsOfPhoto = (await stack.listRecords()).filter((r) => r.recordId === hash);
    expect(recordsOfPhoto.length + reviewsOfPhoto.length).toBe(1);
  }, 90_000);
});

describe('review races over the HTTP API', () => {
  /** A photo waiting in review (the model answers with a field the label does not confirm). */
  async function inReview(): Promise<Outcome> {
    bedrockReply = () => ({ kind: 'toolUse', input: { fields: { productName: 'Sodium chloride', casNumber: '7647-14-5', lotNumber: 'ZZ999' }, confidence: { productName: 0.3 } } });
    const { outcome } = await run();
    expect(outcome.status).toBe('IN_REVIEW');
    return outcome;
  }
  const saveResultRuns = async (arn: string) => (await history(arn)).visits.filter((v) => v.name === 'SaveResult').length;

  test('approving twice at once: one approval wins, the other gets 409, one record, the run resumed once', async () => {
    const o = await inReview();
    const [a, b] = await Promise.all([post(`/api/reviews/${o.reviewId}/approve`, { reviewer: 'ana' }), post(`/api/reviews/${o.reviewId}/approve`, { reviewer: 'ben' })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = await (a.status === 409 ? a : b).json();
    expect(loser.message).toMatch(/already approved|just approved/);
    const done = await stack.waitForOutcome(o.executionArn, 30_000, { terminal: true });
    expect(done.status).toBe('SAVED');
    expect(await saveResultRuns(o.executionArn)).toBe(1);
    expect((await stack.listRecords()).filter((r) => r.executionArn === o.executionArn)).toHaveLength(1);
  }, 60_000);

  test('approving after a reject: 409 with the reason, the run stays REJECTED, nothing saved', async () => {
    const o = await inReview();
    expect((await post(`/api/reviews/${o.reviewId}/reject`, { reason: 'Wrong bottle', reviewer: 'ana' })).status).toBe(200);
    await stack.waitForOutcome(o.executionArn, 30_000, { terminal: true });
    const res = await post(`/api/reviews/${o.reviewId}/approve`, { reviewer: 'ben' });
    expect(res.status).toBe(409);
    expect((await res.json()).message).toMatch(/already rejected by ana/);
    const done = await stack.outcome(o.executionArn);
    expect(done.status).toBe('REJECTED');
    expect(done.reason).toMatch(/Wrong bottle/);
    expect(await saveResultRuns(o.executionArn)).toBe(0);
    expect((await stack.listRecords()).some((r) => r.executionArn === o.executionArn)).toBe(false);
  }, 60_000);

  test('approving after the review timed out: 409 "expired", the run stays REVIEW_EXPIRED, not resumed', async () => {
    const o = await inReview();
    const expired = await stack.waitForOutcome(o.executionArn, 30_000, { terminal: true });
    expect(expired.status).toBe('REVIEW_EXPIRED');
    const eventsBefore = (await history(o.executionArn)).events.length;
    const res = await post(`/api/reviews/${o.reviewId}/approve`, { reviewer: 'late' });
    expect(res.status).toBe(409);
    expect((await res.json()).message).toMatch(/expired/);
    expect((await history(o.executionArn)).events.length).toBe(eventsBefore);
    expect((await stack.outcome(o.executionArn)).status).toBe('REVIEW_EXPIRED');
    expect((await stack.getReview(o.reviewId!)).status).toBe('EXPIRED');
    expect((await stack.listRecords()).some((r) => r.executionArn === o.executionArn)).toBe(false);
  }, 60_000);
});
