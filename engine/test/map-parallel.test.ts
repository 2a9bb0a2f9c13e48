import { harness, named, until } from './helpers';

describe('Map', () => {
  it('runs items with at most MaxConcurrency at once and keeps result order (JSONPath ItemsPath/ItemSelector)', async () => {
    let active = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const h = await harness(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 2,
            ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index', 'k.$': '$.k' },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'INLINE' },
              StartAt: 'Work',
              States: { Work: { Type: 'Task', Resource: '${WorkFunctionArn}', End: true } },
            },
            ResultPath: '$.out',
            End: true,
          },
        },
      },
      {
        WorkFunctionArn: async (ev: { v: number; i: number; k: string }) => {
          active++;
          peak = Math.max(peak, active);
          await new Promise<void>((r) => release.push(r));
          active--;
          return `${ev.k}${ev.v * 10}@${ev.i}`;
        },
      },
    );
    const { executionArn } = await h.run({ items: [1, 2, 3, 4, 5], k: 'x' });
    while ((await h.engine.describeExecution({ executionArn })).status === 'RUNNING') {
      await until(() => release.length > 0 || h.engine === undefined, 1000).catch(() => undefined);
      release.splice(0).forEach((r) => r());
    }
    const out = await h.finish(executionArn);
    expect(peak).toBe(2);
    expect(JSON.parse(out.output!).out).toEqual(['x10@0', 'x20@1', 'x30@2', 'x40@3', 'x50@4']);
    const types = await h.types(executionArn);
    expect(types.filter((t) => t === 'MapIterationStarted')).toHaveLength(5);
    expect(types.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(5);
    expect(types).toContain('MapStateEntered');
    expect(types).toContain('MapStateStarted');
  });

  const flakyMap = (tolerance: object) => ({
    QueryLanguage: 'JSONata',
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        Items: '{% $states.input.items %}',
        ItemProcessor: {
          StartAt: 'Check',
          States: {
            Check: {
              Type: 'Choice',
              Choices: [{ Condition: '{% $states.input < 0 %}', Next: 'Bad' }],
              Default: 'Good',
            },
            Bad: { Type: 'Fail', Error: 'NegativeItem', Cause: 'negative' },
            Good: { Type: 'Pass', Output: '{% $states.input * 2 %}', End: true },
          },
        },
        ...tolerance,
        Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.errorOutput %}', Next: 'Caught' }],
        End: true,
      },
      Caught: { Type: 'Pass', End: true },
    },
  });

  it('tolerates failures up to ToleratedFailureCount', async () => {
    const h = await harness(flakyMap({ ToleratedFailureCount: 1 }));
    const ok = await h.finish((await h.run({ items: [1, -1, 3] })).executionArn);
    const out = JSON.parse(ok.output!);
    expect(out[0]).toBe(2);
    expect(out[1]).toMatchObject({ Error: 'NegativeItem' });
    expect(out[2]).toBe(6);
    const over = await h.finish((await h.run({ items: [1, -1, -3] })).executionArn);
    expect(JSON.parse(over.output!)).toMatchObject({ Error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('tolerates failures up to ToleratedFailurePercentage', async () => {
    const h = await harness(flakyMap({ ToleratedFailurePercentage: 50 }));
    const ok = await h.finish((await h.run({ items: [1, -1, 3, 4] })).executionArn);
    expect(Array.isArray(JSON.parse(ok.output!))).toBe(true);
    const over = await h.finish((await h.run({ items: [1, -1, -3, -4] })).executionArn);
    expect(JSON.parse(over.output!)).toMatchObject({ Error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('without tolerance, the first failing item fails the Map with its error', async () => {
    const h = await harness(flakyMap({}));
    const r = await h.finish((await h.run({ items: [1, -1, 3] })).executionArn);
    expect(JSON.parse(r.output!)).toMatchObject({ Error: 'NegativeItem', Cause: 'negative' });
    expect(await h.types(r.executionArn)).toContain('MapIterationFailed');
  });
});

describe('Parallel', () => {
  it('returns one output per branch, in branch order', async () => {
    const h = await harness(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Task', Resource: '${SlowFunctionArn}', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', End: true } } },
            ],
            End: true,
          },
        },
      },
      { SlowFunctionArn: async () => (await new Promise((r) => setTimeout(r, 20)), 'a') },
    );
    const out = await h.finish((await h.run({})).executionArn);
    expect(JSON.parse(out.output!)).toEqual(['a', 'b']);
  });

  it('a failing branch fails the Parallel state, which Catch routes, and the other branch is cancelled', async () => {
    let lateStateRan = false;
    const h = await harness(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Boom', States: { Boom: { Type: 'Task', Resource: '${BoomFunctionArn}', End: true } } },
              {
                StartAt: 'Slow',
                States: {
                  Slow: { Type: 'Task', Resource: '${SlowFunctionArn}', Next: 'After' },
                  After: { Type: 'Task', Resource: '${LateFunctionArn}', End: true },
                },
              },
            ],
            Catch: [{ ErrorEquals: ['BranchBroke'], ResultPath: '$.error', Next: 'Recovered' }],
            End: true,
          },
          Recovered: { Type: 'Pass', End: true },
        },
      },
      {
        BoomFunctionArn: () => { throw named('BranchBroke', 'broken'); },
        SlowFunctionArn: async () => (await new Promise((r) => setTimeout(r, 30)), 'slow'),
        LateFunctionArn: () => { lateStateRan = true; return 1; },
      },
    );
    const out = await h.finish((await h.run({ x: 1 })).executionArn);
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toMatchObject({ x: 1, error: { Error: 'BranchBroke' } });
    await new Promise((r) => setTimeout(r, 60));
    expect(lateStateRan).toBe(false);
    const types = await h.types(out.executionArn);
    expect(types).toContain('ParallelStateFailed');
    expect(await h.entered(out.executionArn)).toEqual(expect.arrayContaining(['Both', 'Boom', 'Slow', 'Recovered']));
  });
});
