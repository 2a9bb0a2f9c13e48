import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Config } from './config';
import type { CatalogEntry } from './catalog';
import type { IntakeStatus } from './contract';

/**
 * The four tables and the conditional writes that keep "one photo, one terminal record" true without
 * transactions (dynalite has none): every write names the execution that owns the item.
 */
export interface TableDeps {
  ddb: DynamoDBDocumentClient;
  config: Pick<Config, 'RECORDS_TABLE' | 'INTAKES_TABLE' | 'REVIEWS_TABLE' | 'CATALOG_TABLE'>;
}

export interface IntakeItem {
  intakeId: string;
  executionArn: string;
  bucket?: string;
  sourceKey?: string;
  fileName?: string;
  contentHash?: string;
  status: IntakeStatus | 'DUPLICATE';
  reason?: string;
  error?: string;
  recordId?: string;
  reviewId?: string;
  duplicateOf?: string;
  productName?: string;
  overallConfidence?: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

const isConditionFailure = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';

const now = () => new Date().toISOString();

/** Claim an intake for this execution. Another execution holding it means the same upload arrived twice. */
export async function claimIntake(
  { ddb, config }: TableDeps,
  item: Omit<IntakeItem, 'status' | 'startedAt' | 'updatedAt'>,
): Promise<{ owned: true } | { owned: false; owner: IntakeItem }> {
  const at = now();
  try {
    await ddb.send(
      new PutCommand({
        TableName: config.INTAKES_TABLE,
        Item: { ...item, status: 'PROCESSING', startedAt: at, updatedAt: at },
        ConditionExpression: 'attribute_not_exists(intakeId) OR executionArn = :me',
        ExpressionAttributeValues: { ':me': item.executionArn },
      }),
    );
    return { owned: true };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const owner = await getIntake({ ddb, config }, item.intakeId);
    if (!owner) throw err;
    return { owned: false, owner };
  }
}

/**
 * Write the intake's (terminal or review) status, only if this execution owns it or nobody does yet.
 * Returns false when another execution owns the intake (a redelivered event): nothing is written.
 */
export async function setIntakeStatus(
  { ddb, config }: TableDeps,
  intakeId: string,
  executionArn: string,
  patch: Partial<Omit<IntakeItem, 'intakeId' | 'executionArn'>> & { status: IntakeItem['status'] },
): Promise<boolean> {
  const at = now();
  const terminal = patch.status !== 'PROCESSING' && patch.status !== 'IN_REVIEW';
  return updateIf(ddb, {
    table: config.INTAKES_TABLE,
    key: { intakeId },
    patch: { ...patch, ...(terminal ? { finishedAt: at } : {}) },
    sets: ['executionArn = :me', 'updatedAt = :at', 'startedAt = if_not_exists(startedAt, :at)'],
    values: { ':me': executionArn, ':at': at },
    condition: 'attribute_not_exists(intakeId) OR executionArn = :me',
  });
}

/** SET each defined key of `patch` (after any fixed clauses) if `condition` holds; false when it does not. */
async function updateIf(
  ddb: DynamoDBDocumentClient,
  input: { table: string; key: Record<string, unknown>; patch: Record<string, unknown>; sets: string[]; names?: Record<string, string>; values: Record<string, unknown>; condition: string },
): Promise<boolean> {
  const names = { ...input.names };
  const values = { ...input.values };
  const sets = [...input.sets];
  for (const [k, v] of Object.entries(input.patch)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: input.table,
        Key: input.key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: input.condition,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export async function getIntake({ ddb, config }: TableDeps, intakeId: string): Promise<IntakeItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: config.INTAKES_TABLE, Key: { intakeId }, ConsistentRead: true }));
  return out.Item as IntakeItem | undefined;
}

export async function scanAll<T>({ ddb }: TableDeps, table: string): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as T[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export interface RecordItem {
  recordId: string;
  status: 'PROCESSING' | 'SAVED';
  executionArn: string;
  intakeId: string;
  [k: string]: unknown;
}

/** Claim a content hash for this execution; the same photo under another name finds the claim and stops. */
export async function claimRecord(
  { ddb, config }: TableDeps,
  recordId: string,
  executionArn: string,
  intakeId: string,
): Promise<{ owned: true } | { owned: false; existing: RecordItem }> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: config.RECORDS_TABLE,
        Item: { recordId, status: 'PROCESSING', executionArn, intakeId, claimedAt: now() },
        ConditionExpression: 'attribute_not_exists(recordId) OR (executionArn = :me AND #s = :processing)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':me': executionArn, ':processing': 'PROCESSING' },
      }),
    );
    return { owned: true };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const existing = await getRecord({ ddb, config }, recordId);
    if (!existing) throw err;
    if (existing.executionArn === executionArn) return { owned: true };
    return { owned: false, existing };
  }
}

export async function getRecord({ ddb, config }: TableDeps, recordId: string): Promise<RecordItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: config.RECORDS_TABLE, Key: { recordId }, ConsistentRead: true }));
  return out.Item as RecordItem | undefined;
}

/** Save the record: only the execution holding the claim may, and saving twice (a replayed task) is a no-op. */
export async function saveRecord({ ddb, config }: TableDeps, item: RecordItem): Promise<'saved' | 'already-saved'> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: config.RECORDS_TABLE,
        Item: item,
        ConditionExpression: 'attribute_not_exists(recordId) OR (executionArn = :me AND #s = :processing)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':me': item.executionArn, ':processing': 'PROCESSING' },
      }),
    );
    return 'saved';
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const existing = await getRecord({ ddb, config }, item.recordId);
    if (existing?.executionArn === item.executionArn && existing.status === 'SAVED') return 'already-saved';
    throw new Error(`Record ${item.recordId} is held by another execution (${existing?.executionArn}); not overwritten.`);
  }
}

/** Drop this execution's claim on a photo that did not end SAVED, so the photo can be submitted again. */
export async function releaseRecordClaim({ ddb, config }: TableDeps, recordId: string, executionArn: string): Promise<void> {
  try {
    await ddb.send(
      new DeleteCommand({
        TableName: config.RECORDS_TABLE,
        Key: { recordId },
        ConditionExpression: 'executionArn = :me AND #s = :processing',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':me': executionArn, ':processing': 'PROCESSING' },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

export type ReviewStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
export interface ReviewItem {
  reviewId: string;
  executionArn: string;
  intakeId: string;
  taskToken: string;
  status: ReviewStatus;
  createdAt: string;
  [k: string]: unknown;
}

/**
 * Store (or refresh) the review of an execution. The task may run again after a crash (at-least-once): the
 * same review id then gets the new token, as long as nobody has decided it yet.
 */
export async function putReview({ ddb, config }: TableDeps, item: ReviewItem): Promise<boolean> {
  const { reviewId, createdAt, ...rest } = item;
  // createdAt keeps the first request's time: a replayed task must not move the item to the back of the queue.
  return updateIf(ddb, {
    table: config.REVIEWS_TABLE,
    key: { reviewId },
    patch: rest,
    sets: ['createdAt = if_not_exists(createdAt, :createdAt)'],
    names: { '#s': 'status' },
    values: { ':createdAt': createdAt, ':pending': 'PENDING' },
    condition: 'attribute_not_exists(reviewId) OR #s = :pending',
  });
}

/** A conditional put; false (nothing written) when the condition does not hold. */
async function putIf(ddb: DynamoDBDocumentClient, input: ConstructorParameters<typeof PutCommand>[0]): Promise<boolean> {
  try {
    await ddb.send(new PutCommand(input));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export async function getReviewItem({ ddb, config }: TableDeps, reviewId: string): Promise<ReviewItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: config.REVIEWS_TABLE, Key: { reviewId }, ConsistentRead: true }));
  return out.Item as ReviewItem | undefined;
}

export async function listReviewItems({ ddb, config }: TableDeps, status?: ReviewStatus): Promise<ReviewItem[]> {
  if (!status) {
    const all = await scanAll<ReviewItem>({ ddb, config }, config.REVIEWS_TABLE);
    return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
  // A query on a secondary index may return an item on two pages (its index entry rewritten while the query pages
  // through, or tied sort keys across a page boundary: seen on the local store after a crash and replay, one
  // review of 45 listed twice). Each review is listed once.
  const items = new Map<string, ReviewItem>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: config.REVIEWS_TABLE,
        IndexName: 'status-createdAt',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
        ScanIndexForward: false,
        ExclusiveStartKey,
      }),
    );
    for (const item of (page.Items ?? []) as ReviewItem[]) if (!items.has(item.reviewId)) items.set(item.reviewId, item);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return [...items.values()];
}

/** Move a review from `from` to `to` atomically; false when someone else got there first. */
export async function transitionReview(
  { ddb, config }: TableDeps,
  reviewId: string,
  from: ReviewStatus,
  to: ReviewStatus,
  patch: Record<string, unknown> = {},
): Promise<boolean> {
  return updateIf(ddb, {
    table: config.REVIEWS_TABLE,
    key: { reviewId },
    patch,
    sets: ['#s = :to'],
    names: { '#s': 'status' },
    values: { ':from': from, ':to': to },
    condition: '#s = :from',
  });
}

export async function listLearnedProducts(deps: TableDeps): Promise<CatalogEntry[]> {
  return scanAll<CatalogEntry>(deps, deps.config.CATALOG_TABLE);
}

/** Add a product learned from an approved review; an existing entry for the CAS is kept. */
export async function addLearnedProduct({ ddb, config }: TableDeps, entry: CatalogEntry): Promise<boolean> {
  return putIf(ddb, { TableName: config.CATALOG_TABLE, Item: entry, ConditionExpression: 'attribute_not_exists(cas)' });
}
