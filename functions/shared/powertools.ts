import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger, tracer and metrics object per process, shared by every handler. Service name and namespace
 * come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (set by the CDK function construct);
 * the defaults keep local runs and tests quiet and consistent.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'reagent-intake';

export const logger = new Logger({ serviceName });

/** Tracing is a no-op outside Lambda (Powertools detects the environment), so local runs need no X-Ray. */
export const tracer = new Tracer({ serviceName });

export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ReagentIntake',
});

/** Metric names used by alarms in lib/ — keep them here so the stack and the code agree. */
export const METRIC = {
  modelThrottled: 'ModelThrottled',
  modelInputTokens: 'ModelInputTokens',
  modelOutputTokens: 'ModelOutputTokens',
  modelCostMicroUsd: 'ModelCostMicroUsd',
} as const;
