import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManualClock, MemoryStore, StepFunctionsEngine } from '../src';
import { until } from './helpers';

// The product's own ASL through the engine with stub handlers: proves it loads and its main paths route.
const asl = fs.readFileSync(path.join(__dirname, '..', '..', 'statemachine', 'intake.asl.json'), 'utf8');

async function setup() {
  const clock = new ManualClock();
  const engine = new StepFunctionsEngine({ clock, store: new MemoryStore() });
  const tokens: string[] = [];
  const outcomes: string[] = [];
  const ok = (v: unknown) => () => v;
  const { stateMachineArn } = await engine.registerStateMachine({
    name: 'intake',
    definition: asl,
    definitionSubstitutions: { MaxExtractAttempts: '2', ReviewTimeoutSeconds: '3600' },
    handlers: {
      ValidateImageFunctionArn: ok({ intakeId: 'i-1', image: { bucket: 'b', key: 'k.jpg' } }),
      DeduplicateFunctionArn: ok({ duplicate: false }),
      OcrHintsFunctionArn: ok({ lines: [] }),
      ExtractFieldsFunctionArn: ok({ reader: 'offline', fields: { name: 'Acetone' } }),
      ValidateOutputFunctionArn: ok({ fields: { name: 'Acetone' } }),
      ScoreConfidenceFunctionArn: (_ev: unknown, ctx: { executionArn: string }) => ({
        fields: { name: 'Acetone' },
        confidence: {},
        overall: 0.5,
        decision: ctx.executionArn.endsWith('accept') ? 'ACCEPT' : 'REVIEW',
        reviewReasons: [],
      }),
      RequestReviewFunctionArn: (ev: { taskToken: string }) => void tokens.push(ev.taskToken),
      SaveResultFunctionArn: ok({ status: 'SAVED' }),
      RecordOutcomeFunctionArn: (ev: { status: string }) => (outcomes.push(ev.status), { status: ev.status }),
    },
  });
  const start = (name: string) => engine.startExecution({ stateMachineArn, name, input: JSON.stringify({ detail: { object: { key: 'k.jpg' } } }) });
  const entered = async (executionArn: string) =>
    (await engine.getExecutionHistory({ executionArn, maxResults: 1000 })).events
      .filter((e) => e.type.endsWith('StateEntered'))
      .map((e) => (e.stateEnteredEventDetails as { name: string }).name);
  return { engine, clock, tokens, outcomes, start, entered };
}

describe('statemachine/intake.asl.json on the engine', () => {
  it('confident extraction is saved without review', async () => {
    const t = await setup();
    const { executionArn } = await t.start('run-accept');
    const out = await t.engine.waitForExecution(executionArn, { timeoutMs: 3000 });
    expect(out.status).toBe('SUCCEEDED');
    expect((await t.entered(executionArn)).at(-1)).toBe('Saved');
    expect(await t.entered(executionArn)).not.toContain('HumanReview');
  });

  it('an unsure extraction waits for review and is saved after sendTaskSuccess', async () => {
    const t = await setup();
    const { executionArn } = await t.start('run-review');
    await until(() => t.tokens.length === 1);
    await t.engine.sendTaskSuccess({ taskToken: t.tokens[0], output: JSON.stringify({ decision: 'APPROVED', fields: { name: 'Acetone' } }) });
    const out = await t.engine.waitForExecution(executionArn, { timeoutMs: 3000 });
    expect(out.status).toBe('SUCCEEDED');
    expect((await t.entered(executionArn)).slice(-4)).toEqual(['HumanReview', 'SaveReviewedResult', 'SaveResult', 'Saved']);
  });

  it('a review nobody answers expires after ReviewTimeoutSeconds and is recorded', async () => {
    const t = await setup();
    const { executionArn } = await t.start('run-expire');
    await until(() => t.tokens.length === 1 && t.clock.pending > 0);
    await t.clock.advance(3600_000);
    const out = await t.engine.waitForExecution(executionArn, { timeoutMs: 3000 });
    expect(out.status).toBe('SUCCEEDED');
    expect(await t.entered(executionArn)).toEqual(expect.arrayContaining(['HumanReview', 'RecordExpiry', 'ReviewExpired']));
  });
});
