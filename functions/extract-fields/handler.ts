import { z } from 'zod';
import { ddbClient, s3Client } from '../shared/clients';
import { loadCatalog } from '../shared/catalog-store';
import { loadConfig } from '../shared/config';
import { ImageRef, OcrLine, type LabelReader } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { readObject } from '../shared/images';
import { createBedrockReader, estimateCost, parsePriceTable } from './bedrock-reader';
import { createOfflineReader } from './offline-reader';
import { createSecondOpinion } from './second-opinion';

const config = loadConfig();

const Input = z.object({
  image: ImageRef,
  ocrLines: z.array(OcrLine).default([]),
  feedback: z.array(z.string()).default([]),
  attempt: z.number().int().positive(),
});

let bedrock: LabelReader | undefined;
const prices = parsePriceTable(config.BEDROCK_PRICE_PER_MTOK);
const secondOpinion = createSecondOpinion(config);

/** The LabelReader named by INTAKE_READER: `offline` (no model service) or `bedrock` (Claude via Converse). */
async function reader(): Promise<LabelReader> {
  if (config.INTAKE_READER === 'bedrock') return (bedrock ??= createBedrockReader(config, { requestTimeoutMs: config.BEDROCK_REQUEST_TIMEOUT_MS }));
  return createOfflineReader(await loadCatalog({ ddb: ddbClient(), config }));
}

export const handler = defineHandler('ExtractFields', Input, async (input) => {
  const bytes = await readObject(s3Client(), input.image.bucket, input.image.normalizedKey, config.INTAKE_MAX_BYTES);
  const question = {
    image: bytes,
    mediaType: 'image/jpeg' as const,
    ocrLines: input.ocrLines,
    feedback: input.feedback.length ? input.feedback : undefined,
    attempt: input.attempt,
  };
  const result = await (await reader()).read(question);
  // The optional second opinion is asked the same question; ScoreConfidence compares the two (never fatal).
  if (secondOpinion && !result.noLabelFound) {
    return { ...result, attempt: input.attempt, secondOpinion: await secondOpinion.ask(question), ...costOf(result) };
  }
  return { ...result, attempt: input.attempt, ...costOf(result) };
});

/** Cost is recorded per label so operators can see what the model costs (price table from config). */
function costOf(result: { usage?: Parameters<typeof estimateCost>[0] }): { costUsd?: number } {
  return result.usage ? { costUsd: estimateCost(result.usage, prices) } : {};
}
