import { InvalidDefinition, ManualClock, MemoryStore, StepFunctionsEngine } from '../src';
import { harness, lambdaTask, named, until } from './helpers';

const waitDef = (extra: object = {}) => ({
  StartAt: 'W',
  ...extra,
  States: { W: { Type: 'Wait', Seconds: 100, Next: 'Boom' }, Boom: { Type: 'Task', Resource: '${BoomFunctionArn}', End: true } },
});

describe('execution lifecycle', () => {
  it('execution TimeoutSeconds ends the run TIMED_OUT', async () => {
    const h = await harness(waitDef({ TimeoutSeconds: 10 }), { BoomFunctionArn: () => 1 });
    const { executionArn } = await h.run({});
    await until(() => h.clock.pending >= 2);
    await h.clock.advance(10_000);
    const out = await h.finish(executionArn);
    expect(out).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await h.types(executionArn)).at(-1)).toBe('ExecutionTimedOut');
    expect(h.clock.pending).toBe(0);
  });

  it('stopExecution aborts a running execution', async () => {
    const h = await harness(waitDef(), { BoomFunctionArn: () => 1 });
    const { executionArn } = await h.run({});
    await until(() => h.clock.pending > 0);
    await h.engine.stopExecution({ executionArn, error: 'UserStop', cause: 'changed my mind' });
    const out = await h.engine.describeExecution({ executionArn });
    expect(out).toMatchObject({ status: 'ABORTED', error: 'UserStop', cause: 'changed my mind' });
    expect((await h.types(executionArn)).at(-1)).toBe('ExecutionAborted');
    await h.clock.advance(200_000);
    expect((await h.types(executionArn)).at(-1)).toBe('ExecutionAborted');
  });

  it('redriveExecution resumes a FAILED execution from the failed state with its input and variables', async () => {
    let broken = true;
    const h = await harness(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'First',
        States: {
          First: { Type: 'Pass', Assign: { seed: '{% $states.input.seed %}' }, Next: 'Second' },
          Second: lambdaTask('FlakyFunctionArn', { Output: '{% {"r": $states.result.Payload, "seed": $seed} %}', End: true }),
        },
      },
      { FlakyFunctionArn: () => { if (broken) throw named('DownstreamDown'); return 'fine'; } },
    );
    const { executionArn } = await h.run({ seed: 42 });
    expect((await h.finish(executionArn)).status).toBe('FAILED');
    broken = false;
    await h.engine.redriveExecution({ executionArn });
    const out = await h.finish(executionArn);
    expect(out).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(out.output!)).toEqual({ r: 'fine', seed: 42 });
    expect(await h.entered(executionArn)).toEqual(['First', 'Second', 'Second']);
    expect(await h.types(executionArn)).toContain('ExecutionRedriven');
    await expect(h.engine.redriveExecution({ executionArn })).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
  });

  it('startExecution with the same name: same input returns the existing run, different input fails', async () => {
    const h = await harness(waitDef(), { BoomFunctionArn: () => 1 });
    const a = await h.run({ k: 1 }, 'object-123');
    const b = await h.run({ k: 1 }, 'object-123');
    expect(b).toEqual(a);
    await expect(h.run({ k: 2 }, 'object-123')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect((await h.engine.listExecutions({ stateMachineArn: h.arn })).executions).toHaveLength(1);
  });

  it('listExecutions filters by status, lists newest first and pages', async () => {
    const h = await harness({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    for (let i = 0; i < 5; i++) {
      await h.finish((await h.run({}, `run-${i}`)).executionArn);
      await h.clock.advance(1000);
    }
    const first = await h.engine.listExecutions({ stateMachineArn: h.arn, statusFilter: 'SUCCEEDED', maxResults: 2 });
    expect(first.executions.map((e) => e.name)).toEqual(['run-4', 'run-3']);
    const second = await h.engine.listExecutions({ stateMachineArn: h.arn, maxResults: 2, nextToken: first.nextToken });
    expect(second.executions.map((e) => e.name)).toEqual(['run-2', 'run-1']);
    expect((await h.engine.listExecutions({ stateMachineArn: h.arn, statusFilter: 'FAILED' })).executions).toHaveLength(0);
  });

  it('history events carry ids, previousEventId, timestamps and JSON-string details', async () => {
    const h = await harness({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { a: 1 }, End: true } } });
    const { executionArn } = await h.run({ in: true });
    await h.finish(executionArn);
    const { events } = await h.engine.getExecutionHistory({ executionArn });
    expect(events.map((e) => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 1], [3, 2], [4, 3]]);
    expect(events[0].timestamp).toBeInstanceOf(Date);
    expect(events[0].executionStartedEventDetails).toMatchObject({ input: '{"in":true}' });
    expect(events[1].stateEnteredEventDetails).toMatchObject({ name: 'P', input: '{"in":true}' });
    expect(events[2].stateExitedEventDetails).toMatchObject({ name: 'P', output: '{"a":1}' });
    expect(events[3].executionSucceededEventDetails).toMatchObject({ output: '{"a":1}' });
    const reversed = await h.engine.getExecutionHistory({ executionArn, reverseOrder: true, maxResults: 1 });
    expect(reversed.events[0].type).toBe('ExecutionSucceeded');
    expect(reversed.nextToken).toBeDefined();
  });

  it('unknown executions and state machines raise the AWS exception names', async () => {
    const h = await harness({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    await expect(h.engine.describeExecution({ executionArn: 'arn:nope' })).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(h.engine.startExecution({ stateMachineArn: 'arn:nope' })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('bounds concurrently running executions; extra ones stay RUNNING until a slot frees', async () => {
    let active = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const h = await harness(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: '${HoldFunctionArn}', End: true } } },
      { HoldFunctionArn: async () => { active++; peak = Math.max(peak, active); await new Promise<void>((r) => release.push(r)); active--; return 1; } },
      { maxConcurrentExecutions: 2 },
    );
    const arns = [];
    for (let i = 0; i < 5; i++) arns.push((await h.run({}, `c${i}`)).executionArn);
    await until(() => release.length === 2);
    const statuses = await Promise.all(arns.map(async (executionArn) => (await h.engine.describeExecution({ executionArn })).status));
    expect(statuses.every((s) => s === 'RUNNING')).toBe(true);
    while (release.length || active) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const a of arns) expect((await h.finish(a)).status).toBe('SUCCEEDED');
    expect(peak).toBe(2);
  });

  it('restarting on the same store resumes token waits (same token) and re-arms Wait timers', async () => {
    const store = new MemoryStore({ isolate: true });
    const clock = new ManualClock();
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'Review',
      States: {
        Review: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Arguments: { FunctionName: '${AskFunctionArn}', Payload: '{% $states.context.Task.Token %}' },
          Next: 'Pause',
        },
        Pause: { Type: 'Wait', Seconds: 60, Next: 'Done' },
        Done: { Type: 'Pass', Output: '{% $states.input %}', End: true },
      },
    };
    const tokens: string[] = [];
    const h1 = await harness(def, { AskFunctionArn: (t: string) => void tokens.push(t) }, { store, clock });
    const { executionArn } = await h1.run({});
    await until(async () => (await h1.types(executionArn)).includes('TaskSubmitted'));
    await h1.engine.close();

    const e2 = new StepFunctionsEngine({ store, clock });
    await e2.registerStateMachine({ name: 'test', definition: def, handlers: { AskFunctionArn: (t: string) => void tokens.push(t) } });
    await e2.recover();
    await e2.sendTaskSuccess({ taskToken: tokens[0], output: '{"ok":1}' });
    await until(() => clock.pending > 0);
    expect(tokens).toHaveLength(1);
    await e2.close();

    const e3 = new StepFunctionsEngine({ store, clock });
    await e3.registerStateMachine({ name: 'test', definition: def, handlers: { AskFunctionArn: () => undefined } });
    await e3.recover();
    await clock.advance(60_000);
    const out = await e3.waitForExecution(executionArn, { timeoutMs: 2000 });
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ ok: 1 });
    const types = (await e3.getExecutionHistory({ executionArn, maxResults: 1000 })).events.map((e) => e.type);
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(1);
  });
});

describe('definition loading', () => {
  const engine = () => new StepFunctionsEngine();
  it('rejects an unknown ${placeholder}, naming it', async () => {
    await expect(
      engine().registerStateMachine({ name: 'x', definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: '${MissingFunctionArn}', End: true } } } }),
    ).rejects.toThrow(/\$\{MissingFunctionArn\}/);
  });
  it('substitutes plain text values as CDK does', async () => {
    const e = engine();
    const { stateMachineArn } = await e.registerStateMachine({
      name: 'x',
      definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"max":${MaxAttempts}},"End":true}}}',
      definitionSubstitutions: { MaxAttempts: '3' },
    });
    const { executionArn } = await e.startExecution({ stateMachineArn });
    expect((await e.waitForExecution(executionArn, { timeoutMs: 1000 })).output).toBe('{"max":3}');
  });
  it('rejects JSONPath-only fields in a JSONata state, naming state and field', async () => {
    await expect(
      engine().registerStateMachine({ name: 'x', definition: { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.a', End: true } } } }),
    ).rejects.toThrow(/State 'P'.*'InputPath'/);
  });
  it('rejects Next pointing nowhere and unreachable states', async () => {
    const e = engine();
    await expect(e.registerStateMachine({ name: 'x', definition: { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Nope' } } } })).rejects.toThrow(/State 'P'.*'Nope'/);
    await expect(
      e.registerStateMachine({ name: 'x', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true }, Orphan: { Type: 'Pass', End: true } } } }),
    ).rejects.toThrow(/Orphan/);
  });
  it('rejects schema errors from asl-validator as InvalidDefinition', async () => {
    const err = await engine()
      .registerStateMachine({ name: 'x', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true, Bogus: 1 } } } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidDefinition);
    expect(err.name).toBe('InvalidDefinition');
    expect(err.message).toMatch(/State 'P': field 'Bogus'/);
  });
  it('passes other schema errors through from asl-validator, naming the state', async () => {
    const err = await engine()
      .registerStateMachine({ name: 'x', definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Timestamp: '2025-01-01T00:00:00Z', End: true } } } })
      .catch((e) => e);
    expect(err.name).toBe('InvalidDefinition');
    expect(err.message).toMatch(/W/);
  });
});

describe('restart with token waits inside a Map', () => {
  it('keeps each iteration waiting on the same token; answers sent before or after recover() both count', async () => {
    const store = new MemoryStore({ isolate: true });
    const clock = new ManualClock();
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          Items: '{% $states.input.items %}',
          ItemProcessor: {
            StartAt: 'Ask',
            States: {
              Ask: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
                Arguments: { FunctionName: '${AskFunctionArn}', Payload: { token: '{% $states.context.Task.Token %}', item: '{% $states.input %}' } },
                TimeoutSeconds: 3600,
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };
    const asked = new Map<string, string[]>();
    const ask = (ev: { token: string; item: string }) => void asked.set(ev.item, [...(asked.get(ev.item) ?? []), ev.token]);
    const h1 = await harness(def, { AskFunctionArn: ask }, { store, clock });
    const { executionArn } = await h1.run({ items: ['a', 'b'] });
    await until(async () => (await h1.types(executionArn)).filter((t) => t === 'TaskSubmitted').length === 2);
    await h1.engine.close();

    const e2 = new StepFunctionsEngine({ store, clock });
    await e2.registerStateMachine({ name: 'test', definition: def, handlers: { AskFunctionArn: ask } });
    await e2.sendTaskSuccess({ taskToken: asked.get('a')![0], output: '"A"' }); // before recover()
    await e2.recover();
    await until(() => asked.get('b')!.length === 2 || clock.pending > 0);
    await e2.sendTaskSuccess({ taskToken: asked.get('b')![0], output: '"B"' }); // the pre-crash token, after recover()
    const out = await e2.waitForExecution(executionArn, { timeoutMs: 2000 });
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual(['A', 'B']);
    expect(new Set(asked.get('b'))).toEqual(new Set([asked.get('b')![0]])); // re-invoked (at-least-once) with the same token
  });
});

describe('restart re-arms persisted deadlines', () => {
  const def = {
    TimeoutSeconds: 1000,
    StartAt: 'Call',
    States: {
      Call: { Type: 'Task', Resource: '${FlakyFunctionArn}', Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 100, MaxAttempts: 1 }], End: true },
    },
  };

  it('a retry backoff in progress resumes at its persisted deadline', async () => {
    const store = new MemoryStore({ isolate: true });
    const clock = new ManualClock();
    let calls = 0;
    const flaky = () => {
      if (++calls === 1) throw named('Busy');
      return 'done';
    };
    const h1 = await harness(def, { FlakyFunctionArn: flaky }, { store, clock });
    const { executionArn } = await h1.run({});
    await until(() => clock.pending >= 2); // execution timeout + backoff
    await clock.advance(40_000);
    await h1.engine.close();

    const e2 = new StepFunctionsEngine({ store, clock });
    await e2.registerStateMachine({ name: 'test', definition: def, handlers: { FlakyFunctionArn: flaky } });
    await e2.recover();
    await until(() => clock.pending >= 2);
    await clock.advance(59_000);
    expect(calls).toBe(1);
    await clock.advance(1_000);
    const out = await e2.waitForExecution(executionArn, { timeoutMs: 2000 });
    expect(out).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
    expect(calls).toBe(2);
  });

  it('the execution timeout keeps counting from the original start', async () => {
    const store = new MemoryStore({ isolate: true });
    const clock = new ManualClock();
    const busy = () => {
      throw named('Busy');
    };
    const slowDef = { ...def, States: { Call: { ...def.States.Call, Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 5000, MaxAttempts: 1 }] } } };
    const h1 = await harness(slowDef, { FlakyFunctionArn: busy }, { store, clock });
    const { executionArn } = await h1.run({});
    await until(() => clock.pending >= 2);
    await clock.advance(600_000);
    await h1.engine.close();

    const e2 = new StepFunctionsEngine({ store, clock });
    await e2.registerStateMachine({ name: 'test', definition: slowDef, handlers: { FlakyFunctionArn: busy } });
    await e2.recover();
    await until(() => clock.pending >= 2);
    await clock.advance(399_000);
    expect((await e2.describeExecution({ executionArn })).status).toBe('RUNNING');
    await clock.advance(1_000);
    expect((await e2.waitForExecution(executionArn, { timeoutMs: 2000 })).status).toBe('TIMED_OUT');
  });
});
