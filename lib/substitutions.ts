import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as path from 'node:path';
import { REPO_ROOT } from './intake-function';

/** The one ASL file, shared by the cloud stack and the local engine. */
export const ASL_PATH = path.join(REPO_ROOT, 'statemachine', 'intake.asl.json');

/** Step folder under functions/ → the ASL placeholder that receives its ARN. */
export const STEP_PLACEHOLDERS = {
  'validate-image': 'ValidateImageFunctionArn',
  deduplicate: 'DeduplicateFunctionArn',
  'ocr-hints': 'OcrHintsFunctionArn',
  'extract-fields': 'ExtractFieldsFunctionArn',
  'validate-output': 'ValidateOutputFunctionArn',
  'score-confidence': 'ScoreConfidenceFunctionArn',
  'request-review': 'RequestReviewFunctionArn',
  'save-result': 'SaveResultFunctionArn',
  'record-outcome': 'RecordOutcomeFunctionArn',
} as const;
export type StepName = keyof typeof STEP_PLACEHOLDERS;
export const STEP_NAMES = Object.keys(STEP_PLACEHOLDERS) as StepName[];

export interface SubstitutionSettings {
  /** Model calls per photo before it goes to review as unreadable. */
  readonly maxExtractAttempts: number;
  /** How long an execution waits for a reviewer. */
  readonly reviewTimeoutSeconds: number;
}

/** The whole `definitionSubstitutions` map, built in one place so tests can check it against the ASL file. */
export function buildSubstitutions(
  functions: Record<StepName, Pick<IFunction, 'functionArn'>>,
  settings: SubstitutionSettings,
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const step of STEP_NAMES) map[STEP_PLACEHOLDERS[step]] = functions[step].functionArn;
  map.MaxExtractAttempts = String(settings.maxExtractAttempts);
  map.ReviewTimeoutSeconds = String(settings.reviewTimeoutSeconds);
  return map;
}

/** Every `${Name}` placeholder in an ASL text. */
export function placeholdersIn(aslText: string): Set<string> {
  return new Set([...aslText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
}
