import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { isValidCas } from '../shared/cas';
import { FIELD_NAMES, LabelFields } from '../shared/contract';
import { ReviewConflictError, ReviewNotFoundError } from '../shared/errors';
import { getReviewItem, listReviewItems, transitionReview, type ReviewItem, type ReviewStatus, type TableDeps } from '../shared/tables';

/** How a decision reaches the waiting execution: Step Functions in AWS, the local engine on a laptop. */
export interface TaskCallbacks {
  sendTaskSuccess(input: { taskToken: string; output: string }): Promise<unknown>;
  sendTaskFailure(input: { taskToken: string; error: string; cause: string }): Promise<unknown>;
}

export function sfnCallbacks(sfn: SFNClient): TaskCallbacks {
  return {
    sendTaskSuccess: (input) => sfn.send(new SendTaskSuccessCommand(input)),
    sendTaskFailure: (input) => sfn.send(new SendTaskFailureCommand(input)),
  };
}

export interface ReviewDeps extends TableDeps {
  callbacks: TaskCallbacks;
}

/** A review without its task token: the token never leaves the server side. */
export type PublicReview = Pick<ReviewItem, 'reviewId' | 'executionArn' | 'intakeId' | 'status' | 'createdAt'> & Record<string, unknown>;
const redact = ({ taskToken: _t, ...rest }: ReviewItem): PublicReview => rest;

export async function listReviews(deps: TableDeps, status?: ReviewStatus): Promise<PublicReview[]> {
  return (await listReviewItems(deps, status)).map(redact);
}

export async function getReview(deps: TableDeps, reviewId: string): Promise<PublicReview> {
  const item = await getReviewItem(deps, reviewId);
  if (!item) throw new ReviewNotFoundError(`There is no review with id ${reviewId}.`);
  return redact(item);
}

/** Errors from Step Functions that mean the execution no longer waits on this token. */
const tokenGone = (err: unknown) => ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes((err as Error)?.name);

/**
 * Corrections: a value replaces the field; null or "" removes it. The merged result must satisfy the data
 * contract, CAS check digit included, or nothing is sent.
 */
export function applyCorrections(fields: Record<string, unknown>, corrections: Record<string, unknown>): LabelFields {
  const unknown = Object.keys(corrections).filter((k) => !(FIELD_NAMES as readonly string[]).includes(k));
  if (unknown.length) throw new ReviewConflictError(`Unknown field(s): ${unknown.join(', ')}. Fields are: ${FIELD_NAMES.join(', ')}.`);
  const merged: Record<string, unknown> = { ...fields };
  for (const [k, v] of Object.entries(corrections)) {
    if (v === null || v === '') delete merged[k];
    else merged[k] = v;
  }
  const parsed = LabelFields.safeParse(merged);
  if (!parsed.success) {
    throw new ReviewConflictError(`The corrected fields are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (parsed.data.casNumber && !isValidCas(parsed.data.casNumber)) {
    throw new ReviewConflictError(`CAS number ${parsed.data.casNumber} fails its check digit.`);
  }
  return parsed.data;
}

async function decide(
  deps: ReviewDeps,
  reviewId: string,
  to: 'APPROVED' | 'REJECTED',
  patch: Record<string, unknown>,
  send: (item: ReviewItem) => Promise<unknown>,
): Promise<PublicReview> {
  const item = await getReviewItem(deps, reviewId);
  if (!item) throw new ReviewNotFoundError(`There is no review with id ${reviewId}.`);
  if (item.status !== 'PENDING') {
    throw new ReviewConflictError(`Review ${reviewId} is already ${item.status.toLowerCase()}${item.reviewer ? ` by ${item.reviewer}` : ''}; nothing was changed.`);
  }
  const decidedAt = new Date().toISOString();
  // The conditional transition is the lock: of two concurrent approvals only one passes it.
  if (!(await transitionReview(deps, reviewId, 'PENDING', to, { ...patch, decidedAt }))) {
    const now = await getReviewItem(deps, reviewId);
    throw new ReviewConflictError(`Review ${reviewId} was just ${now?.status.toLowerCase() ?? 'changed'} by someone else; nothing was changed.`);
  }
  try {
    await send(item);
  } catch (err) {
    if (tokenGone(err)) {
      await transitionReview(deps, reviewId, to, 'EXPIRED', { expiredAt: decidedAt });
      throw new ReviewConflictError(`Review ${reviewId} has expired: its run stopped waiting for a decision. Nothing was saved.`, { cause: err });
    }
    // Transient failure: put the item back so the reviewer can try again.
    await transitionReview(deps, reviewId, to, 'PENDING', {});
    throw err;
  }
  return redact({ ...item, ...patch, status: to, decidedAt });
}

export async function approveReview(deps: ReviewDeps, reviewId: string, corrections: Record<string, unknown>, reviewer: string): Promise<PublicReview> {
  const item = await getReviewItem(deps, reviewId);
  if (!item) throw new ReviewNotFoundError(`There is no review with id ${reviewId}.`);
  const fields = applyCorrections((item.fields as Record<string, unknown>) ?? {}, corrections);
  return decide(deps, reviewId, 'APPROVED', { reviewer, corrections, approvedFields: fields }, (it) =>
    deps.callbacks.sendTaskSuccess({
      taskToken: it.taskToken,
      output: JSON.stringify({ decision: 'APPROVED', reviewId, reviewer, fields, corrections }),
    }),
  );
}

export async function rejectReview(deps: ReviewDeps, reviewId: string, reason: string, reviewer: string): Promise<PublicReview> {
  const why = reason.trim();
  if (!why) throw new ReviewConflictError('A rejection needs a reason.');
  return decide(deps, reviewId, 'REJECTED', { reviewer, rejectReason: why }, (it) =>
    deps.callbacks.sendTaskFailure({
      taskToken: it.taskToken,
      error: 'ReviewRejectedError',
      cause: JSON.stringify({ errorType: 'ReviewRejectedError', errorMessage: `Rejected by ${reviewer}: ${why}`, reviewId, reviewer }),
    }),
  );
}

/** Called when the run recorded REVIEW_EXPIRED: the item can no longer be decided. */
export async function expireReview(deps: TableDeps, reviewId: string): Promise<void> {
  await transitionReview(deps, reviewId, 'PENDING', 'EXPIRED', { expiredAt: new Date().toISOString() });
}

