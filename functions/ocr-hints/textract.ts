import { DetectDocumentTextCommand, TextractClient, type Block } from '@aws-sdk/client-textract';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../shared/config';
import type { OcrLine } from '../shared/contract';
import { OcrFailedError } from '../shared/errors';

/** Synchronous DetectDocumentText accepts at most 10 MB of bytes. */
export const TEXTRACT_MAX_BYTES = 10 * 1024 * 1024;

/** A Textract client for the configured region; TEXTRACT_ENDPOINT points it at a local fake in tests. */
export function createTextractClient(config: Pick<Config, 'TEXTRACT_ENDPOINT'>, region = process.env.AWS_REGION): TextractClient {
  return new TextractClient({
    ...(region ? { region } : {}),
    ...(config.TEXTRACT_ENDPOINT ? { endpoint: config.TEXTRACT_ENDPOINT } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true }),
    // OCR hints are optional: fail fast and let the state machine continue without them.
    maxAttempts: 2,
  });
}

function toLine(block: Block, size: { width: number; height: number }): OcrLine | undefined {
  const box = block.Geometry?.BoundingBox;
  if (!block.Text || !box) return undefined;
  // Textract geometry is relative to the page (0..1); OcrLine boxes are pixels of the image we sent.
  return {
    text: block.Text,
    confidence: Math.min(100, Math.max(0, block.Confidence ?? 0)),
    engine: 'textract' as const,
    box: {
      left: Math.round((box.Left ?? 0) * size.width),
      top: Math.round((box.Top ?? 0) * size.height),
      width: Math.round((box.Width ?? 0) * size.width),
      height: Math.round((box.Height ?? 0) * size.height),
    },
  };
}

/**
 * Amazon Textract DetectDocumentText on the image bytes → LINE blocks as OcrLines, in reading order. Every
 * failure becomes OcrFailedError: OCR only gives hints, so the state machine carries on without them.
 */
export async function detectTextWithTextract(
  client: TextractClient,
  image: Buffer,
  size: { width: number; height: number },
): Promise<OcrLine[]> {
  if (image.length > TEXTRACT_MAX_BYTES) {
    throw new OcrFailedError(`Image is ${image.length} bytes; Textract accepts at most ${TEXTRACT_MAX_BYTES}.`);
  }
  let blocks: Block[];
  try {
    const res = await client.send(new DetectDocumentTextCommand({ Document: { Bytes: new Uint8Array(image) } }));
    blocks = res.Blocks ?? [];
  } catch (err) {
    const e = err as { name?: string; message?: string };
    throw new OcrFailedError(`Textract DetectDocumentText failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, {
      cause: err,
    });
  }
  return blocks
    .filter((b) => b.BlockType === 'LINE')
    .map((b) => toLine(b, size))
    .filter((l): l is OcrLine => l !== undefined);
}
