/**
 * API errors, named exactly as the AWS SDK v3 SFN client names its exceptions, so callers can switch on
 * `err.name` the same way against AWS and against this engine.
 */
export class SfnApiError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

const make = (name: string) =>
  class extends SfnApiError {
    constructor(message: string) {
      super(name, message);
    }
  };

export const ExecutionAlreadyExists = make('ExecutionAlreadyExists');
export const ExecutionDoesNotExist = make('ExecutionDoesNotExist');
export const StateMachineDoesNotExist = make('StateMachineDoesNotExist');
export const TaskDoesNotExist = make('TaskDoesNotExist');
export const InvalidToken = make('InvalidToken');
export const TaskTimedOut = make('TaskTimedOut');
export const InvalidDefinition = make('InvalidDefinition');
export const ExecutionNotRedrivable = make('ExecutionNotRedrivable');
export const ValidationException = make('ValidationException');
export const InvalidExecutionInput = make('InvalidExecutionInput');
export const InvalidOutput = make('InvalidOutput');

/** Another live process owns the store directory. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

/**
 * An error raised inside a state machine (what Retry/Catch match on). `error` is the ASL error name
 * (e.g. `States.Timeout`, or a Lambda's `errorType`), `cause` the AWS-shaped cause string.
 */
export class StatesError extends Error {
  override readonly name = 'StatesError';
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

export const runtimeError = (cause: string) => new StatesError('States.Runtime', cause);
export const queryError = (cause: string) => new StatesError('States.QueryEvaluationError', cause);
