import { ManualClock, MemoryStore, StepFunctionsEngine, settle, type LambdaHandler } from '../src';

/** A named error as our Lambda handlers throw them. */
export function named(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await settle(1);
  }
}

export interface Harness {
  engine: StepFunctionsEngine;
  clock: ManualClock;
  store: MemoryStore;
  arn: string;
  run(input?: unknown, name?: string): Promise<{ executionArn: string }>;
  finish(executionArn: string): Promise<Awaited<ReturnType<StepFunctionsEngine['describeExecution']>>>;
  types(executionArn: string): Promise<string[]>;
  entered(executionArn: string): Promise<string[]>;
}

/** An engine on a manual clock with one state machine registered. */
export async function harness(
  definition: object,
  handlers: Record<string, LambdaHandler> = {},
  opts: { random?: () => number; maxConcurrentExecutions?: number; store?: MemoryStore; clock?: ManualClock; substitutions?: Record<string, string> } = {},
): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock();
  const store = opts.store ?? new MemoryStore({ isolate: true });
  const engine = new StepFunctionsEngine({ clock, store, random: opts.random, maxConcurrentExecutions: opts.maxConcurrentExecutions });
  const { stateMachineArn } = await engine.registerStateMachine({
    name: 'test',
    definition,
    handlers,
    definitionSubstitutions: opts.substitutions,
  });
  const h: Harness = {
    engine,
    clock,
    store,
    arn: stateMachineArn,
    run: (input = {}, name) => engine.startExecution({ stateMachineArn, input: JSON.stringify(input), name }),
    finish: (executionArn) => engine.waitForExecution(executionArn, { timeoutMs: 3000 }),
    types: async (executionArn) =>
      (await engine.getExecutionHistory({ executionArn, maxResults: 1000 })).events.map((e) => e.type),
    entered: async (executionArn) =>
      (await engine.getExecutionHistory({ executionArn, maxResults: 1000 })).events
        .filter((e) => e.type.endsWith('StateEntered'))
        .map((e) => (e.stateEnteredEventDetails as { name: string }).name),
  };
  return h;
}

export const lambdaTask = (fn: string, extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Arguments: { FunctionName: '${' + fn + '}', Payload: '{% $states.input %}' },
  Output: '{% $states.result.Payload %}',
  ...extra,
});
