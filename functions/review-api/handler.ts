import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as core from '../complete-review/core';
import { ddbClient } from '../shared/clients';
import { loadConfig, type Config } from '../shared/config';
import { FIELD_NAMES } from '../shared/contract';
import { ReviewConflictError, ReviewNotFoundError } from '../shared/errors';
import { logger, metrics } from '../shared/powertools';
import type { ReviewStatus, TableDeps } from '../shared/tables';

/** The review core's operations, injected so the HTTP mapping is tested without AWS. */
export type ReviewCore = Pick<typeof core, 'listReviews' | 'getReview' | 'approveReview' | 'rejectReview'>;
export type ReviewApiDeps = core.ReviewDeps;

const STATUSES: ReviewStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'];
/** The reviews table's GSI (lib/intake-stack.ts REVIEWS_STATUS_INDEX). */
const REVIEWS_STATUS_INDEX = 'status-createdAt';
export const REVIEW_AGE_METRIC = 'OldestPendingReviewAgeSeconds';

class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  // The task token is the key to resume an execution; it must never leave the server, whatever the core returns.
  const text = JSON.stringify(body, (key, value) => (key === 'taskToken' ? undefined : value));
  return { statusCode, headers: { 'content-type': 'application/json' }, body: text };
}

function parseBody(event: APIGatewayProxyEventV2WithIAMAuthorizer): Record<string, unknown> {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('The request body is not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** The caller's IAM identity (SigV4-verified by the API's IAM authorizer) is the reviewer of record. */
function reviewerOf(event: APIGatewayProxyEventV2WithIAMAuthorizer): string {
  const iam = event.requestContext.authorizer?.iam;
  return iam?.userArn ?? iam?.callerId ?? 'unknown';
}

/** HTTP API (payload v2) → review core → HTTP response. Core errors map to 404 / 409, bad input to 400. */
export async function handleReviewRequest(
  deps: ReviewApiDeps,
  event: APIGatewayProxyEventV2WithIAMAuthorizer,
  reviewCore: ReviewCore = core,
): Promise<APIGatewayProxyStructuredResultV2> {
  const reviewId = event.pathParameters?.reviewId;
  try {
    switch (event.routeKey) {
      case 'GET /reviews': {
        const status = event.queryStringParameters?.status?.toUpperCase() ?? 'PENDING';
        if (status !== 'ALL' && !STATUSES.includes(status as ReviewStatus)) {
          throw new BadRequestError(`status must be one of ${[...STATUSES, 'ALL'].join(', ')}.`);
        }
        const reviews = await reviewCore.listReviews(deps, status === 'ALL' ? undefined : (status as ReviewStatus));
        return json(200, { reviews });
      }
      case 'GET /reviews/{reviewId}':
        return json(200, await reviewCore.getReview(deps, reviewId!));
      case 'POST /reviews/{reviewId}/approve': {
        const body = parseBody(event);
        const corrections = body.corrections ?? {};
        if (typeof corrections !== 'object' || corrections === null || Array.isArray(corrections)) {
          throw new BadRequestError('corrections must be an object of field → value (null removes a field).');
        }
        const unknown = Object.keys(corrections).filter((k) => !(FIELD_NAMES as readonly string[]).includes(k));
        if (unknown.length > 0) {
          throw new BadRequestError(`Unknown field(s) in corrections: ${unknown.join(', ')}. Fields are: ${FIELD_NAMES.join(', ')}.`);
        }
        const review = await reviewCore.approveReview(deps, reviewId!, corrections as Record<string, unknown>, reviewerOf(event));
        return json(200, review);
      }
      case 'POST /reviews/{reviewId}/reject': {
        const { reason } = parseBody(event);
        if (typeof reason !== 'string' || reason.trim() === '') throw new BadRequestError('A rejection needs a "reason".');
        return json(200, await reviewCore.rejectReview(deps, reviewId!, reason, reviewerOf(event)));
      }
      default:
        return json(404, { error: 'NotFound', message: `No route ${event.routeKey}.` });
    }
  } catch (err) {
    const e = err as Error;
    if (e instanceof BadRequestError) return json(400, { error: e.name, message: e.message });
    if (e instanceof ReviewNotFoundError || e?.name === 'ReviewNotFoundError') return json(404, { error: e.name, message: e.message });
    if (e instanceof ReviewConflictError || e?.name === 'ReviewConflictError') return json(409, { error: e.name, message: e.message });
    logger.error('review api failed', { routeKey: event.routeKey, reviewId, error: e?.name, message: e?.message });
    return json(500, { error: 'InternalError', message: 'The review could not be processed; try again.' });
  }
}

let deps: ReviewApiDeps | undefined;
function lambdaDeps(config: Config = loadConfig()): ReviewApiDeps {
  deps ??= { ddb: ddbClient(), config, callbacks: core.sfnCallbacks(new SFNClient({})) };
  return deps;
}

export const handler = (event: APIGatewayProxyEventV2WithIAMAuthorizer) => handleReviewRequest(lambdaDeps(), event);

/**
 * Age in seconds of the oldest PENDING review (0 when none), read from the status index in createdAt order.
 * A scheduled rule publishes it as a metric; the stack alarms when it exceeds the review SLA.
 */
export async function oldestPendingReviewAge(d: TableDeps, now = Date.now()): Promise<number> {
  const out = await d.ddb.send(
    new QueryCommand({
      TableName: d.config.REVIEWS_TABLE,
      IndexName: REVIEWS_STATUS_INDEX,
      KeyConditionExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':pending': 'PENDING' },
      ScanIndexForward: true,
      Limit: 1,
    }),
  );
  const createdAt = out.Items?.[0]?.createdAt as string | undefined;
  if (!createdAt) return 0;
  return Math.max(0, Math.round((now - Date.parse(createdAt)) / 1000));
}

export async function reviewAgeHandler(): Promise<{ oldestPendingAgeSeconds: number }> {
  const age = await oldestPendingReviewAge(lambdaDeps());
  metrics.addMetric(REVIEW_AGE_METRIC, MetricUnit.Seconds, age);
  metrics.publishStoredMetrics();
  return { oldestPendingAgeSeconds: age };
}
