import { harness, until } from './helpers';

describe('JSONPath transforms', () => {
  it('applies InputPath → Parameters → ResultSelector → ResultPath → OutputPath, with $$ and intrinsics', async () => {
    const seen: unknown[] = [];
    const h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            InputPath: '$.order',
            Parameters: {
              FunctionName: '${PriceFunctionArn}',
              Payload: {
                'sku.$': '$.sku',
                'label.$': "States.Format('{} x{}', $.sku, $.qty)",
                'exec.$': '$$.Execution.Name',
                'state.$': '$$.State.Name',
                fixed: 'literal',
              },
            },
            ResultSelector: { 'price.$': '$.Payload.price', 'code.$': '$.StatusCode' },
            ResultPath: '$.pricing',
            OutputPath: '$.pricing',
            Next: 'Shape',
          },
          Shape: {
            Type: 'Pass',
            Parameters: {
              'all.$': '$',
              'parts.$': "States.StringSplit('a,b,,c', ',')",
              'arr.$': 'States.Array(1, $.price, States.ArrayLength(States.ArrayRange(1, 9, 2)))',
              'parsed.$': "States.StringToJson('{\"k\":[1,2]}')",
              'str.$': 'States.JsonToString($)',
              'part.$': 'States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)',
              'has.$': 'States.ArrayContains(States.Array(1, 2, 3), 2)',
              'item.$': 'States.ArrayGetItem(States.Array(5, 6, 7), 1)',
              'uniq.$': 'States.ArrayUnique(States.Array(1, 1, 2))',
              'b64.$': "States.Base64Encode('hi')",
              'unb64.$': "States.Base64Decode('aGk=')",
              'hash.$': "States.Hash('abc', 'SHA-256')",
              'merged.$': 'States.JsonMerge($, States.StringToJson(\'{"code":201}\'), false)',
              'sum.$': 'States.MathAdd($.price, -2)',
              'rnd.$': 'States.MathRandom(1, 3)',
              'uuid.$': 'States.UUID()',
            },
            ResultPath: '$.shaped',
            End: true,
          },
        },
      },
      { PriceFunctionArn: (ev) => (seen.push(ev), { price: 12 }) },
    );
    const { executionArn } = await h.run({ order: { sku: 'A-1', qty: 3 } }, 'exec-1');
    const out = await h.finish(executionArn);
    expect(out.status).toBe('SUCCEEDED');
    expect(seen).toEqual([{ sku: 'A-1', label: 'A-1 x3', exec: 'exec-1', state: 'Call', fixed: 'literal' }]);
    const o = JSON.parse(out.output!);
    expect(o.price).toBe(12);
    expect(o.code).toBe(200);
    const s = o.shaped;
    expect(s.all).toEqual({ price: 12, code: 200 });
    expect(s.parts).toEqual(['a', 'b', 'c']);
    expect(s.arr).toEqual([1, 12, 5]);
    expect(s.parsed).toEqual({ k: [1, 2] });
    expect(JSON.parse(s.str)).toEqual({ price: 12, code: 200 });
    expect(s.part).toEqual([[1, 2], [3, 4], [5]]);
    expect(s.has).toBe(true);
    expect(s.item).toBe(6);
    expect(s.uniq).toEqual([1, 2]);
    expect(s.b64).toBe('aGk=');
    expect(s.unb64).toBe('hi');
    expect(s.hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(s.merged).toEqual({ price: 12, code: 201 });
    expect(s.sum).toBe(10);
    expect([1, 2]).toContain(s.rnd);
    expect(s.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('plain Lambda ARN resource passes the effective input and returns the bare result; ResultPath null keeps input', async () => {
    const h = await harness(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Task', Resource: '${EchoFunctionArn}', ResultPath: '$.r', Next: 'B' },
          B: { Type: 'Task', Resource: '${EchoFunctionArn}', ResultPath: null, OutputPath: '$.r', End: true },
        },
      },
      { EchoFunctionArn: (ev) => ({ got: ev }) },
    );
    const { executionArn } = await h.run({ x: 1 });
    const out = await h.finish(executionArn);
    expect(JSON.parse(out.output!)).toEqual({ got: { x: 1 } });
    const types = await h.types(executionArn);
    expect(types).toContain('LambdaFunctionScheduled');
    expect(types).toContain('LambdaFunctionSucceeded');
  });

  it('JSONPath Assign sets variables read later with $name paths', async () => {
    const h = await harness({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: { v: 41 }, Assign: { 'count.$': '$.v', tag: 'x' }, Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'c.$': '$count', 't.$': '$tag', 'f.$': "States.Format('{}-{}', $tag, $count)" }, End: true },
      },
    });
    const out = await h.finish((await h.run({})).executionArn);
    expect(JSON.parse(out.output!)).toEqual({ c: 41, t: 'x', f: 'x-41' });
  });
});

describe('JSONata transforms', () => {
  it('Arguments/Output/Assign with $states, variables, context and AWS functions', async () => {
    const calls: Array<{ ev: unknown; ctx: unknown }> = [];
    const h = await harness(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { n: '{% $states.input.n %}', list: [1, '{% $states.input.n %}'] }, Next: 'Call' },
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: '${CalcFunctionArn}', Payload: { n: '{% $n %}', name: '{% $states.context.Execution.Name %}', nested: { deep: ['{% $n * 2 %}'] } } },
            Assign: { n: '{% $states.result.Payload.n %}', before: '{% $n %}' },
            Output: '{% {"payload": $states.result.Payload, "nSeenByOutput": $n, "status": $states.result.StatusCode} %}',
            Next: 'Fns',
          },
          Fns: {
            Type: 'Pass',
            Output: {
              prev: '{% $states.input %}',
              n: '{% $n %}',
              before: '{% $before %}',
              list: '{% $list %}',
              part: '{% $partition([1,2,3,4,5], 2) %}',
              range: '{% $range(0, 10, 5) %}',
              hash: "{% $hash('abc', 'MD5') %}",
              rnd: '{% $random() %}',
              seeded: '{% $random(7) = $random(7) %}',
              uuid: '{% $uuid() %}',
              parsed: '{% $parse(\'{"a":1}\') %}',
              lit: 'plain string',
            },
            End: true,
          },
        },
      },
      { CalcFunctionArn: (ev, ctx) => (calls.push({ ev, ctx }), { n: ev.n + 1 }) },
    );
    const { executionArn } = await h.run({ n: 1 }, 'jsonata-1');
    const out = await h.finish(executionArn);
    expect(out.status).toBe('SUCCEEDED');
    expect(calls[0].ev).toEqual({ n: 1, name: 'jsonata-1', nested: { deep: [2] } });
    expect(calls[0].ctx).toMatchObject({ executionArn, stateName: 'Call', functionName: 'Calc', attempt: 0 });
    const o = JSON.parse(out.output!);
    expect(o.prev).toEqual({ payload: { n: 2 }, nSeenByOutput: 1, status: 200 });
    expect(o.n).toBe(2);
    expect(o.before).toBe(1);
    expect(o.list).toEqual([1, 1]);
    expect(o.part).toEqual([[1, 2], [3, 4], [5]]);
    expect(o.range).toEqual([0, 5, 10]);
    expect(o.hash).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(o.rnd).toBeGreaterThanOrEqual(0);
    expect(o.rnd).toBeLessThan(1);
    expect(o.seeded).toBe(true);
    expect(o.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.parsed).toEqual({ a: 1 });
    expect(o.lit).toBe('plain string');
    const { events } = await h.engine.getExecutionHistory({ executionArn, maxResults: 1000 });
    const exited = events.find((e) => e.type === 'TaskStateExited')!.stateExitedEventDetails as { assignedVariables: Record<string, string> };
    expect(exited.assignedVariables).toEqual({ n: '2', before: '1' });
  });

  it('an expression yielding nothing is States.QueryEvaluationError (catchable)', async () => {
    const h = await harness({
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: { Type: 'Pass', Output: '{% $states.input.missing %}', End: true },
      },
    });
    const out = await h.finish((await h.run({})).executionArn);
    expect(out.error).toBe('States.QueryEvaluationError');
    expect(out.cause).toMatch(/returned nothing/);
  });

  it('per-state QueryLanguage overrides the top level', async () => {
    const h = await harness({
      QueryLanguage: 'JSONata',
      StartAt: 'Old',
      States: {
        Old: { Type: 'Pass', QueryLanguage: 'JSONPath', Parameters: { 'v.$': '$.a' }, Next: 'New' },
        New: { Type: 'Pass', Output: '{% $states.input.v + 1 %}', End: true },
      },
    });
    const out = await h.finish((await h.run({ a: 1 })).executionArn);
    expect(out.output).toBe('2');
  });
});

describe('Wait', () => {
  it.each([
    ['Seconds', { Seconds: 30 }, {}],
    ['SecondsPath', { SecondsPath: '$.s' }, { s: 30 }],
    ['Timestamp', { Timestamp: '2025-01-01T00:00:30Z' }, {}],
    ['TimestampPath', { TimestampPath: '$.t' }, { t: '2025-01-01T00:00:30Z' }],
  ])('%s waits until the clock reaches the deadline', async (_n, fields, input) => {
    const h = await harness({ StartAt: 'W', States: { W: { Type: 'Wait', ...fields, End: true } } });
    const { executionArn } = await h.run(input);
    await until(() => h.clock.pending > 0);
    await h.clock.advance(29_000);
    expect((await h.engine.describeExecution({ executionArn })).status).toBe('RUNNING');
    await h.clock.advance(1_000);
    expect((await h.finish(executionArn)).status).toBe('SUCCEEDED');
    expect(await h.types(executionArn)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  it('JSONata Seconds expression', async () => {
    const h = await harness({ QueryLanguage: 'JSONata', StartAt: 'W', States: { W: { Type: 'Wait', Seconds: '{% $states.input.s * 2 %}', End: true } } });
    const { executionArn } = await h.run({ s: 5 });
    await until(() => h.clock.pending > 0);
    await h.clock.advance(9_999);
    expect((await h.engine.describeExecution({ executionArn })).status).toBe('RUNNING');
    await h.clock.advance(1);
    expect((await h.finish(executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('Fail', () => {
  it('ErrorPath/CausePath (JSONPath) take error and cause from the input', async () => {
    const h = await harness({ StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('bad {}', $.c)" } } });
    const out = await h.finish((await h.run({ e: 'Custom', c: 'thing' })).executionArn);
    expect(out).toMatchObject({ status: 'FAILED', error: 'Custom', cause: 'bad thing' });
    expect(await h.types(out.executionArn)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });
});

describe('payload quota', () => {
  it('a state output over 256 KiB fails with States.DataLimitExceeded, which States.ALL does not catch', async () => {
    const h = await harness(
      {
        StartAt: 'Big',
        States: {
          Big: { Type: 'Task', Resource: '${BigFunctionArn}', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true },
          Caught: { Type: 'Succeed' },
        },
      },
      { BigFunctionArn: () => 'x'.repeat(300 * 1024) },
    );
    const out = await h.finish((await h.run({})).executionArn);
    expect(out).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });
});
