import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { handleReviewRequest, type ReviewApiDeps, type ReviewCore } from '../../functions/review-api/handler';
import { ReviewConflictError, ReviewNotFoundError } from '../../functions/shared/errors';

const REVIEWER = 'arn:aws:iam::123456789012:user/alice';
const deps = {} as ReviewApiDeps;

function event(routeKey: string, opts: { reviewId?: string; body?: unknown; query?: Record<string, string> } = {}) {
  return {
    routeKey,
    pathParameters: opts.reviewId ? { reviewId: opts.reviewId } : undefined,
    queryStringParameters: opts.query,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    isBase64Encoded: false,
    requestContext: { authorizer: { iam: { userArn: REVIEWER, callerId: 'AIDA' } } },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

function fakeCore(over: Partial<ReviewCore> = {}) {
  const calls: unknown[][] = [];
  const record = (name: string) => async (...args: unknown[]) => {
    calls.push([name, ...args.slice(1)]);
    // A core bug that leaked the token must still not reach the client.
    return { reviewId: 'r1', status: 'PENDING', taskToken: 'SECRET-TOKEN' } as never;
  };
  const core: ReviewCore = {
    listReviews: record('list') as never,
    getReview: record('get') as never,
    approveReview: record('approve') as never,
    rejectReview: record('reject') as never,
    ...over,
  };
  return { core, calls };
}

describe('review api handler', () => {
  it('lists pending reviews by default and never returns a task token', async () => {
    const { core, calls } = fakeCore({ listReviews: (async () => [{ reviewId: 'r1', taskToken: 'SECRET' }]) as never });

    const res = await handleReviewRequest(deps, event('GET /reviews'), core);

    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('SECRET');
    expect(JSON.parse(res.body!)).toEqual({ reviews: [{ reviewId: 'r1' }] });
    expect(calls).toEqual([]);
  });

  it('passes corrections and the IAM caller as reviewer to approveReview', async () => {
    const { core, calls } = fakeCore();

    const res = await handleReviewRequest(deps, event('POST /reviews/{reviewId}/approve', { reviewId: 'r1', body: { corrections: { lotNumber: 'L1' } } }), core);

    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('SECRET-TOKEN');
    expect(calls).toEqual([['approve', 'r1', { lotNumber: 'L1' }, REVIEWER]]);
  });

  it('rejects with a reason', async () => {
    const { core, calls } = fakeCore();

    const res = await handleReviewRequest(deps, event('POST /reviews/{reviewId}/reject', { reviewId: 'r1', body: { reason: 'not a reagent' } }), core);

    expect(res.statusCode).toBe(200);
    expect(calls).toEqual([['reject', 'r1', 'not a reagent', REVIEWER]]);
  });

  it.each([
    ['a non-JSON body', 'POST /reviews/{reviewId}/approve', '{nope'],
    ['an unknown correction field', 'POST /reviews/{reviewId}/approve', { corrections: { colour: 'red' } }],
    ['a rejection without reason', 'POST /reviews/{reviewId}/reject', {}],
  ])('answers 400 to %s without calling the core', async (_what, routeKey, body) => {
    const { core, calls } = fakeCore();

    const res = await handleReviewRequest(deps, event(routeKey, { reviewId: 'r1', body }), core);

    expect(res.statusCode).toBe(400);
    expect(calls).toEqual([]);
  });

  it('maps ReviewNotFoundError to 404 and ReviewConflictError to 409', async () => {
    const { core } = fakeCore({
      getReview: (async () => { throw new ReviewNotFoundError('There is no review with id r9.'); }) as never,
      approveReview: (async () => { throw new ReviewConflictError('Review r1 is already approved.'); }) as never,
    });

    const missing = await handleReviewRequest(deps, event('GET /reviews/{reviewId}', { reviewId: 'r9' }), core);
    const conflict = await handleReviewRequest(deps, event('POST /reviews/{reviewId}/approve', { reviewId: 'r1', body: {} }), core);

    expect(missing.statusCode).toBe(404);
    expect(conflict.statusCode).toBe(409);
    expect(JSON.parse(conflict.body!).message).toBe('Review r1 is already approved.');
  });

  it('hides unexpected errors behind a 500', async () => {
    const { core } = fakeCore({ getReview: (async () => { throw new Error('ddb exploded: arn:secret'); }) as never });

    const res = await handleReviewRequest(deps, event('GET /reviews/{reviewId}', { reviewId: 'r1' }), core);

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('arn:secret');
  });
});
