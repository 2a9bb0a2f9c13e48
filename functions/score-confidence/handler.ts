import { z } from 'zod';
import { ddbClient } from '../shared/clients';
import { loadCatalog } from '../shared/catalog-store';
import { loadConfig } from '../shared/config';
import { LabelFields, OcrLine } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { scoreConfidence } from './core';

const config = loadConfig();

const Input = z.object({
  fields: LabelFields,
  extraction: z
    .object({
      reader: z.string().optional(),
      selfConfidence: z.record(z.string(), z.number()).optional(),
      evidence: z.record(z.string(), z.string()).optional(),
    })
    .passthrough()
    .nullable(),
  ocrLines: z.array(OcrLine).default([]),
  ocrFailed: z.boolean().optional(),
});

export const handler = defineHandler('ScoreConfidence', Input, async (input) => {
  const catalog = await loadCatalog({ ddb: ddbClient(), config });
  return scoreConfidence(input, catalog, config.INTAKE_CONFIDENCE_THRESHOLD);
});
