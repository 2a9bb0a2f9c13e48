import { estimateCost, mapBedrockError, parsePriceTable } from '../../functions/extract-fields/bedrock-reader';

describe('estimateCost', () => {
  it('prices input, output and cache tokens at their own rates', () => {
    const prices = parsePriceTable('input:3,output:15,cacheRead:0.3,cacheWrite:3.75');

    const cost = estimateCost({ inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 500_000, cacheWriteInputTokens: 200_000 }, prices);

    // 3 + 1.5 + 0.15 + 0.75
    expect(cost).toBeCloseTo(5.4, 10);
  });

  it('charges cache tokens at the input rate when the table has no cache prices', () => {
    const cost = estimateCost({ inputTokens: 1000, outputTokens: 0, cacheReadInputTokens: 1000 }, parsePriceTable('input:3,output:15'));

    expect(cost).toBeCloseTo(0.006, 10);
  });

  it('rejects a price table without input and output prices, or with bad numbers', () => {
    expect(() => parsePriceTable('output:15')).toThrow(/input and output/);
    expect(() => parsePriceTable('input:abc,output:15')).toThrow(/Bad price table entry/);
  });
});

describe('mapBedrockError', () => {
  it('names missing credentials as an access problem with a fix', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

    const mapped = mapBedrockError(err, 'm', 'us-east-1');

    expect(mapped.name).toBe('ModelAccessDeniedError');
    expect(mapped.message).toMatch(/Configure credentials/);
  });

  it('treats network resets as transient and leaves unknown errors alone', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const bug = Object.assign(new Error('messages: field required'), { name: 'ValidationException' });

    expect(mapBedrockError(reset, 'm', 'r').name).toBe('ModelUnavailableError');
    expect(mapBedrockError(bug, 'm', 'r')).toBe(bug);
  });
});
