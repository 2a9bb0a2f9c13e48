import { z } from 'zod';
import { s3Client } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ImageRef, type OcrLine } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { readObject } from '../shared/images';
import { ocrHints } from './core';
import { LocalOcr } from './local-ocr';
import { TesseractOcr } from './tesseract-ocr';
import { createTextractClient, detectTextWithTextract } from './textract';

const config = loadConfig();

const Input = z.object({ image: ImageRef, executionArn: z.string().optional() });

type Engine = { recognize(image: Buffer): Promise<OcrLine[]> };
let engine: Engine | undefined;

function ocrEngine(image: ImageRef): Engine {
  if (config.INTAKE_OCR_ENGINE === 'textract') {
    const client = createTextractClient(config);
    return { recognize: (bytes) => detectTextWithTextract(client, bytes, { width: image.normalizedWidth, height: image.normalizedHeight }) };
  }
  engine ??= config.INTAKE_OCR_ENGINE === 'tesseract' ? TesseractOcr.shared() : LocalOcr.shared();
  return engine;
}

/** OCR of the normalised (auto-oriented) copy. Optional by configuration; its failure is never fatal. */
export const handler = defineHandler('OcrHints', Input, async ({ image }) => {
  if (config.INTAKE_OCR === 'off') return { lines: [], skipped: true, engine: 'none', ms: 0 };
  const bytes = await readObject(s3Client(), image.bucket, image.normalizedKey, config.INTAKE_MAX_BYTES);
  const result = await ocrHints(bytes, ocrEngine(image));
  return { lines: result.lines, engine: config.INTAKE_OCR_ENGINE, ms: result.ms };
});
