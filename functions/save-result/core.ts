import type { Catalog } from '../shared/catalog';
import type { ImageRef, LabelFields, TokenUsage } from '../shared/contract';
import { formulaWeight, tryParseFormula } from '../shared/formula';
import { addLearnedProduct, saveRecord, setIntakeStatus, type TableDeps } from '../shared/tables';

export interface SaveInput {
  intakeId: string;
  executionArn: string;
  image: ImageRef;
  fields: LabelFields;
  scored: { confidence: Record<string, unknown>; overall: number } | null;
  extraction: { reader: string; modelId?: string | null; usage?: TokenUsage | null; costUsd?: number | null };
  attempts: number;
  review: { reviewId: string; reviewer: string; corrections?: Record<string, unknown> } | null;
}

/**
 * Write the record (conditional: only the execution holding the photo's claim, and a replay is a no-op),
 * mark the intake SAVED, and — when a person approved a product the catalog does not know — learn it, so the
 * next bottle of it is recognised with confidence.
 */
export async function saveResult(deps: TableDeps, catalog: Catalog, input: SaveInput) {
  const { image, fields } = input;
  const savedAt = new Date().toISOString();
  const outcome = await saveRecord(deps, {
    recordId: image.contentHash,
    status: 'SAVED',
    executionArn: input.executionArn,
    intakeId: input.intakeId,
    fields,
    confidence: input.scored?.confidence ?? {},
    overallConfidence: input.scored?.overall ?? 0,
    sourceKey: image.sourceKey,
    imageKey: image.normalizedKey,
    bucket: image.bucket,
    reader: input.extraction.reader,
    modelId: input.extraction.modelId ?? undefined,
    usage: input.extraction.usage ?? undefined,
    costUsd: input.extraction.costUsd ?? undefined,
    attempts: input.attempts,
    reviewed: Boolean(input.review),
    reviewer: input.review?.reviewer,
    reviewId: input.review?.reviewId,
    corrections: input.review?.corrections,
    savedAt,
  });
  let learned = false;
  if (input.review && fields.casNumber && fields.productName && !catalog.byCas(fields.casNumber)) {
    const formula = fields.formula && tryParseFormula(fields.formula) ? fields.formula : '';
    learned = await addLearnedProduct(deps, {
      name: fields.productName,
      synonyms: [],
      ...(fields.productNameKo ? { nameKo: fields.productNameKo } : {}),
      cas: fields.casNumber,
      formula,
      molecularWeight: fields.molecularWeight ?? (formula ? Math.round(formulaWeight(formula) * 100) / 100 : 0),
      source: 'learned',
      learnedAt: savedAt,
      ...(fields.manufacturer ? { manufacturer: fields.manufacturer } : {}),
      ...(fields.catalogNumber ? { catalogNumber: fields.catalogNumber } : {}),
    });
  }
  await setIntakeStatus(deps, input.intakeId, input.executionArn, {
    status: 'SAVED',
    recordId: image.contentHash,
    productName: fields.productName,
    overallConfidence: input.scored?.overall,
  });
  return { status: 'SAVED' as const, recordId: image.contentHash, intakeId: input.intakeId, fields, replayed: outcome === 'already-saved', learned };
}
