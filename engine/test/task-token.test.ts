import { harness, until } from './helpers';

const reviewDef = (extra: object = {}) => ({
  QueryLanguage: 'JSONata',
  StartAt: 'Review',
  States: {
    Review: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Arguments: { FunctionName: '${RequestReviewFunctionArn}', Payload: { token: '{% $states.context.Task.Token %}', item: '{% $states.input %}' } },
      ...extra,
      Catch: [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Output: '{% {"expired": $states.errorOutput.Error} %}', Next: 'Expired' }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Expired: { Type: 'Succeed' },
  },
});

async function setup(extra: object = {}) {
  const tokens: string[] = [];
  let returned = 0;
  const h = await harness(reviewDef(extra), {
    RequestReviewFunctionArn: (ev: { token: string }) => {
      tokens.push(ev.token);
      returned++;
      return { ignored: true };
    },
  });
  const { executionArn } = await h.run({ id: 'x' });
  await until(() => tokens.length > 0);
  await until(async () => (await h.types(executionArn)).includes('TaskSubmitted'));
  return { h, executionArn, token: tokens[0], returned: () => returned };
}

describe('waitForTaskToken', () => {
  it('invokes the handler, ignores its return value and resumes with sendTaskSuccess output', async () => {
    const { h, executionArn, token } = await setup();
    expect((await h.engine.describeExecution({ executionArn })).status).toBe('RUNNING');
    await h.engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ approved: true }) });
    const out = await h.finish(executionArn);
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ approved: true });
    const types = await h.types(executionArn);
    expect(types).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted',
      'TaskSucceeded', 'TaskStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded',
    ]);
  });

  it('sendTaskFailure fails the task with the given error and cause', async () => {
    const { h, executionArn, token } = await setup();
    await h.engine.sendTaskFailure({ taskToken: token, error: 'Rejected', cause: 'blurry' });
    const out = await h.finish(executionArn);
    expect(out).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'blurry' });
  });

  it('a second send on the same token is refused and never resumes twice', async () => {
    const { h, executionArn, token } = await setup();
    await h.engine.sendTaskSuccess({ taskToken: token, output: '{"n":1}' });
    await expect(h.engine.sendTaskSuccess({ taskToken: token, output: '{"n":2}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(h.engine.sendTaskFailure({ taskToken: token, error: 'X' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
    const out = await h.finish(executionArn);
    expect(JSON.parse(out.output!)).toEqual({ n: 1 });
    expect((await h.types(executionArn)).filter((t) => t === 'TaskSucceeded')).toHaveLength(1);
  });

  it('concurrent double send: exactly one wins', async () => {
    const { h, executionArn, token } = await setup();
    const results = await Promise.allSettled([
      h.engine.sendTaskSuccess({ taskToken: token, output: '{"who":"a"}' }),
      h.engine.sendTaskSuccess({ taskToken: token, output: '{"who":"b"}' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(JSON.parse((await h.finish(executionArn)).output!)).toEqual({ who: 'a' });
  });

  it('malformed token → InvalidToken; well-formed unknown token → TaskDoesNotExist', async () => {
    const { h } = await setup();
    await expect(h.engine.sendTaskSuccess({ taskToken: 'garbage', output: '{}' })).rejects.toMatchObject({ name: 'InvalidToken' });
    const unknown = 'AQ' + Buffer.from(JSON.stringify({ e: 'arn:aws:states:local:000000000000:execution:test:nope', n: 'x' })).toString('base64url');
    await expect(h.engine.sendTaskSuccess({ taskToken: unknown, output: '{}' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(h.engine.sendTaskHeartbeat({ taskToken: unknown })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('TimeoutSeconds expires the wait with States.Timeout; the token is then dead', async () => {
    const { h, executionArn, token } = await setup({ TimeoutSeconds: 3600 });
    await h.clock.advance(3599_000);
    expect((await h.engine.describeExecution({ executionArn })).status).toBe('RUNNING');
    await h.clock.advance(1_000);
    const out = await h.finish(executionArn);
    expect(JSON.parse(out.output!)).toEqual({ expired: 'States.Timeout' });
    expect(await h.types(executionArn)).toContain('TaskTimedOut');
    await expect(h.engine.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('HeartbeatSeconds: heartbeats keep the task alive; silence expires it with States.HeartbeatTimeout', async () => {
    const { h, executionArn, token } = await setup({ HeartbeatSeconds: 60, TimeoutSeconds: 1000 });
    for (let i = 0; i < 5; i++) {
      await h.clock.advance(50_000);
      await h.engine.sendTaskHeartbeat({ taskToken: token });
    }
    expect((await h.engine.describeExecution({ executionArn })).status).toBe('RUNNING');
    await h.clock.advance(60_000);
    const out = await h.finish(executionArn);
    expect(JSON.parse(out.output!)).toEqual({ expired: 'States.HeartbeatTimeout' });
  });

  it('onEvent reports TaskSubmitted of a waitForTaskToken task (how the console sees "waiting for review")', async () => {
    const tokens: string[] = [];
    const h = await harness(reviewDef(), { RequestReviewFunctionArn: (ev: { token: string }) => void tokens.push(ev.token) });
    const seen: Array<[string, string]> = [];
    h.engine.onEvent((arn, e) => seen.push([arn, e.type]));
    const { executionArn } = await h.run({});
    await until(() => seen.some(([, t]) => t === 'TaskSubmitted'));
    const submitted = (await h.engine.getExecutionHistory({ executionArn })).events.find((e) => e.type === 'TaskSubmitted')!;
    expect(submitted.taskSubmittedEventDetails).toMatchObject({ resource: 'invoke.waitForTaskToken', resourceType: 'lambda' });
    expect(seen.every(([arn]) => arn === executionArn)).toBe(true);
    await h.engine.sendTaskSuccess({ taskToken: tokens[0], output: '{}' });
    await h.finish(executionArn);
    await until(() => seen.some(([, t]) => t === 'ExecutionSucceeded'));
  });
});

describe('waitForTaskToken (JSONPath)', () => {
  it('passes $$.Task.Token in Parameters and honours TimeoutSecondsPath / HeartbeatSecondsPath', async () => {
    const tokens: string[] = [];
    const h = await harness(
      {
        StartAt: 'Ask',
        States: {
          Ask: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: '${AskFunctionArn}', Payload: { 'token.$': '$$.Task.Token', 'q.$': '$.q' } },
            TimeoutSecondsPath: '$.limits.timeout',
            HeartbeatSecondsPath: '$.limits.heartbeat',
            ResultPath: '$.answer',
            Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'Silent' }],
            End: true,
          },
          Silent: { Type: 'Pass', End: true },
        },
      },
      { AskFunctionArn: (ev: { token: string }) => void tokens.push(ev.token) },
    );
    const answered = await h.run({ q: 'ok?', limits: { timeout: 100, heartbeat: 10 } });
    await until(() => tokens.length === 1);
    const { events } = await h.engine.getExecutionHistory({ executionArn: answered.executionArn });
    expect(events.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 100, heartbeatInSeconds: 10 });
    await h.engine.sendTaskSuccess({ taskToken: tokens[0], output: '"yes"' });
    expect(JSON.parse((await h.finish(answered.executionArn)).output!)).toMatchObject({ q: 'ok?', answer: 'yes' });

    const silent = await h.run({ q: 'hello?', limits: { timeout: 100, heartbeat: 10 } });
    await until(() => tokens.length === 2 && h.clock.pending >= 2);
    await h.clock.advance(10_000);
    const out = await h.finish(silent.executionArn);
    expect(JSON.parse(out.output!).error.Error).toBe('States.HeartbeatTimeout');
  });
});
