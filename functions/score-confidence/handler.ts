import { z } from 'zod';
import { ddbClient } from '../shared/clients';
import { loadCatalog } from '../shared/catalog-store';
import { loadConfig } from '../shared/config';
import { LabelFields, OcrLine } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { instructionLines } from '../shared/injection';
import { scoreConfidence } from './core';

const config = loadConfig();

const Input = z.object({
  fields: LabelFields,
  extraction: z
    .object({
      reader: z.string().optional(),
      selfConfidence: z.record(z.string(), z.number()).optional(),
      evidence: z.record(z.string(), z.string()).optional(),
      proposed: z.array(z.string()).optional(),
      secondOpinion: z.object({ model: z.string(), fields: z.record(z.string(), z.unknown()).optional(), error: z.string().optional() }).passthrough().optional(),
    })
    .passthrough()
    .nullable(),
  ocrLines: z.array(OcrLine).default([]),
  ocrFailed: z.boolean().optional(),
});

export const handler = defineHandler('ScoreConfidence', Input, async (input) => {
  const catalog = await loadCatalog({ ddb: ddbClient(), config });
  const scored = scoreConfidence(input, catalog, config.INTAKE_CONFIDENCE_THRESHOLD);
  // A label that talks to the model may have steered it to values that agree with each other and with the
  // catalog (and even appear in the OCR text, inside the instruction): never save those without a person.
  const suspicious = instructionLines(input.ocrLines);
  if (suspicious.length === 0) return scored;
  return {
    ...scored,
    decision: 'REVIEW' as const,
    reviewReasons: [`The label contains text addressed to the reading model ("${suspicious[0].slice(0, 80)}"); check every value against the photo.`, ...scored.reviewReasons],
  };
});
