import { z } from 'zod';
import { ddbClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ImageRef, OcrLine } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { requestReview } from './core';

const config = loadConfig();

const Input = z.object({
  taskToken: z.string().min(1),
  executionArn: z.string(),
  intakeId: z.string(),
  image: ImageRef,
  scored: z.object({
    fields: z.record(z.string(), z.unknown()),
    confidence: z.record(z.string(), z.unknown()),
    overall: z.number(),
    reviewReasons: z.array(z.string()),
  }),
  ocrLines: z.array(OcrLine).default([]),
});

/** Stores the review item with its task token; the state machine then waits for a reviewer's decision. */
export const handler = defineHandler('HumanReview', Input, (input) => requestReview({ ddb: ddbClient(), config }, input));
