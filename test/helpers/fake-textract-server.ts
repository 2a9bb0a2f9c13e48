import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks Textract's awsJson1_1 protocol (POST /, `X-Amz-Target: Textract.<Operation>`),
 * for the real TextractClient pointed at it with `endpoint: url`.
 */

export type FakeTextractReply =
  | { kind: 'blocks'; blocks: unknown[] }
  /** A modelled error: awsJson carries the type in the body's `__type`. */
  | { kind: 'error'; status: number; type: string; message: string };

export interface FakeTextractRequest {
  target: string;
  body: any;
}

export interface FakeTextract {
  url: string;
  requests: FakeTextractRequest[];
  close(): Promise<void>;
}

/**
 * The shape of a real DetectDocumentText answer for a small label: one PAGE, two LINEs, their WORDs.
 * Geometry is relative (0..1) to the page, as Textract returns it.
 */
export function recordedLabelBlocks(): unknown[] {
  const geometry = (left: number, top: number, width: number, height: number) => ({
    BoundingBox: { Left: left, Top: top, Width: width, Height: height },
    Polygon: [
      { X: left, Y: top },
      { X: left + width, Y: top },
      { X: left + width, Y: top + height },
      { X: left, Y: top + height },
    ],
  });
  return [
    { BlockType: 'PAGE', Id: 'p1', Geometry: geometry(0, 0, 1, 1), Relationships: [{ Type: 'CHILD', Ids: ['l1', 'l2'] }] },
    {
      BlockType: 'LINE', Id: 'l1', Confidence: 99.61, Text: 'Hydrochloric acid',
      Geometry: geometry(0.1, 0.2, 0.5, 0.05), Relationships: [{ Type: 'CHILD', Ids: ['w1', 'w2'] }],
    },
    {
      BlockType: 'LINE', Id: 'l2', Confidence: 87.25, Text: 'CAS No. 7647-01-0',
      Geometry: geometry(0.1, 0.3, 0.4, 0.04), Relationships: [{ Type: 'CHILD', Ids: ['w3', 'w4', 'w5'] }],
    },
    { BlockType: 'WORD', Id: 'w1', Confidence: 99.7, Text: 'Hydrochloric', TextType: 'PRINTED', Geometry: geometry(0.1, 0.2, 0.3, 0.05) },
    { BlockType: 'WORD', Id: 'w2', Confidence: 99.5, Text: 'acid', TextType: 'PRINTED', Geometry: geometry(0.42, 0.2, 0.18, 0.05) },
    { BlockType: 'WORD', Id: 'w3', Confidence: 90.1, Text: 'CAS', TextType: 'PRINTED', Geometry: geometry(0.1, 0.3, 0.08, 0.04) },
    { BlockType: 'WORD', Id: 'w4', Confidence: 80.2, Text: 'No.', TextType: 'PRINTED', Geometry: geometry(0.19, 0.3, 0.07, 0.04) },
    { BlockType: 'WORD', Id: 'w5', Confidence: 91.4, Text: '7647-01-0', TextType: 'PRINTED', Geometry: geometry(0.27, 0.3, 0.23, 0.04) },
  ];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeTextract(opts: {
  respond: (req: FakeTextractRequest) => FakeTextractReply;
}): Promise<FakeTextract> {
  const requests: FakeTextractRequest[] = [];
  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse((await readBody(req)) || '{}');
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake-request-id' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || target !== 'Textract.DetectDocumentText') {
      send(400, { __type: 'UnknownOperationException', message: `Unsupported target ${target}` });
      return;
    }
    requests.push({ target, body });
    const reply = opts.respond({ target, body });
    if (reply.kind === 'error') {
      send(reply.status, { __type: `com.amazonaws.textract#${reply.type}`, message: reply.message });
      return;
    }
    send(200, { DocumentMetadata: { Pages: 1 }, Blocks: reply.blocks, DetectDocumentTextModelVersion: '1.0' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
