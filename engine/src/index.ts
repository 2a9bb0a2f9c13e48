/** Local AWS Step Functions engine: public API. See engine/README.md. */
export { StepFunctionsEngine, errorMatches, lambdaError } from './engine';
export type {
  EngineOptions,
  RegisterStateMachineInput,
  HistoryEvent,
  EventListener,
  DescribeExecutionOutput,
  ExecutionListItem,
} from './engine';
export { MemoryStore, FileStore } from './store';
export { RealClock, ManualClock, settle, type Clock } from './clock';
export { localFunctionArn, functionNameOf, substitute, loadDefinition } from './definition';
export {
  SfnApiError,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  InvalidToken,
  TaskTimedOut,
  InvalidDefinition,
  ExecutionNotRedrivable,
  ValidationException,
  InvalidExecutionInput,
  InvalidOutput,
  StoreLockedError,
  StatesError,
} from './errors';
export type { EngineStore, ExecutionStatus, HandlerContext, LambdaHandler } from './types';
