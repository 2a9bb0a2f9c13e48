/**
 * An upload stored while no stack was running (its event lost) gets its run when the stack starts again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { LocalStack } from '../../local/stack';

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'intake-reconcile-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('a whole upload under incoming/ with no run is picked up at start, once; cut or unverifiable ones are not', async () => {
  // Prepare: a stack has owned the folder before (bucket and tables exist), then stopped.
  const first = await LocalStack.start({ dataDir, env: { INTAKE_OCR: 'off' } });
  await first.close();

  // The upload lands while nothing listens for its event.
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(dataDir, 's3') });
  const { port } = await s3rver.run();
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const whole = 'not a photo at all';
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  // As submitPhoto stores an upload: with its SHA-256 in metadata.
  await client.send(new PutObjectCommand({ Bucket: 'intake', Key: 'incoming/while-down/notes.png', Body: whole, Metadata: { 'content-sha256': sha(whole) } }));
  // An upload cut by the crash (bytes do not match), and one without the checksum: never acknowledged, not started.
  await client.send(new PutObjectCommand({ Bucket: 'intake', Key: 'incoming/while-down/cut.png', Body: whole.slice(0, 5), Metadata: { 'content-sha256': sha(whole) } }));
  await client.send(new PutObjectCommand({ Bucket: 'intake', Key: 'incoming/while-down/unknown.png', Body: whole }));
  client.destroy();
  await s3rver.close();

  // Act: the stack starts again.
  const second = await LocalStack.start({ dataDir, env: { INTAKE_OCR: 'off' } });
  try {
    const intakes = async () => (await second.listIntakes()).filter((i) => i.sourceKey === 'incoming/while-down/notes.png');
    const deadline = Date.now() + 20_000;
    while ((await intakes()).every((i) => i.status === 'PROCESSING') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    // Assess: one run, one recorded outcome; a second reconcile starts nothing.
    const found = await intakes();
    expect(found).toHaveLength(1);
    expect((await second.listIntakes()).filter((i) => i.sourceKey?.startsWith('incoming/while-down/'))).toHaveLength(1);
    expect(found[0].status).toBe('REJECTED');
    expect(await second.reconcileUploads()).toBe(0);
  } finally {
    await second.close();
  }
}, 60_000);

test('an upload whose metadata a crash cut mid-write is removed at start, so the store lists again and the stack starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'intake-cut-meta-'));
  try {
    const first = await LocalStack.start({ dataDir: dir, env: { INTAKE_OCR: 'off' } });
    await first.close();
    // s3rver writes bytes, MD5, then metadata JSON; a SIGKILL in the last step leaves the JSON cut short.
    const s3dir = join(dir, 's3', 'intake', 'incoming', 'cut');
    mkdirSync(s3dir, { recursive: true });
    writeFileSync(join(s3dir, 'photo.jpg._S3rver_object'), 'partial bytes');
    writeFileSync(join(s3dir, 'photo.jpg._S3rver_object.md5'), 'd41d8cd98f00b204e9800998ecf8427e');
    writeFileSync(join(s3dir, 'photo.jpg._S3rver_metadata.json'), '{\n  "content-type": "ima');

    const lines: string[] = [];
    const second = await LocalStack.start({ dataDir: dir, env: { INTAKE_OCR: 'off' }, log: (l: string) => lines.push(l) });
    try {
      expect(lines.join('\n')).toMatch(/removed an upload cut by a crash before it was acknowledged: intake\/incoming\/cut\/photo\.jpg/);
      expect(existsSync(join(s3dir, 'photo.jpg._S3rver_object'))).toBe(false);
      expect(await second.reconcileUploads()).toBe(0);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
