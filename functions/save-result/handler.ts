import { z } from 'zod';
import { ddbClient } from '../shared/clients';
import { loadCatalog } from '../shared/catalog-store';
import { loadConfig } from '../shared/config';
import { ImageRef, LabelFields, TokenUsage } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { saveResult } from './core';

const config = loadConfig();

const Input = z.object({
  intakeId: z.string(),
  executionArn: z.string(),
  image: ImageRef,
  fields: LabelFields,
  scored: z.object({ confidence: z.record(z.string(), z.unknown()), overall: z.number() }).passthrough().nullable(),
  extraction: z.object({ reader: z.string(), modelId: z.string().nullish(), usage: TokenUsage.nullish(), costUsd: z.number().nullish() }),
  attempts: z.number().int().nonnegative(),
  review: z
    .object({ reviewId: z.string(), reviewer: z.string(), corrections: z.record(z.string(), z.unknown()).optional() })
    .passthrough()
    .nullable(),
});

export const handler = defineHandler('SaveResult', Input, async (input) => {
  const deps = { ddb: ddbClient(), config };
  return saveResult(deps, await loadCatalog(deps), input);
});
