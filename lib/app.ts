import { App, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IntakeStack, type IntakeStackProps } from './intake-stack';

/** Context values read by the app (`cdk.json` or `-c key=value`); documented in docs/aws.md. */
export const CONTEXT_KEYS = [
  'stackName',
  'region',
  'bedrockModelId',
  'bedrockRegion',
  'bedrockProfileRegions',
  'extractConcurrency',
  'maxExtractAttempts',
  'reviewTimeoutDays',
  'reviewAgeAlarmHours',
  'confidenceThreshold',
  'ocr',
  'alarmEmail',
  'destroyData',
] as const;

function ctx(app: App, key: (typeof CONTEXT_KEYS)[number]): string | undefined {
  const v = app.node.tryGetContext(key);
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function num(app: App, key: (typeof CONTEXT_KEYS)[number]): number | undefined {
  const v = ctx(app, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`Context value ${key}=${v} is not a number`);
  return n;
}

/** Stack props from context, so `cdk deploy -c extractConcurrency=8` needs no code change. */
export function propsFromContext(app: App): IntakeStackProps {
  const region = ctx(app, 'region') ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
  const reviewTimeoutDays = num(app, 'reviewTimeoutDays');
  const reviewAgeAlarmHours = num(app, 'reviewAgeAlarmHours');
  const profileRegions = ctx(app, 'bedrockProfileRegions');
  return {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region },
    description: 'reagent-intake: photo of a reagent label -> validated inventory record (Bedrock, Step Functions)',
    bedrockModelId: ctx(app, 'bedrockModelId'),
    bedrockRegion: ctx(app, 'bedrockRegion'),
    bedrockProfileRegions: profileRegions ? profileRegions.split(',').map((s) => s.trim()) : undefined,
    extractConcurrency: num(app, 'extractConcurrency'),
    maxExtractAttempts: num(app, 'maxExtractAttempts'),
    reviewTimeout: reviewTimeoutDays !== undefined ? Duration.days(reviewTimeoutDays) : undefined,
    reviewAgeAlarm: reviewAgeAlarmHours !== undefined ? Duration.hours(reviewAgeAlarmHours) : undefined,
    confidenceThreshold: num(app, 'confidenceThreshold'),
    ocrEnabled: ctx(app, 'ocr') !== 'off',
    alarmEmail: ctx(app, 'alarmEmail'),
    destroyData: ctx(app, 'destroyData') === 'true',
  };
}

/** The CDK app: one stack, with cdk-nag's AwsSolutions checks as a validation plugin (v3 API). */
export function buildApp(app: App, overrides: Partial<IntakeStackProps> = {}): { app: App; stack: IntakeStack } {
  const stack = new IntakeStack(app, ctx(app, 'stackName') ?? 'ReagentIntake', { ...propsFromContext(app), ...overrides });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
