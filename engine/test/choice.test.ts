import { harness } from './helpers';

/** One Choice state with a single rule; the run ends in Yes or No. */
const choiceDef = (rule: object) => ({
  StartAt: 'C',
  States: {
    C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
    Yes: { Type: 'Pass', Result: 'yes', End: true },
    No: { Type: 'Pass', Result: 'no', End: true },
  },
});

const input = {
  s: 'beta', n: 5, b: true, t: '2024-05-01T10:00:00Z', nul: null,
  s2: 'beta', n2: 5, b2: true, t2: '2024-05-01T10:00:00Z', sLow: 'alpha', nLow: 1, tLow: '2023-01-01T00:00:00Z',
  file: 'photo.final.jpg', starry: 'a*b',
};

const cases: Array<[string, object, boolean]> = [
  ['StringEquals', { Variable: '$.s', StringEquals: 'beta' }, true],
  ['StringEquals (type mismatch)', { Variable: '$.n', StringEquals: '5' }, false],
  ['StringEqualsPath', { Variable: '$.s', StringEqualsPath: '$.s2' }, true],
  ['StringLessThan', { Variable: '$.s', StringLessThan: 'gamma' }, true],
  ['StringLessThanPath', { Variable: '$.s', StringLessThanPath: '$.sLow' }, false],
  ['StringGreaterThan', { Variable: '$.s', StringGreaterThan: 'alpha' }, true],
  ['StringGreaterThanPath', { Variable: '$.s', StringGreaterThanPath: '$.sLow' }, true],
  ['StringLessThanEquals', { Variable: '$.s', StringLessThanEquals: 'beta' }, true],
  ['StringLessThanEqualsPath', { Variable: '$.s', StringLessThanEqualsPath: '$.s2' }, true],
  ['StringGreaterThanEquals', { Variable: '$.s', StringGreaterThanEquals: 'beta' }, true],
  ['StringGreaterThanEqualsPath', { Variable: '$.sLow', StringGreaterThanEqualsPath: '$.s' }, false],
  ['StringMatches', { Variable: '$.file', StringMatches: '*.jpg' }, true],
  ['StringMatches (escaped star)', { Variable: '$.starry', StringMatches: 'a\\*b' }, true],
  ['StringMatches (no match)', { Variable: '$.file', StringMatches: '*.png' }, false],
  ['NumericEquals', { Variable: '$.n', NumericEquals: 5 }, true],
  ['NumericEqualsPath', { Variable: '$.n', NumericEqualsPath: '$.n2' }, true],
  ['NumericLessThan', { Variable: '$.n', NumericLessThan: 5 }, false],
  ['NumericLessThanPath', { Variable: '$.nLow', NumericLessThanPath: '$.n' }, true],
  ['NumericGreaterThan', { Variable: '$.n', NumericGreaterThan: 4.5 }, true],
  ['NumericGreaterThanPath', { Variable: '$.n', NumericGreaterThanPath: '$.nLow' }, true],
  ['NumericLessThanEquals', { Variable: '$.n', NumericLessThanEquals: 5 }, true],
  ['NumericLessThanEqualsPath', { Variable: '$.n', NumericLessThanEqualsPath: '$.nLow' }, false],
  ['NumericGreaterThanEquals', { Variable: '$.n', NumericGreaterThanEquals: 6 }, false],
  ['NumericGreaterThanEqualsPath', { Variable: '$.n', NumericGreaterThanEqualsPath: '$.n2' }, true],
  ['BooleanEquals', { Variable: '$.b', BooleanEquals: true }, true],
  ['BooleanEqualsPath', { Variable: '$.b', BooleanEqualsPath: '$.b2' }, true],
  ['TimestampEquals', { Variable: '$.t', TimestampEquals: '2024-05-01T10:00:00.000Z' }, true],
  ['TimestampEqualsPath', { Variable: '$.t', TimestampEqualsPath: '$.t2' }, true],
  ['TimestampLessThan', { Variable: '$.t', TimestampLessThan: '2025-01-01T00:00:00Z' }, true],
  ['TimestampLessThanPath', { Variable: '$.t', TimestampLessThanPath: '$.tLow' }, false],
  ['TimestampGreaterThan', { Variable: '$.t', TimestampGreaterThan: '2024-05-01T09:59:59Z' }, true],
  ['TimestampGreaterThanPath', { Variable: '$.t', TimestampGreaterThanPath: '$.tLow' }, true],
  ['TimestampLessThanEquals', { Variable: '$.t', TimestampLessThanEquals: '2024-05-01T10:00:00Z' }, true],
  ['TimestampLessThanEqualsPath', { Variable: '$.t', TimestampLessThanEqualsPath: '$.t2' }, true],
  ['TimestampGreaterThanEquals', { Variable: '$.t', TimestampGreaterThanEquals: '2024-05-02T00:00:00Z' }, false],
  ['TimestampGreaterThanEqualsPath', { Variable: '$.t', TimestampGreaterThanEqualsPath: '$.t2' }, true],
  ['IsPresent true', { Variable: '$.s', IsPresent: true }, true],
  ['IsPresent on a missing field', { Variable: '$.nope', IsPresent: true }, false],
  ['IsPresent false', { Variable: '$.nope', IsPresent: false }, true],
  ['IsNull', { Variable: '$.nul', IsNull: true }, true],
  ['IsNull on a string', { Variable: '$.s', IsNull: true }, false],
  ['IsNumeric', { Variable: '$.n', IsNumeric: true }, true],
  ['IsNumeric false', { Variable: '$.s', IsNumeric: false }, true],
  ['IsString', { Variable: '$.s', IsString: true }, true],
  ['IsBoolean', { Variable: '$.b', IsBoolean: true }, true],
  ['IsTimestamp', { Variable: '$.t', IsTimestamp: true }, true],
  ['IsTimestamp on plain text', { Variable: '$.s', IsTimestamp: true }, false],
  ['And', { And: [{ Variable: '$.n', NumericEquals: 5 }, { Variable: '$.s', StringEquals: 'beta' }] }, true],
  ['And (one false)', { And: [{ Variable: '$.n', NumericEquals: 5 }, { Variable: '$.s', StringEquals: 'x' }] }, false],
  ['Or', { Or: [{ Variable: '$.n', NumericEquals: 1 }, { Variable: '$.s', StringEquals: 'beta' }] }, true],
  ['Not', { Not: { Variable: '$.s', StringEquals: 'beta' } }, false],
  ['nested Not/And/Or', { Not: { Or: [{ Variable: '$.b', BooleanEquals: false }, { And: [{ Variable: '$.n', IsNumeric: false }] }] } }, true],
];

/** All cases in one definition (validation is the slow part): a dispatcher picks the Choice under test. */
const allCases = {
  StartAt: 'Dispatch',
  States: {
    Dispatch: { Type: 'Choice', Choices: cases.map((_, i) => ({ Variable: '$.case', NumericEquals: i, Next: `C${i}` })) },
    ...Object.fromEntries(cases.map(([, rule], i) => [`C${i}`, { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' }])),
    Yes: { Type: 'Pass', Result: 'yes', End: true },
    No: { Type: 'Pass', Result: 'no', End: true },
  },
};

describe('Choice (JSONPath operators)', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness(allCases);
  });

  it.each(cases.map((c, i) => [c[0], i, c[2]] as const))('%s', async (_name, i, expected) => {
    const out = await h.finish((await h.run({ ...input, case: i })).executionArn);
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toBe(expected ? 'yes' : 'no');
    expect(await h.entered(out.executionArn)).toEqual(['Dispatch', `C${i}`, expected ? 'Yes' : 'No']);
  });

  it('a single-rule definition behaves the same', async () => {
    const one = await harness(choiceDef({ Variable: '$.n', NumericEquals: 5 }));
    expect((await one.finish((await one.run(input)).executionArn)).output).toBe('"yes"');
  });

  it('no match and no Default fails with States.NoChoiceMatched', async () => {
    const h = await harness({
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'D' }] }, D: { Type: 'Succeed' } },
    });
    const out = await h.finish((await h.run({ n: 2 })).executionArn);
    expect(out.error).toBe('States.NoChoiceMatched');
  });
});

describe('Choice (JSONata Condition)', () => {
  it('picks the first true Condition, may Assign per rule, and Default otherwise', async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Condition: '{% $states.input.score >= 0.9 %}', Assign: { route: 'auto' }, Next: 'Save' },
            { Condition: '{% $states.input.score >= 0.5 %}', Assign: { route: 'review' }, Output: '{% {"why": "unsure"} %}', Next: 'Save' },
          ],
          Default: 'Reject',
        },
        Save: { Type: 'Pass', Output: '{% {"route": $route, "in": $states.input} %}', End: true },
        Reject: { Type: 'Fail', Error: 'LowConfidence', Cause: '{% "score " & $string($states.input.score) %}' },
      },
    };
    const h = await harness(def);
    const hi = await h.finish((await h.run({ score: 0.95 })).executionArn);
    expect(JSON.parse(hi.output!)).toEqual({ route: 'auto', in: { score: 0.95 } });
    const mid = await h.finish((await h.run({ score: 0.6 })).executionArn);
    expect(JSON.parse(mid.output!)).toEqual({ route: 'review', in: { why: 'unsure' } });
    const lo = await h.finish((await h.run({ score: 0.1 })).executionArn);
    expect(lo).toMatchObject({ status: 'FAILED', error: 'LowConfidence', cause: 'score 0.1' });
  });
});
