/**
 * An upload stored while no stack was running (its event lost) gets its run when the stack starts again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

test('an object under incoming/ with no run is picked up at start, once', async () => {
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
  await client.send(new PutObjectCommand({ Bucket: 'intake', Key: 'incoming/while-down/notes.png', Body: 'not a photo at all' }));
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
    expect(found[0].status).toBe('REJECTED');
    expect(await second.reconcileUploads()).toBe(0);
  } finally {
    await second.close();
  }
}, 60_000);
