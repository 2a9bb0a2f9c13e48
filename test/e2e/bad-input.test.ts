/**
 * Bad input end to end: every file and event a lab app could send ends in exactly one recorded outcome —
 * REJECTED with a sentence a lab worker can act on (shown by the CLI and the console's runs list), or
 * accepted when it is a real photo — and the stack keeps running afterwards.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { s3Client } from '../../functions/shared/clients';
import { objectCreatedEvent } from '../../functions/shared/s3-event';
import { jsonLine, runFiles } from '../../local/cli';
import { InProcessClient } from '../../local/client';
import { runSummary } from '../../local/runs';
import { LocalStack, type Outcome } from '../../local/stack';

const DEVSET = path('../../../shared/labels/devset');
const BAD = join(DEVSET, 'bad');
const SAMPLES = path('../../samples');
function path(rel: string) {
  return resolve(__dirname, rel);
}

let stack: LocalStack;
let dataDir: string;
let variant = 0;
/** A distinct copy of a photo (bytes after the JPEG end marker), so content dedupe does not end it DUPLICATE. */
const distinct = (bytes: Buffer) => Buffer.concat([bytes, Buffer.from(`bad-input-${variant++}`)]);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'intake-bad-'));
  stack = await LocalStack.start({ dataDir, ephemeral: true, memoryEngine: true, env: { INTAKE_OCR: 'off' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  const { LocalOcr } = await import('../../functions/ocr-hints/local-ocr');
  await LocalOcr.terminateShared();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

async function submit(name: string, bytes: Buffer, timeoutMs = 60_000): Promise<Outcome> {
  const { executionArn } = await stack.submitPhoto(name, bytes);
  return stack.waitForOutcome(executionArn, timeoutMs);
}

/** A sentence for a person: starts with a capital, ends with a full stop, no error class names or stack traces. */
function expectHumanReason(reason: string | undefined) {
  expect(reason).toMatch(/^[A-Z].{15,}[.!]$/s);
  expect(reason).not.toMatch(/Error\b|\bat \w+ \(|undefined|\[object|States\./);
}

async function photo(width: number, height: number, colour = '#f4f4f0') {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour}"/>
    <text x="20" y="${height / 2}" font-size="${Math.round(height / 12)}" font-family="DejaVu Sans">Sodium chloride</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

describe('files that are not usable photos end REJECTED with a reason', () => {
  const cases: [string, () => Promise<Buffer> | Buffer, RegExp][] = [
    ['zero-byte file (devset empty.jpg)', () => readFileSync(join(BAD, 'empty.jpg')), /empty \(0 bytes\)/],
    ['truncated JPEG (devset truncated.jpg)', () => readFileSync(join(BAD, 'truncated.jpg')), /damaged or incomplete/],
    ['text file named .png (devset not_an_image.png)', () => readFileSync(join(BAD, 'not_an_image.png')), /text file, not a photo/],
    ['PDF', () => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), /PDF document/],
    [
      'animated GIF',
      async () => {
        const frame = (c: string) => sharp({ create: { width: 300, height: 300, channels: 3, background: c } }).png().toBuffer();
        return sharp([await frame('#ff0000'), await frame('#0000ff')], { join: { animated: true } })
          .gif()
          .toBuffer();
      },
      /GIF image/,
    ],
    ['random binary', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /not an image format we recognise/],
    ['a JPEG too small to read', () => photo(120, 90), /too small/],
  ];

  test.each(cases)('%s', async (_name, make, expected) => {
    const bytes = await make();
    const o = await submit(`bad-${variant++}.png`, bytes);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toMatch(expected);
    expectHumanReason(o.reason);
  }, 60_000);

  test('a 200 MB file is refused by the documented size limit (INTAKE_MAX_BYTES, 50 MB) before it is downloaded', async () => {
    const big = Buffer.alloc(200 * 1024 * 1024);
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(big);
    const o = await submit('big.jpg', big, 120_000);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toMatch(/too large|limit is 50 MB/);
    expectHumanReason(o.reason);
  }, 180_000);
});

describe('real photos in awkward shapes are accepted', () => {
  test('a CMYK JPEG is accepted (converted to sRGB for the reader)', async () => {
    const cmyk = await sharp(await photo(1200, 900)).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const o = await submit('cmyk.jpg', cmyk);
    expect(['SAVED', 'IN_REVIEW']).toContain(o.status);
  }, 60_000);

  test('the 12000×9000 devset photo is downscaled (not refused, no out-of-memory) and read', async () => {
    const rssBefore = process.memoryUsage().rss;
    const { executionArn } = await stack.submitPhoto('huge_12000x9000.jpg', distinct(readFileSync(join(BAD, 'huge_12000x9000.jpg'))));
    const o = await stack.waitForOutcome(executionArn, 120_000);
    expect(['SAVED', 'IN_REVIEW']).toContain(o.status);
    const intake = (await stack.listIntakes()).find((i) => i.executionArn === executionArn)!;
    const normalized = await stack.getObject(`derived/normalized/${intake.contentHash}.jpg`);
    const meta = await sharp(normalized!).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1568);
    // Shrink-on-load: a full decode would need ~324 MB for the pixels alone.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  }, 150_000);

  test('a photo with no label (devset no_label.jpg) ends REJECTED: no label found, nothing saved', async () => {
    const o = await submit('no_label.jpg', distinct(readFileSync(join(BAD, 'no_label.jpg'))), 90_000);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toMatch(/No reagent label was found/);
    expectHumanReason(o.reason);
    expect((await stack.listRecords()).some((r) => r.executionArn === o.executionArn)).toBe(false);
  }, 120_000);
});

describe('object keys and events', () => {
  const sample = () => distinct(readFileSync(join(SAMPLES, 'sample-sodium-chloride.jpg')));

  async function putAndDeliver(key: string, bytes: Buffer) {
    const put = await s3Client().send(new PutObjectCommand({ Bucket: stack.config.INTAKE_BUCKET, Key: key, Body: bytes, ContentLength: bytes.length }));
    const event = objectCreatedEvent({ bucket: stack.config.INTAKE_BUCKET, key, size: bytes.length, etag: put.ETag?.replace(/"/g, '') });
    return stack.waitForOutcome(await stack.deliverEvent(event), 90_000);
  }

  test.each([
    ['spaces', 'incoming/lab 3/bottle on shelf (1).jpg'],
    ['unicode', 'incoming/시약/염산 ボトル ü+ß.jpg'],
    ['../ segments', 'incoming/../../../outside/../etc/label.jpg'],
  ])('a key with %s is read and recorded under its exact key', async (_n, key) => {
    const o = await putAndDeliver(key, sample());
    expect(['SAVED', 'IN_REVIEW']).toContain(o.status);
    expect(o.sourceKey).toBe(key);
  }, 120_000);

  test('a "../" key does not make the local S3 store write outside its folder', () => {
    const stray = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
    expect(stray(join(dataDir, 'outside'))).toEqual([]);
    expect(stray(join(dataDir, 'etc'))).toEqual([]);
    expect(stray(resolve(dataDir, '..', 'outside'))).toEqual([]);
  });

  test('an event for an object deleted before processing ends REJECTED, saying the photo is gone', async () => {
    const key = 'incoming/deleted/gone.jpg';
    const bytes = sample();
    await s3Client().send(new PutObjectCommand({ Bucket: stack.config.INTAKE_BUCKET, Key: key, Body: bytes, ContentLength: bytes.length }));
    await s3Client().send(new DeleteObjectCommand({ Bucket: stack.config.INTAKE_BUCKET, Key: key }));
    const o = await stack.waitForOutcome(await stack.deliverEvent(objectCreatedEvent({ bucket: stack.config.INTAKE_BUCKET, key, size: bytes.length, etag: 'abc' })), 60_000);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toMatch(/no longer in the bucket/);
    expectHumanReason(o.reason);
  }, 60_000);

  test.each([
    ['an empty object', {}],
    ['null', null],
    ['a string', 'hello'],
    ['an event from another service', { 'detail-type': 'Object Created', source: 'aws.ec2', detail: {} }],
    ['an S3 event without a key', { 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: 'intake' }, object: {} } }],
    ['a key that is not valid URL encoding', { 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: 'intake' }, object: { key: 'incoming/%E0%A4%A.jpg' } } }],
  ])('a malformed event (%s) ends REJECTED with a reason', async (_n, event) => {
    const o = await stack.waitForOutcome(await stack.deliverEvent(event), 60_000);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toMatch(/S3 "Object Created" event|not valid URL encoding/);
  }, 60_000);
});

describe('what a lab worker sees', () => {
  test('the CLI (`intake run`) and the console runs list show each rejection with its reason; the stack still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-bad-files-'));
    try {
      writeFileSync(join(dir, 'empty.jpg'), '');
      writeFileSync(join(dir, 'notes.png'), 'CAS 7647-01-0 hydrochloric acid\n');
      const client = new InProcessClient(stack, dataDir);
      const results = await runFiles(client, [join(dir, 'empty.jpg'), join(dir, 'notes.png')], { progress: false });
      const lines = results.map((r) => JSON.parse(jsonLine(r)));
      expect(lines.map((l) => l.status)).toEqual(['REJECTED', 'REJECTED']);
      expect(lines[0].reason).toMatch(/empty/);
      expect(lines[1].reason).toMatch(/text file/);
      expect(lines[1].fields).toEqual({});

      const runs = await runSummary(stack);
      for (const r of results) expect(runs.find((x) => x.executionArn === r.outcome!.executionArn)).toMatchObject({ status: 'REJECTED', reason: r.outcome!.reason });

      // Nothing above left the stack broken: a good photo still runs through.
      const good = await submit('after-all-that.jpg', distinct(readFileSync(join(SAMPLES, 'sample-sodium-chloride.jpg'))));
      expect(['SAVED', 'IN_REVIEW']).toContain(good.status);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('no run of this file ended FAILED or without a recorded outcome', async () => {
    const runs = await runSummary(stack);
    expect(runs.length).toBeGreaterThan(15);
    expect(runs.filter((r) => !['SAVED', 'IN_REVIEW', 'REJECTED'].includes(r.status)).map((r) => `${r.name} ${r.status} ${r.reason}`)).toEqual([]);
  });
});
