import { reviewIdOf } from '../request-review/core';
import { expireReview } from '../complete-review/core';
import type { ImageRef } from '../shared/contract';
import { intakeIdOf, parseObjectCreated } from '../shared/s3-event';
import { releaseRecordClaim, setIntakeStatus, type TableDeps } from '../shared/tables';

export interface OutcomeInput {
  status: 'REJECTED' | 'REVIEW_EXPIRED' | 'FAILED' | 'DUPLICATE';
  event: unknown;
  executionArn: string;
  intakeId: string | null;
  image: ImageRef | null;
  error?: string | null;
  cause?: string | null;
  duplicateOf?: string | null;
}

/** The sentence behind an error: Lambda errors carry it as `errorMessage` inside the JSON cause. */
export function reasonOf(error?: string | null, cause?: string | null): string {
  if (cause) {
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: string };
      if (parsed?.errorMessage) return parsed.errorMessage;
    } catch {
      // a plain-text cause is the reason itself
    }
    return cause;
  }
  return error ?? 'Unknown error';
}

/**
 * Every path that does not end SAVED ends here, so every photo has exactly one recorded outcome. Writes are
 * conditional on owning the intake: a redelivered event for an upload another run owns records nothing.
 */
export async function recordOutcome(deps: TableDeps, input: OutcomeInput) {
  const intakeId = input.intakeId ?? intakeIdOf(input.event, input.executionArn);
  let object: { bucket?: string; sourceKey?: string; fileName?: string } = {};
  try {
    const o = parseObjectCreated(input.event);
    object = { bucket: o.bucket, sourceKey: o.key, fileName: o.key.split('/').pop() };
  } catch {
    // a malformed event has no object to name
  }
  let reason: string;
  switch (input.status) {
    case 'DUPLICATE':
      reason = `The same photo was already submitted (record ${input.duplicateOf}).`;
      break;
    case 'REVIEW_EXPIRED':
      reason = 'No reviewer decided before the review timed out.';
      await expireReview(deps, reviewIdOf(input.executionArn));
      break;
    case 'FAILED':
      reason = `Processing failed (${input.error ?? 'error'}): ${reasonOf(input.error, input.cause)}`;
      break;
    default:
      reason = reasonOf(input.error, input.cause);
  }
  if (input.image && input.status !== 'DUPLICATE') await releaseRecordClaim(deps, input.image.contentHash, input.executionArn);
  const recorded = await setIntakeStatus(deps, intakeId, input.executionArn, {
    status: input.status,
    reason,
    ...(input.error ? { error: input.error } : {}),
    ...object,
    ...(input.image ? { contentHash: input.image.contentHash } : {}),
    ...(input.duplicateOf ? { duplicateOf: input.duplicateOf, recordId: input.duplicateOf } : {}),
  });
  return { status: input.status, intakeId, reason, recorded };
}
