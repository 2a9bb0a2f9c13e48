import { z } from 'zod';
import { ddbClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ImageRef } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { recordOutcome } from './core';

const config = loadConfig();

const Input = z.object({
  status: z.enum(['REJECTED', 'REVIEW_EXPIRED', 'FAILED', 'DUPLICATE']),
  event: z.unknown(),
  executionArn: z.string(),
  intakeId: z.string().nullish().transform((v) => v ?? null),
  image: ImageRef.nullish().transform((v) => v ?? null),
  error: z.string().nullish(),
  cause: z.string().nullish(),
  duplicateOf: z.string().nullish(),
  review: z.unknown().optional(),
});

export const handler = defineHandler('RecordOutcome', Input, (input) => recordOutcome({ ddb: ddbClient(), config }, input));
