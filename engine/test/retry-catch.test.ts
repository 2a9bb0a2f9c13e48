import { harness, lambdaTask, named, until } from './helpers';

const retryDef = (retry: object) => ({
  QueryLanguage: 'JSONata',
  StartAt: 'Call',
  States: { Call: lambdaTask('FlakyFunctionArn', { Retry: [retry], End: true }) },
});

async function scheduledTimes(h: Awaited<ReturnType<typeof harness>>, arn: string): Promise<number[]> {
  const { events } = await h.engine.getExecutionHistory({ executionArn: arn, maxResults: 1000 });
  return events.filter((e) => e.type === 'TaskScheduled').map((e) => e.timestamp.getTime());
}

describe('Retry', () => {
  it('backs off IntervalSeconds * BackoffRate^n, capped by MaxDelaySeconds, then succeeds', async () => {
    let calls = 0;
    const h = await harness(
      retryDef({ ErrorEquals: ['ThrottledError'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 5, MaxDelaySeconds: 10 }),
      { FlakyFunctionArn: () => { if (++calls < 5) throw named('ThrottledError'); return { ok: calls }; } },
    );
    const { executionArn } = await h.run();
    for (let i = 0; i < 4; i++) {
      await until(() => h.clock.pending > 0);
      await h.clock.advance(h.clock.nextTimerAt()! - h.clock.now());
    }
    const out = await h.finish(executionArn);
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ ok: 5 });
    const t = await scheduledTimes(h, executionArn);
    const gaps = t.slice(1).map((x, i) => (x - t[i]) / 1000);
    expect(gaps).toEqual([2, 6, 10, 10]); // 2, 6, 18→10, 54→10
  });

  it('FULL jitter picks a delay in [0, backoff delay] using the random source', async () => {
    const h = await harness(
      retryDef({ ErrorEquals: ['States.ALL'], IntervalSeconds: 4, BackoffRate: 2, MaxAttempts: 2, JitterStrategy: 'FULL' }),
      { FlakyFunctionArn: () => { throw named('AnyError'); } },
      { random: () => 0.25 },
    );
    const { executionArn } = await h.run();
    for (let i = 0; i < 2; i++) {
      await until(() => h.clock.pending > 0);
      await h.clock.advance(h.clock.nextTimerAt()! - h.clock.now());
    }
    const out = await h.finish(executionArn);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('AnyError');
    const t = await scheduledTimes(h, executionArn);
    expect(t.slice(1).map((x, i) => (x - t[i]) / 1000)).toEqual([1, 2]); // 0.25*4, 0.25*8
  });

  it('FULL jitter with the real random source stays within bounds', async () => {
    const h = await harness(
      retryDef({ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, BackoffRate: 1, MaxAttempts: 20, JitterStrategy: 'FULL' }),
      { FlakyFunctionArn: () => { throw named('AnyError'); } },
    );
    const { executionArn } = await h.run();
    for (let i = 0; i < 20; i++) {
      await until(() => h.clock.pending > 0);
      await h.clock.advance(h.clock.nextTimerAt()! - h.clock.now());
    }
    await h.finish(executionArn);
    const t = await scheduledTimes(h, executionArn);
    const gaps = t.slice(1).map((x, i) => x - t[i]);
    expect(gaps).toHaveLength(20);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(0), expect(g).toBeLessThanOrEqual(10_000);
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  it('MaxAttempts 0 never retries, and a non-matching error is not retried', async () => {
    let calls = 0;
    const h = await harness(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Call',
        States: {
          Call: lambdaTask('FlakyFunctionArn', {
            Retry: [{ ErrorEquals: ['Never'], MaxAttempts: 0 }, { ErrorEquals: ['Other'] }],
            End: true,
          }),
        },
      },
      { FlakyFunctionArn: () => { calls++; throw named('Never'); } },
    );
    const out = await h.finish((await h.run()).executionArn);
    expect(out.error).toBe('Never');
    expect(calls).toBe(1);
  });

  it('task TimeoutSeconds raises States.Timeout, which States.TaskFailed does not match but a named retrier does', async () => {
    let calls = 0;
    const h = await harness(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Call',
        States: {
          Call: lambdaTask('SlowFunctionArn', {
            TimeoutSeconds: 5,
            Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 5 }, { ErrorEquals: ['States.Timeout'], MaxAttempts: 1, IntervalSeconds: 1 }],
            End: true,
          }),
        },
      },
      { SlowFunctionArn: () => { calls++; return new Promise(() => undefined); } },
    );
    const { executionArn } = await h.run();
    await until(() => h.clock.pending > 0);
    await h.clock.advance(5000); // first attempt times out
    await until(() => h.clock.pending > 0);
    await h.clock.advance(1000); // backoff
    await until(() => calls === 2 && h.clock.pending > 0);
    await h.clock.advance(5000);
    const out = await h.finish(executionArn);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('States.Timeout');
    expect(calls).toBe(2);
    expect((await h.types(executionArn)).filter((t) => t === 'TaskTimedOut')).toHaveLength(2);
  });
});

describe('Catch', () => {
  class MalformedModelOutputError extends Error {
    override readonly name = 'MalformedModelOutputError';
  }

  it('routes by the thrown error name and gives AWS-shaped error output (JSONata Output/Assign)', async () => {
    const h = await harness(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Extract',
        States: {
          Extract: lambdaTask('ExtractFunctionArn', {
            Catch: [
              { ErrorEquals: ['ModelThrottledError'], Next: 'Wrong' },
              { ErrorEquals: ['MalformedModelOutputError'], Assign: { failure: '{% $states.errorOutput %}', seen: '{% $states.input.id %}' }, Output: '{% {"caught": $states.errorOutput.Error} %}', Next: 'Handled' },
              { ErrorEquals: ['States.ALL'], Next: 'Wrong' },
            ],
            End: true,
          }),
          Handled: { Type: 'Pass', Output: '{% {"in": $states.input, "cause": $parse($failure.Cause), "seen": $seen} %}', End: true },
          Wrong: { Type: 'Fail', Error: 'WrongBranch' },
        },
      },
      { ExtractFunctionArn: () => { throw new MalformedModelOutputError('fields missing'); } },
    );
    const { executionArn } = await h.run({ id: 7 });
    const out = await h.finish(executionArn);
    expect(out.status).toBe('SUCCEEDED');
    const o = JSON.parse(out.output!);
    expect(o.in).toEqual({ caught: 'MalformedModelOutputError' });
    expect(o.seen).toBe(7);
    expect(o.cause.errorType).toBe('MalformedModelOutputError');
    expect(o.cause.errorMessage).toBe('fields missing');
    expect(Array.isArray(o.cause.trace)).toBe(true);
    expect(await h.entered(executionArn)).toEqual(['Extract', 'Handled']);
  });

  it('JSONPath Catch puts the error at ResultPath, keeping the input', async () => {
    const h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: '${BadFunctionArn}', Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.err', Next: 'Done' }], End: true },
          Done: { Type: 'Pass', End: true },
        },
      },
      { BadFunctionArn: () => { throw named('BadThing', 'nope'); } },
    );
    const out = await h.finish((await h.run({ keep: 1 })).executionArn);
    const o = JSON.parse(out.output!);
    expect(o.keep).toBe(1);
    expect(o.err.Error).toBe('BadThing');
    expect(JSON.parse(o.err.Cause)).toMatchObject({ errorMessage: 'nope', errorType: 'BadThing' });
  });

  it('States.ALL does not catch States.Runtime', async () => {
    const h = await harness({
      StartAt: 'P',
      States: {
        P: { Type: 'Pass', InputPath: '$.missing.deep', Next: 'T' },
        T: { Type: 'Succeed' },
      },
    });
    const out = await h.finish((await h.run({})).executionArn);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('States.Runtime');
  });
});
