import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { buildApp } from '../../lib/app';
import { bedrockInvokeStatements } from '../../lib/bedrock-access';
import { IntakeStack } from '../../lib/intake-stack';
import { ASL_PATH, placeholdersIn, STEP_NAMES, STEP_PLACEHOLDERS } from '../../lib/substitutions';

// Skipping asset bundling keeps one synth to a few seconds; bundling itself is covered in bundling.test.ts.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

let app: App;
let stack: IntakeStack;
let template: Template;
let resources: Record<string, { Type: string; Properties: any }>;

beforeAll(() => {
  app = new App({ context: { ...NO_BUNDLING, region: 'us-east-1' } });
  ({ stack } = buildApp(app));
  // Synthesis runs the cdk-nag plugin; it throws "Validation failed" on any unacknowledged finding.
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
function policyStatementsOf(fn: { role?: IConstruct }) {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(fn.role!.node.findChild('Resource') as never)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
}
const allStatements = () =>
  [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')].flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
const actionsOf = (s: any): string[] => [].concat(s.Action);

describe('ASL file and substitutions', () => {
  it('has a substitution for every ${placeholder} and uses every substitution', () => {
    const placeholders = placeholdersIn(readFileSync(ASL_PATH, 'utf8'));
    const sm = ofType('AWS::StepFunctions::StateMachine')[0][1];
    const substitutions = new Set(Object.keys(sm.Properties.DefinitionSubstitutions));

    expect([...placeholders].sort()).toEqual([...substitutions].sort());
    expect(placeholders).toEqual(new Set([...Object.values(STEP_PLACEHOLDERS), 'MaxExtractAttempts', 'ReviewTimeoutSeconds']));
  });

  it('substitutes each function ARN into its own placeholder', () => {
    const subs = ofType('AWS::StepFunctions::StateMachine')[0][1].Properties.DefinitionSubstitutions;
    for (const step of STEP_NAMES) {
      expect(subs[STEP_PLACEHOLDERS[step]]).toEqual({ 'Fn::GetAtt': [logicalId(stack.functions[step]), 'Arn'] });
    }
    expect(subs.MaxExtractAttempts).toBe('3');
    expect(subs.ReviewTimeoutSeconds).toBe(String(7 * 24 * 3600));
  });
});

describe('state machine', () => {
  it('is a Standard machine whose definition is the ASL file as an S3 asset, with ALL logging and X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionS3Location: Match.objectLike({ Key: Match.stringLikeRegexp('\\.json$') }),
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('may invoke exactly the nine step functions', () => {
    const smRole = stack.stateMachine.role.node.findChild('Resource');
    const invoke = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(smRole as never)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    const targets = new Set(invoke.flatMap((s) => [].concat(s.Resource)).map((r: any) => r['Fn::GetAtt']?.[0] ?? r['Fn::Join']?.[1][0]['Fn::GetAtt'][0]));
    expect(targets).toEqual(new Set(STEP_NAMES.map((s) => logicalId(stack.functions[s]))));
  });
});

describe('bucket and upload rule', () => {
  it('is private, encrypted, versioned, TLS-only, sends EventBridge events and expires derived copies', () => {
    const bucketId = logicalId(stack.bucket);
    expect(resources[bucketId].Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    // CDK turns EventBridge notifications on through its bucket-notifications custom resource.
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: bucketId },
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    expect(resources[bucketId].Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'derived/', ExpirationInDays: 90, Status: 'Enabled' }),
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('starts the state machine on Object Created under incoming/, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: logicalId(stack.bucket) }] }, object: { key: [{ prefix: 'incoming/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: logicalId(stack.stateMachine) },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });
});

describe('functions', () => {
  it('run on Node.js 22, arm64, with X-Ray tracing and Powertools settings', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Runtime?.startsWith('nodejs'));
    expect(fns.length).toBe(STEP_NAMES.length + 2);
    for (const [, f] of fns) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^intake-/), INTAKE_READER: 'bedrock', INTAKE_OCR_ENGINE: 'textract' }) },
      });
    }
  });

  it('bounds parallel model calls with reserved concurrency on extract-fields only', () => {
    const reserved = ofType('AWS::Lambda::Function').filter(([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved.map(([id]) => id)).toEqual([logicalId(stack.functions['extract-fields'])]);
    expect(reserved[0][1].Properties.ReservedConcurrentExecutions).toBe(4);
  });
});

describe('tables', () => {
  it('have point-in-time recovery and encryption, with the agreed keys and review index', () => {
    const tables = ofType('AWS::DynamoDB::GlobalTable');
    expect(tables.map(([, t]) => t.Properties.KeySchema[0].AttributeName).sort()).toEqual(['cas', 'intakeId', 'recordId', 'reviewId']);
    for (const [, t] of tables) {
      expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(t.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    const reviews = resources[logicalId(stack.tables.reviews)].Properties;
    expect(reviews.GlobalSecondaryIndexes[0]).toMatchObject({
      IndexName: 'status-createdAt',
      KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }],
    });
  });
});

describe('least privilege', () => {
  it('lets only extract-fields invoke Bedrock, on the inference profile and its foundation models', () => {
    const bedrock = allStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('bedrock:')));
    expect(bedrock.every((s) => policyStatementsOf(stack.functions['extract-fields']).some((x) => JSON.stringify(x) === JSON.stringify(s)))).toBe(true);
    const text = JSON.stringify(bedrock);
    expect(text).toContain('inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
      expect(text).toContain(`bedrock:${region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0`);
    }
    expect(bedrock.flatMap(actionsOf).sort()).toEqual(
      ['bedrock:InvokeModel', 'bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:InvokeModelWithResponseStream'],
    );
    expect(bedrock.find((s) => s.Condition)?.Condition.StringEquals['bedrock:InferenceProfileArn']).toBeDefined();
  });

  it('lets only ocr-hints call Textract, and only DetectDocumentText', () => {
    const textract = allStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('textract:')));
    expect(textract.flatMap(actionsOf)).toEqual(['textract:DetectDocumentText']);
    expect(policyStatementsOf(stack.functions['ocr-hints'])).toContainEqual(textract[0]);
  });

  it('lets only the review API send task results, on this state machine', () => {
    const sends = allStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('states:SendTask')));
    expect(sends).toHaveLength(1);
    expect(sends[0].Resource).toEqual({ Ref: logicalId(stack.stateMachine) });
    expect(policyStatementsOf(stack.reviewApiFunction)).toContainEqual(sends[0]);
  });

  it('uses no service-wide wildcards and no DynamoDB deletes/scans outside the review API', () => {
    const actions = allStatements().flatMap(actionsOf);
    expect(actions.filter((a) => /:\*$|^\*$/.test(a))).toEqual([]);
    expect(actions).not.toContain('dynamodb:DeleteItem');
    const scans = allStatements().filter((s) => actionsOf(s).includes('dynamodb:Scan'));
    expect(scans.every((s) => policyStatementsOf(stack.reviewApiFunction).some((x) => JSON.stringify(x) === JSON.stringify(s)))).toBe(true);
  });

  it('gives validate-output, which only checks data, no table or bucket access', () => {
    const actions = policyStatementsOf(stack.functions['validate-output']).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:') || a.startsWith('s3:'))).toEqual([]);
  });
});

describe('review API', () => {
  it('has the four routes, every one IAM-authorised', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /reviews',
      'GET /reviews/{reviewId}',
      'POST /reviews/{reviewId}/approve',
      'POST /reviews/{reviewId}/reject',
    ]);
    expect(routes.every((r) => r.AuthorizationType === 'AWS_IAM')).toBe(true);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }) });
  });
});

describe('alarms', () => {
  it('watch failed and timed-out executions, throttles, the start DLQ and review age', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const metricNames = alarms.map((a) => a.MetricName ?? a.Metrics?.map((m: any) => m.MetricStat?.Metric.MetricName).filter(Boolean).join('+'));
    expect(metricNames).toEqual(
      expect.arrayContaining(['ExecutionsFailed', 'ExecutionsTimedOut', 'ApproximateNumberOfMessagesVisible', 'OldestPendingReviewAgeSeconds']),
    );
    expect(metricNames.find((n: string) => n.includes('InvocationThrottles'))).toMatch(/Throttles.*InvocationThrottles.*ExecutionThrottled/);
    expect(alarms.every((a) => a.AlarmActions?.length === 1)).toBe(true);
  });
});

describe('cdk-nag', () => {
  it('reports zero unacknowledged AwsSolutions findings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('props', () => {
  it('rejects a non-positive maxExtractAttempts and a negative concurrency', () => {
    const make = (props: object) => () => new IntakeStack(new App({ context: NO_BUNDLING }), 'Bad', props);
    expect(make({ maxExtractAttempts: 0 })).toThrow(/maxExtractAttempts/);
    expect(make({ extractConcurrency: -1 })).toThrow(/extractConcurrency/);
  });

  it('grants a plain foundation-model id only its own ARN, and a global profile any region', () => {
    const plain = bedrockInvokeStatements({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', bedrockRegion: 'eu-west-1', account: '1' });
    const global = bedrockInvokeStatements({ modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', bedrockRegion: 'us-east-1', account: '1' });

    expect(plain.map((s) => s.toStatementJson().Resource)).toEqual(['arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0']);
    expect(global[1].toStatementJson().Resource).toEqual([
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
      'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]);
  });
});
