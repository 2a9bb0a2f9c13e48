import { createTextractClient, detectTextWithTextract } from '../../functions/ocr-hints/textract';
import { OcrFailedError } from '../../functions/shared/errors';
import { recordedLabelBlocks, startFakeTextract, type FakeTextract, type FakeTextractReply } from '../helpers/fake-textract-server';

let server: FakeTextract;
let reply: FakeTextractReply;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDFAKE';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
  server = await startFakeTextract({ respond: () => reply });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  reply = { kind: 'blocks', blocks: recordedLabelBlocks() };
});

const client = () => createTextractClient({ TEXTRACT_ENDPOINT: server.url }, 'us-east-1');
const image = Buffer.from('not really a jpeg, the fake does not decode it');

describe('detectTextWithTextract', () => {
  it('sends the bytes to DetectDocumentText and returns LINE blocks with pixel boxes', async () => {
    const lines = await detectTextWithTextract(client(), image, { width: 1000, height: 800 });

    expect(server.requests).toHaveLength(1);
    expect(Buffer.from(server.requests[0].body.Document.Bytes, 'base64').equals(image)).toBe(true);
    expect(lines).toEqual([
      { text: 'Hydrochloric acid', confidence: 99.61, engine: 'textract', box: { left: 100, top: 160, width: 500, height: 40 } },
      { text: 'CAS No. 7647-01-0', confidence: 87.25, engine: 'textract', box: { left: 100, top: 240, width: 400, height: 32 } },
    ]);
  });

  it('returns no lines for a blank page', async () => {
    reply = { kind: 'blocks', blocks: [{ BlockType: 'PAGE', Id: 'p1', Geometry: { BoundingBox: { Left: 0, Top: 0, Width: 1, Height: 1 } } }] };

    await expect(detectTextWithTextract(client(), image, { width: 10, height: 10 })).resolves.toEqual([]);
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400],
    ['ThrottlingException', 400],
    ['InvalidParameterException', 400],
    ['UnsupportedDocumentException', 400],
    ['AccessDeniedException', 400],
    ['InternalServerError', 500],
  ])('maps %s to the non-fatal OcrFailedError', async (type, status) => {
    reply = { kind: 'error', status, type, message: 'nope' };

    const err = await detectTextWithTextract(client(), image, { width: 10, height: 10 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OcrFailedError);
    expect((err as Error).name).toBe('OcrFailedError');
    expect((err as Error).message).toContain(type);
  });

  it('refuses images over the synchronous size limit without calling Textract', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);

    await expect(detectTextWithTextract(client(), big, { width: 10, height: 10 })).rejects.toBeInstanceOf(OcrFailedError);
    expect(server.requests).toHaveLength(0);
  });
});
