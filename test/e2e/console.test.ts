import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepHandler } from '../../local/stack';
import { DEVSET, launchBrowser, screenshots, startConsoleStack, type Browser, type ConsoleStack } from './console-helpers';

jest.setTimeout(60_000);

/**
 * The scorer's decision, steered per test so each path is deterministic whatever the extractor's tuning:
 * ACCEPT (auto-save), REVIEW (human review), or the real decision. `inject` overrides extracted fields.
 */
const steer: { decision?: 'ACCEPT' | 'REVIEW'; inject?: Record<string, unknown> } = {};
const XSS = '<img src=x onerror=alert(1)>';

const wrapScore =
  (handler: StepHandler): StepHandler =>
  async (event, context) => {
    const out = (await handler(event, context)) as { decision: string; reviewReasons: string[]; fields: Record<string, unknown> };
    if (steer.inject) out.fields = { ...out.fields, ...steer.inject };
    if (steer.decision === 'ACCEPT') Object.assign(out, { decision: 'ACCEPT', reviewReasons: [] });
    if (steer.decision === 'REVIEW') Object.assign(out, { decision: 'REVIEW', reviewReasons: [...out.reviewReasons, 'Held for review by the console test.'] });
    return out;
  };

let env: ConsoleStack;
let browser: Browser;
const photo = (name: string) => join(DEVSET, name);
const groundTruth = (name: string) => JSON.parse(readFileSync(photo(name.replace(/\.jpg$/, '.json')), 'utf8')) as Record<string, unknown>;

async function uploadViaConsole(file: string) {
  const { page } = browser;
  await page.goto(`${env.baseUrl}/#/upload`);
  await page.locator('#file-input').setInputFiles(file);
}

/** Wait for an upload row to leave RUNNING and return its final status. */
async function uploadOutcome(fileName: string): Promise<string> {
  const row = browser.page.locator(`.upload-item[data-file="${fileName}"]`).first();
  await row.waitFor();
  await browser.page.waitForFunction(
    (name) => {
      const el = document.querySelector(`.upload-item[data-file="${CSS.escape(name)}"]`) as HTMLElement | null;
      return !!el && !['queued', 'uploading', 'running', 'RUNNING'].includes(el.dataset.status ?? '');
    },
    fileName,
    { timeout: 30_000 },
  );
  return (await row.getAttribute('data-status')) ?? '';
}

beforeAll(async () => {
  [env, browser] = await Promise.all([
    startConsoleStack({ wrapHandler: (key, handler) => (key === 'ScoreConfidenceFunctionArn' ? wrapScore(handler) : handler) }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

afterEach(() => {
  steer.decision = undefined;
  steer.inject = undefined;
});

test('an uploaded devset photo runs to SAVED and shows in the live runs list', async () => {
  // Prepare
  steer.decision = 'ACCEPT';
  const { page } = browser;

  // Act
  await uploadViaConsole(photo('img_0001.jpg'));
  const status = await uploadOutcome('img_0001.jpg');

  // Assess
  expect(status).toBe('SAVED');
  await page.goto(`${env.baseUrl}/#/runs`);
  const row = page.locator('tr[data-status="SAVED"]', { hasText: 'img_0001.jpg' });
  await row.waitFor();
  expect(await row.locator('.product').innerText()).not.toBe('—');
  expect(await page.locator('.chip[data-status="SAVED"] .chip-count').innerText()).toBe('1');
  await page.locator('tr[data-status="SAVED"] img.thumb').first().waitFor();
});

test('the runs list updates live while a run progresses', async () => {
  steer.decision = 'ACCEPT';
  const { page } = browser;
  await page.goto(`${env.baseUrl}/#/runs`);
  await page.locator('.live[data-state="live"]').waitFor();

  // An upload that does not come from this page: only the event stream can tell the page about it.
  const { executionArn } = await env.stack.submitPhoto('img_0005.jpg', readFileSync(photo('img_0005.jpg')));
  await env.stack.waitForOutcome(executionArn, 30_000);

  await page.locator('tr[data-status="SAVED"]', { hasText: 'img_0005.jpg' }).waitFor({ timeout: 10_000 });
  await page.locator('#runs-search').fill('img_0005');
  await page.waitForFunction(() => document.querySelectorAll('.runs-table tbody tr').length === 1);
  await page.locator('#runs-search').fill('');
  await page.waitForFunction(() => document.querySelectorAll('.runs-table tbody tr').length === 2);
  await screenshots(page, 'runs');
});

test('run detail draws the state machine with elkjs and highlights the path taken', async () => {
  const { page } = browser;
  await page.goto(`${env.baseUrl}/#/runs`);
  await page.locator('a.run-link', { hasText: 'img_0001.jpg' }).click();

  await page.locator('svg.graph .node[data-state="Saved"]').waitFor();
  const path: string[] = await page.evaluate(async () => {
    const arn = decodeURIComponent(location.hash.replace('#/runs/', ''));
    return (await (await fetch(`/api/runs/${encodeURIComponent(arn)}`)).json()).path;
  });
  expect(path[0]).toBe('Begin');
  expect(path.at(-1)).toBe('Saved');
  const visited = await page.$$eval('svg.graph .node[data-run="visited"]', (els) => els.map((e) => (e as SVGElement).dataset.state));
  expect(new Set(visited)).toEqual(new Set(['__start', ...path]));
  // Nodes are placed by the layout library, not by hand: every one has its own translated position.
  const positions = await page.$$eval('svg.graph .node', (els) => els.map((e) => e.getAttribute('transform')));
  expect(new Set(positions).size).toBe(positions.length);
  expect(await page.locator('svg.graph .edge.taken').count()).toBe(path.length);
  expect(await page.locator('svg.graph .node[data-state="HumanReview"]').getAttribute('data-run')).toBe('idle');

  // Per-state input and output, side by side, by selecting a state in the graph.
  await page.locator('svg.graph .node[data-state="ScoreConfidence"]').click();
  const io = page.locator('tr.io-row .io-pane');
  await io.first().waitFor();
  expect(await io.count()).toBe(2);
  expect(await io.nth(1).innerText()).toContain('"decision": "ACCEPT"');

  // The event history uses AWS event names and can be filtered by type.
  await page.locator('#event-type').selectOption('TaskStateEntered');
  const types = await page.$$eval('.events-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.type));
  expect(types.length).toBeGreaterThan(3);
  expect(new Set(types)).toEqual(new Set(['TaskStateEntered']));
  await page.locator('#event-type').selectOption('');
  await screenshots(page, 'run-detail', { fullPage: true });
});

test('a low-confidence photo is approved with a correction in the review page and the run ends SAVED', async () => {
  // Prepare: held for review, with a hostile product name as a label could print.
  steer.decision = 'REVIEW';
  steer.inject = { productName: XSS };
  const { page, problems } = browser;
  const truth = groundTruth('img_0002.jpg');
  const { executionArn } = await env.stack.submitPhoto('img_0002.jpg', readFileSync(photo('img_0002.jpg')));
  const waiting = await env.stack.waitForOutcome(executionArn, 30_000);
  expect(waiting.status).toBe('IN_REVIEW');
  steer.inject = undefined;

  // The queue shows the label text as text.
  await page.goto(`${env.baseUrl}/#/reviews`);
  const item = page.locator(`.review-item[data-review="${waiting.reviewId}"]`);
  await item.waitFor();
  expect(await item.locator('.review-item-title').innerText()).toBe(XSS);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  await page.waitForFunction(() => document.getElementById('review-count')?.textContent === '1');

  // Act: open it, correct two fields, approve with the keyboard shortcut.
  await item.locator('.review-item-title a').click();
  await page.locator('#f-productName').waitFor();
  expect(await page.locator('#f-productName').inputValue()).toBe(XSS);
  expect(await page.locator('svg.ocr-overlay rect.ocr-box').count()).toBeGreaterThan(0);
  expect(await page.locator('.review-field.tone-low, .review-field.tone-medium, .review-field.tone-high').count()).toBeGreaterThan(3);
  expect(await page.locator('.shortcuts').innerText()).toMatch(/Approve/);
  await page.locator('#f-productName').fill(String(truth.productName ?? 'Corrected name'));
  await page.locator('#f-lotNumber').fill('E2E-LOT-42');
  await page.locator('#reviewer').fill('e2e reviewer');
  await page.locator('button[aria-label="Zoom in"]').click();
  expect(await page.locator('.zoom-label').innerText()).toBe('150%');
  await page.keyboard.press('0');
  await screenshots(page, 'review');
  expect(await page.content()).not.toMatch(/taskToken|AQey/);
  await page.locator('#f-lotNumber').focus();
  await page.keyboard.press('Control+Enter');

  // Assess: the waiting execution resumes at once and the page shows it finish.
  await page.locator('.final-status[data-status="SAVED"]').waitFor({ timeout: 20_000 });
  const records = (await (await fetch(`${env.baseUrl}/api/records`)).json()).records as { executionArn: string; fields: Record<string, unknown>; reviewer: string; reviewed: boolean }[];
  const saved = records.find((r) => r.executionArn === executionArn)!;
  expect(saved.fields.lotNumber).toBe('E2E-LOT-42');
  expect(saved.fields.productName).toBe(String(truth.productName ?? 'Corrected name'));
  expect(saved).toMatchObject({ reviewed: true, reviewer: 'e2e reviewer' });
  expect(problems).toEqual([]);
});

test('records list the saved reagents with search and CSV export; the catalog marks learned products', async () => {
  const { page } = browser;
  await page.goto(`${env.baseUrl}/#/records`);
  await page.locator('.records-table tbody tr').first().waitFor();
  expect(await page.locator('.records-table tbody tr').count()).toBe(3);
  await page.locator('#records-search').fill('E2E-LOT-42');
  await page.waitForFunction(() => document.querySelectorAll('.records-table tbody tr').length === 1);
  expect(await page.locator('.records-table tbody tr').innerText()).toContain('reviewed by e2e reviewer');
  await page.locator('#records-search').fill('');
  const csvHref = await page.locator('#csv-export').getAttribute('href');
  const csv = await (await fetch(new URL(csvHref!, env.baseUrl))).text();
  expect(csv).toContain('E2E-LOT-42');
  await screenshots(page, 'records');

  await page.goto(`${env.baseUrl}/#/catalog`);
  await page.locator('.catalog-table tbody tr').first().waitFor();
  expect(await page.locator('.catalog-table tbody tr').count()).toBeGreaterThan(100);
  await page.locator('#catalog-source').selectOption('learned');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.catalog-table tbody tr')).every((r) => (r as HTMLElement).dataset.source === 'learned') || !!document.querySelector('.empty'));
  await screenshots(page, 'catalog');
});

test('a bad file ends REJECTED with its reason visible', async () => {
  const { page } = browser;
  await uploadViaConsole(join(DEVSET, 'bad', 'not_an_image.png'));
  expect(await uploadOutcome('not_an_image.png')).toBe('REJECTED');
  const reason = await page.locator('.upload-item[data-file="not_an_image.png"] .reason').innerText();
  expect(reason.length).toBeGreaterThan(10);

  await page.locator('.upload-item[data-file="not_an_image.png"] a', { hasText: 'View run' }).click();
  await page.locator('#outcome-reason').waitFor();
  expect(await page.locator('#outcome-reason').innerText()).toBe(reason);
  await page.locator('svg.graph .node[data-state="Rejected"][data-run="visited"]').waitFor();
  expect(await page.locator('svg.graph .node[data-state="RecordRejection"]').getAttribute('data-run')).toBe('visited');

  await page.goto(`${env.baseUrl}/#/runs?status=REJECTED`);
  await page.locator('tr[data-status="REJECTED"] .reason').first().waitFor();
  expect(await page.locator('tr[data-status="REJECTED"] .reason').first().innerText()).toBe(reason);
});

test('a run waiting in review can be rejected from the keyboard, and another stopped from its detail page', async () => {
  steer.decision = 'REVIEW';
  const { page } = browser;
  const first = await env.stack.submitPhoto('img_0003.jpg', readFileSync(photo('img_0003.jpg')));
  const second = await env.stack.submitPhoto('img_0004.jpg', readFileSync(photo('img_0004.jpg')));
  const [a, b] = await Promise.all([env.stack.waitForOutcome(first.executionArn, 30_000), env.stack.waitForOutcome(second.executionArn, 30_000)]);

  // Reject with R, a reason, Ctrl+Enter.
  await page.goto(`${env.baseUrl}/#/reviews/${a.reviewId}`);
  await page.locator('#approve').waitFor();
  await page.locator('h1').click();
  await page.keyboard.press('r');
  await page.locator('dialog #dialog-input').fill('Not a reagent label (e2e).');
  await page.keyboard.press('Control+Enter');
  await page.locator('.final-status[data-status="REJECTED"]').waitFor({ timeout: 20_000 });
  expect((await env.stack.outcome(first.executionArn)).reason).toContain('Not a reagent label (e2e).');

  // Stop from the run detail page; the run detail never shows the task token.
  await page.goto(`${env.baseUrl}/#/runs/${encodeURIComponent(second.executionArn)}`);
  await page.locator('svg.graph .node[data-state="HumanReview"][data-run="current"]').waitFor();
  for (const d of await page.locator('.events-table details').all()) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
  for (const t of await page.locator('button.io-toggle').all()) await t.click();
  expect(await page.content()).not.toMatch(/"taskToken":\s*"A|AQey/);
  expect(b.status).toBe('IN_REVIEW');
  await page.locator('#stop-run').click();
  await page.locator('dialog button[type="submit"]').click();
  await page.locator('#execution-status', { hasText: 'Stopped' }).waitFor({ timeout: 10_000 });
  await page.locator('#redrive-run').waitFor();
});

test('cross-site POSTs are refused: without the CSRF header, or from a foreign Origin', async () => {
  const bytes = readFileSync(photo('img_0006.jpg'));
  const before = (await (await fetch(`${env.baseUrl}/api/runs`)).json()).total;

  const noHeader = await fetch(`${env.baseUrl}/api/uploads`, { method: 'POST', headers: { 'x-file-name': 'a.jpg' }, body: bytes });
  const foreign = await fetch(`${env.baseUrl}/api/uploads`, { method: 'POST', headers: { 'x-file-name': 'b.jpg', 'x-intake-csrf': '1', origin: 'http://evil.example' }, body: bytes });
  expect(noHeader.status).toBe(403);
  expect(foreign.status).toBe(403);
  expect((await foreign.json()).message).toMatch(/Cross-origin/);

  // From a page on another origin (localhost is not 127.0.0.1): a form-style POST cannot carry the header,
  // and a POST with it needs a CORS preflight, which the server does not grant.
  const { page } = browser;
  await page.goto(`http://localhost:${env.port}/#/upload`);
  const results = await page.evaluate(async (target) => {
    const attempt = (init: RequestInit) =>
      fetch(`${target}/api/uploads`, { method: 'POST', body: 'not a photo', ...init }).then(
        (res) => res.type,
        (err: Error) => err.name,
      );
    return [await attempt({ mode: 'no-cors' }), await attempt({ headers: { 'x-intake-csrf': '1', 'x-file-name': 'evil.jpg' } })];
  }, env.baseUrl);
  // The browser either blocks it or gets an unreadable (opaque) refusal; either way nothing was started.
  for (const r of results) expect(['opaque', 'TypeError']).toContain(r);
  expect((await (await fetch(`${env.baseUrl}/api/runs`)).json()).total).toBe(before);
});
