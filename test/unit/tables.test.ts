import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { listReviewItems, type TableDeps } from '../../functions/shared/tables';

const config = { RECORDS_TABLE: 'records', INTAKES_TABLE: 'intakes', REVIEWS_TABLE: 'reviews', CATALOG_TABLE: 'catalog' };
const review = (reviewId: string, createdAt: string) => ({ reviewId, createdAt, status: 'PENDING', executionArn: `arn:${reviewId}`, intakeId: reviewId });

describe('listReviewItems', () => {
  it('lists a review once when the index query returns it on two pages, in the order the pages gave', async () => {
    // Page boundaries are where a secondary-index query can repeat an item (an entry rewritten while it pages,
    // tied sort keys): seen on the local store after a crash and replay.
    const pages = [
      { Items: [review('rv-c', '2026-01-03'), review('rv-b', '2026-01-02')], LastEvaluatedKey: { reviewId: 'rv-b' } },
      { Items: [review('rv-b', '2026-01-02'), review('rv-a', '2026-01-01')] },
    ];
    const sent: unknown[] = [];
    const ddb = {
      send: async (cmd: unknown) => {
        sent.push(cmd);
        return pages[sent.length - 1];
      },
    };
    const items = await listReviewItems({ ddb, config } as unknown as TableDeps, 'PENDING');
    expect(items.map((r) => r.reviewId)).toEqual(['rv-c', 'rv-b', 'rv-a']);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBeInstanceOf(QueryCommand);
    expect((sent[1] as QueryCommand).input.ExclusiveStartKey).toEqual({ reviewId: 'rv-b' });
  });
});
