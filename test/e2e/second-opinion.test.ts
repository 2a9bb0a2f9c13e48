/**
 * The second opinion end to end: `intake start` configured with SECOND_OPINION_URL pointing at a local server that
 * speaks the OpenAI chat-completions protocol, and the sample label of a known reagent (which the offline reader
 * alone saves without review). When the second reader agrees, the label is saved; when it reads another CAS number,
 * the label goes to a person with that disagreement as the reason.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai-server';
import { runCli, startStackProcess, type StackProcess } from '../helpers/stack-process';

const SAMPLE = resolve(__dirname, '../../samples/sample-sodium-chloride.jpg');

let fake: FakeOpenAi;
let stack: StackProcess;
let root: string;
let dataDir: string;
let casSeen = '7647-14-5';

beforeAll(async () => {
  fake = await startFakeOpenAi({
    respond: () => ({ kind: 'content', content: JSON.stringify({ fields: { productName: 'Sodium chloride', casNumber: casSeen }, noLabelFound: false }) }),
  });
  root = mkdtempSync(join(tmpdir(), 'intake-second-'));
  dataDir = join(root, 'data');
  stack = await startStackProcess({
    dataDir,
    env: { SECOND_OPINION_URL: `${fake.url}/v1`, SECOND_OPINION_MODEL: 'fake-gpt', SECOND_OPINION_API_KEY: 'sk-local-test-only' },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

async function runOne(name: string): Promise<{ status: string; reasons: string[] }> {
  // A copy under another name with a byte appended: the same label, a new photo (no dedupe).
  const file = join(root, name);
  copyFileSync(SAMPLE, file);
  appendFileSync(file, Buffer.from(`\n${name}`));
  const { code, stdout } = await runCli(['run', '--data-dir', dataDir, '--json', file], { timeoutMs: 120_000 });
  expect(code).toBe(0);
  return JSON.parse(stdout.trim().split('\n')[0]);
}

test('a second reader that agrees leaves the label saved; one that reads another CAS sends it to a person', async () => {
  casSeen = '7647-14-5';
  const agreed = await runOne('agree.jpg');
  expect(agreed.status).toBe('SAVED');
  expect(fake.requests).toHaveLength(1);
  expect(fake.requests[0].body.model).toBe('fake-gpt');
  expect(fake.requests[0].headers.authorization).toBe('Bearer sk-local-test-only');

  casSeen = '7647-14-6';
  const disputed = await runOne('disagree.jpg');
  expect(disputed.status).toBe('IN_REVIEW');
  expect(disputed.reasons.join(' ')).toMatch(/second opinion \(fake-gpt\) read "7647-14-6"/);
  // The key is a secret: never in the stack's output.
  expect(stack.output()).not.toContain('sk-local-test-only');
  expect(readFileSync(SAMPLE).length).toBeGreaterThan(0);
}, 240_000);
