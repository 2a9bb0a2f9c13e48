/**
 * The `intake` CLI as a user runs it (a child process, the stack started in-process by the command itself):
 * `run` on real devset photos and a folder, `review list`, and `eval` on a small labelled folder.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIELD_NAMES } from '../../functions/shared/contract';
import { runCli } from '../helpers/stack-process';

const DEVSET = resolve(__dirname, '../../../shared/labels/devset');
/** A product the shipped catalog does not know: it always goes to a person. */
const NEW_PRODUCT = resolve(__dirname, '../../samples/sample-new-product.jpg');
let root: string;
let dataDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'intake-cli-'));
  dataDir = join(root, 'data');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('intake run --json: one line per photo with the documented keys; a folder skips hidden and metadata files', async () => {
  const folder = join(root, 'photos');
  mkdirSync(join(folder, 'nested'), { recursive: true });
  copyFileSync(join(DEVSET, 'img_0013.jpg'), join(folder, 'img_0013.jpg'));
  copyFileSync(join(DEVSET, 'img_0013.json'), join(folder, 'img_0013.json'));
  writeFileSync(join(folder, '.DS_Store'), 'junk');
  writeFileSync(join(folder, 'nested', 'readme.txt'), 'not a photo, not submitted');
  writeFileSync(join(folder, 'nested', 'scan.png'), 'this is a text file named .png');

  const { code, stdout, stderr } = await runCli(['run', '--data-dir', dataDir, '--json', folder, join(DEVSET, 'img_0008.jpg'), NEW_PRODUCT], { timeoutMs: 180_000 });

  expect(code).toBe(0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.file)).toEqual([join(folder, 'img_0013.jpg'), join(folder, 'nested', 'scan.png'), join(DEVSET, 'img_0008.jpg'), NEW_PRODUCT]);
  for (const l of lines) {
    expect(['SAVED', 'IN_REVIEW', 'REJECTED']).toContain(l.status);
    expect(Object.keys(l.fields).every((k) => (FIELD_NAMES as readonly string[]).includes(k))).toBe(true);
    expect(l.executionId).toMatch(/^arn:aws:states:/);
    expect(Array.isArray(l.reasons)).toBe(true);
  }
  expect(lines[1]).toMatchObject({ status: 'REJECTED', fields: {} });
  expect(lines[1].reason).toMatch(/text file/);
  const truth = JSON.parse(readFileSync(join(DEVSET, 'img_0013.json'), 'utf8'));
  expect(lines[0].fields.casNumber).toBe(truth.casNumber);
  expect(lines[3].status).toBe('IN_REVIEW');
  expect(lines[3].reasons.join(' ')).toMatch(/not in the catalog/);
  expect(stderr).toMatch(/4\/4/);
}, 240_000);

test('intake review list shows what waits for a person, and rerunning a photo returns its existing run', async () => {
  const list = await runCli(['review', 'list', '--data-dir', dataDir], { timeoutMs: 60_000 });
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^review\s+status/m);

  const again = await runCli(['run', '--data-dir', dataDir, '--json', join(DEVSET, 'img_0008.jpg')], { timeoutMs: 120_000 });
  const first = await runCli(['runs', 'list', '--data-dir', dataDir], { timeoutMs: 60_000 });
  expect(again.code).toBe(0);
  expect(first.stdout.split('\n').filter((l) => l.includes('img_0008.jpg'))).toHaveLength(1);
}, 240_000);

test('intake eval prints a per-field table and the summary line, and bad files must be rejected', async () => {
  const set = join(root, 'set');
  mkdirSync(join(set, 'bad'), { recursive: true });
  for (const f of ['img_0008.jpg', 'img_0008.json']) copyFileSync(join(DEVSET, f), join(set, f));
  copyFileSync(join(DEVSET, 'bad', 'not_an_image.png'), join(set, 'bad', 'not_an_image.png'));
  writeFileSync(join(set, 'index.csv'), 'file,template,difficulty\nimg_0008.jpg,merck,clean\n');

  const { code, stdout } = await runCli(['eval', set, '--report', join(root, 'report')], { timeoutMs: 180_000 });

  expect(code).toBe(0);
  expect(stdout).toMatch(/^casNumber\s+\d\.\d{3}/m);
  expect(stdout).toMatch(/^clean\s+\d\.\d{3}\s+1$/m);
  expect(stdout).toMatch(/bad files rejected 1\/1/);
  expect(stdout.trim().split('\n').at(-1)).toMatch(/^field_accuracy=\d\.\d{3} review_rate=\d\.\d{3} auto_accept_precision=(\d\.\d{3}|n\/a)$/);
  expect(readFileSync(join(root, 'report', 'report.md'), 'utf8')).toMatch(/## Per field/);
}, 240_000);

test('intake start that fails part-way (here: an invalid bucket name) says why and exits 1 instead of hanging', async () => {
  const { code, stderr } = await runCli(['start', '--data-dir', join(root, 'failed-start'), '--port', '0', '--no-samples'], {
    env: { INTAKE_BUCKET: 'Bad_Bucket!' },
    timeoutMs: 30_000,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(/^intake: Bucket names can contain/m);
}, 60_000);
