import { createHash } from 'node:crypto';
import type { ImageRef, OcrLine } from '../shared/contract';
import { putReview, setIntakeStatus, type TableDeps } from '../shared/tables';

export interface RequestReviewInput {
  taskToken: string;
  executionArn: string;
  intakeId: string;
  image: ImageRef;
  scored: {
    fields: Record<string, unknown>;
    confidence: Record<string, unknown>;
    overall: number;
    reviewReasons: string[];
  };
  ocrLines: OcrLine[];
}

/** One review per execution: a replayed task (at-least-once) refreshes the token of the same item. */
export const reviewIdOf = (executionArn: string) => `rv-${createHash('sha256').update(executionArn).digest('hex').slice(0, 20)}`;

export async function requestReview(deps: TableDeps, input: RequestReviewInput): Promise<{ reviewId: string; stored: boolean }> {
  const reviewId = reviewIdOf(input.executionArn);
  const stored = await putReview(deps, {
    reviewId,
    executionArn: input.executionArn,
    intakeId: input.intakeId,
    taskToken: input.taskToken,
    status: 'PENDING',
    createdAt: new Date().toISOString(),
    reason: input.scored.reviewReasons.join(' ') || 'Confidence below threshold.',
    reasons: input.scored.reviewReasons,
    fields: input.scored.fields,
    confidence: input.scored.confidence,
    overallConfidence: input.scored.overall,
    imageKey: input.image.normalizedKey,
    sourceKey: input.image.sourceKey,
    bucket: input.image.bucket,
    contentHash: input.image.contentHash,
    imageWidth: input.image.normalizedWidth,
    imageHeight: input.image.normalizedHeight,
    ocrLines: input.ocrLines,
  });
  await setIntakeStatus(deps, input.intakeId, input.executionArn, {
    status: 'IN_REVIEW',
    reviewId,
    productName: typeof input.scored.fields.productName === 'string' ? input.scored.fields.productName : undefined,
    overallConfidence: input.scored.overall,
  });
  return { reviewId, stored };
}
