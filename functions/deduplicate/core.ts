import type { ImageRef } from '../shared/contract';
import { claimIntake, claimRecord, type TableDeps } from '../shared/tables';

export type DeduplicateResult =
  | { duplicate: false; recordId: string }
  /** `event`: this upload is already being handled by another execution (an event delivered twice). */
  | { duplicate: true; kind: 'event'; recordId?: string; ownerExecutionArn: string }
  /** `content`: the same photo (by content hash) was submitted before, maybe under another name. */
  | { duplicate: true; kind: 'content'; recordId: string; ownerExecutionArn: string; existingStatus: string };

/**
 * Two claims, both conditional writes: the intake (one per uploaded object) and the record (one per photo
 * content). Whoever holds a claim owns the outcome; everyone else ends as a duplicate of it.
 */
export async function deduplicate(
  deps: TableDeps,
  input: { intakeId: string; image: ImageRef; executionArn: string },
): Promise<DeduplicateResult> {
  const { image, intakeId, executionArn } = input;
  const intake = await claimIntake(deps, {
    intakeId,
    executionArn,
    bucket: image.bucket,
    sourceKey: image.sourceKey,
    fileName: image.sourceKey.split('/').pop(),
    contentHash: image.contentHash,
  });
  if (!intake.owned) {
    return { duplicate: true, kind: 'event', recordId: intake.owner.recordId, ownerExecutionArn: intake.owner.executionArn };
  }
  const record = await claimRecord(deps, image.contentHash, executionArn, intakeId);
  if (!record.owned) {
    return {
      duplicate: true,
      kind: 'content',
      recordId: image.contentHash,
      ownerExecutionArn: record.existing.executionArn,
      existingStatus: record.existing.status,
    };
  }
  return { duplicate: false, recordId: image.contentHash };
}
