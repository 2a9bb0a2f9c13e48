import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { bedrockInvokeStatements } from './bedrock-access';
import { acknowledgeWildcards } from './nag';
import { IntakeFunction } from './intake-function';
import { ASL_PATH, buildSubstitutions, STEP_NAMES, type StepName } from './substitutions';

export interface IntakeStackProps extends StackProps {
  /** Bedrock model or cross-region inference-profile id. @default 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' */
  readonly bedrockModelId?: string;
  /** Region Bedrock is called in. @default the stack's region */
  readonly bedrockRegion?: string;
  /** Regions the inference profile routes to (IAM). @default PROFILE_REGIONS for the profile's geography */
  readonly bedrockProfileRegions?: string[];
  /** Reserved concurrency of extract-fields: the ceiling on parallel model calls. 0 = no reservation. @default 4 */
  readonly extractConcurrency?: number;
  /** Model calls per photo before "unreadable" review. @default 3 */
  readonly maxExtractAttempts?: number;
  /** How long an execution waits for a reviewer. @default Duration.days(7) */
  readonly reviewTimeout?: Duration;
  /** Alarm when the oldest pending review is older than this. @default Duration.days(2) */
  readonly reviewAgeAlarm?: Duration;
  /** Overall confidence below which an item goes to review. @default 0.9 (the config default) */
  readonly confidenceThreshold?: number;
  /** Run Textract for OCR hints. @default true */
  readonly ocrEnabled?: boolean;
  /** Email subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Delete tables and bucket with the stack (dev only; the bucket must be empty). @default false (RETAIN) */
  readonly destroyData?: boolean;
  /** Where the step folders live. @default `<repo>/functions` */
  readonly functionsRoot?: string;
}

/** Per-step access, declared once so the least-privilege matrix reads as a table. */
type TableKey = 'records' | 'intakes' | 'reviews' | 'catalog';
const READ = ['dynamodb:GetItem', 'dynamodb:Query'];
const WRITE = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];
interface StepAccess {
  tables: Partial<Record<TableKey, string[]>>;
  readPrefixes?: string[];
  writePrefixes?: string[];
  usesSharp?: boolean;
  timeout?: Duration;
  memorySize?: number;
}
const STEP_ACCESS: Record<StepName, StepAccess> = {
  'validate-image': {
    tables: { intakes: WRITE },
    readPrefixes: ['incoming/'],
    writePrefixes: ['derived/'],
    usesSharp: true,
    timeout: Duration.seconds(60),
    memorySize: 1536,
  },
  deduplicate: { tables: { records: WRITE, intakes: WRITE } },
  'ocr-hints': { tables: {}, readPrefixes: ['derived/'], usesSharp: true, timeout: Duration.seconds(60), memorySize: 1024 },
  'extract-fields': { tables: {}, readPrefixes: ['derived/'], usesSharp: true, timeout: Duration.seconds(120), memorySize: 1024 },
  'validate-output': { tables: {} },
  'score-confidence': { tables: { catalog: READ, records: READ } },
  'request-review': { tables: { reviews: WRITE, intakes: WRITE } },
  'save-result': { tables: { records: WRITE, intakes: WRITE, catalog: WRITE, reviews: READ } },
  'record-outcome': { tables: { intakes: WRITE, records: WRITE, reviews: WRITE } },
};

export const REVIEWS_STATUS_INDEX = 'status-createdAt';
export const REVIEW_AGE_METRIC = 'OldestPendingReviewAgeSeconds';

/**
 * reagent-intake in AWS: bucket → EventBridge → Standard state machine (the shared ASL file) → step Lambdas
 * → Bedrock / Textract → DynamoDB, with an IAM-authenticated review API and alarms.
 */
export class IntakeStack extends Stack {
  readonly bucket: Bucket;
  readonly stateMachine: StateMachine;
  readonly functions: Record<StepName, IntakeFunction>;
  readonly reviewApiFunction: IntakeFunction;
  readonly reviewAgeFunction: IntakeFunction;
  readonly api: HttpApi;
  readonly alarmTopic: Topic;
  readonly tables: Record<TableKey, TableV2>;

  constructor(scope: Construct, id: string, props: IntakeStackProps = {}) {
    super(scope, id, props);
    const modelId = props.bedrockModelId ?? 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const bedrockRegion = props.bedrockRegion ?? this.region;
    const extractConcurrency = props.extractConcurrency ?? 4;
    const maxExtractAttempts = props.maxExtractAttempts ?? 3;
    const reviewTimeout = props.reviewTimeout ?? Duration.days(7);
    if (!Number.isInteger(maxExtractAttempts) || maxExtractAttempts < 1) {
      throw new Error(`maxExtractAttempts must be a positive integer, got ${maxExtractAttempts}`);
    }
    if (!Number.isInteger(extractConcurrency) || extractConcurrency < 0) {
      throw new Error(`extractConcurrency must be a non-negative integer, got ${extractConcurrency}`);
    }
    const removalPolicy = props.destroyData ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Storage ---------------------------------------------------------------------------------------------
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging it into itself would loop.',
    });
    this.bucket = new Bucket(this, 'IntakeBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'intake-bucket/',
      lifecycleRules: [
        { prefix: 'derived/', expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) },
        { prefix: 'incoming/', noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
    });

    const table = (name: string, partitionKey: string) =>
      new TableV2(this, name, {
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.awsManagedKey(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy,
      });
    this.tables = {
      records: table('RecordsTable', 'recordId'),
      intakes: table('IntakesTable', 'intakeId'),
      reviews: table('ReviewsTable', 'reviewId'),
      catalog: table('CatalogTable', 'cas'),
    };
    this.tables.reviews.addGlobalSecondaryIndex({
      indexName: REVIEWS_STATUS_INDEX,
      partitionKey: { name: 'status', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
    });

    const environment: Record<string, string> = {
      RECORDS_TABLE: this.tables.records.tableName,
      INTAKES_TABLE: this.tables.intakes.tableName,
      REVIEWS_TABLE: this.tables.reviews.tableName,
      CATALOG_TABLE: this.tables.catalog.tableName,
      INTAKE_BUCKET: this.bucket.bucketName,
      INTAKE_READER: 'bedrock',
      INTAKE_OCR: props.ocrEnabled === false ? 'off' : 'on',
      INTAKE_OCR_ENGINE: 'textract',
      BEDROCK_MODEL_ID: modelId,
      BEDROCK_REGION: bedrockRegion,
      ...(props.confidenceThreshold !== undefined ? { INTAKE_CONFIDENCE_THRESHOLD: String(props.confidenceThreshold) } : {}),
    };

    // Step functions ---------------------------------------------------------------------------------------
    const fns = {} as Record<StepName, IntakeFunction>;
    for (const step of STEP_NAMES) {
      const access = STEP_ACCESS[step];
      const fn = new IntakeFunction(this, pascal(step), {
        step,
        environment,
        usesSharp: access.usesSharp,
        timeout: access.timeout,
        memorySize: access.memorySize,
        functionsRoot: props.functionsRoot,
        // The ceiling on parallel Bedrock calls; see docs/aws.md "Throughput" for the arithmetic.
        reservedConcurrentExecutions: step === 'extract-fields' && extractConcurrency > 0 ? extractConcurrency : undefined,
      });
      this.grantStepAccess(fn, access);
      fns[step] = fn;
    }
    this.functions = fns;
    for (const statement of bedrockInvokeStatements({
      modelId,
      bedrockRegion,
      account: this.account,
      partition: this.partition,
      profileRegions: props.bedrockProfileRegions,
    })) {
      fns['extract-fields'].addToRolePolicy(statement);
    }
    // DetectDocumentText has no resource-level permissions: "*" is the only valid resource.
    fns['ocr-hints'].addToRolePolicy(new PolicyStatement({ actions: ['textract:DetectDocumentText'], resources: ['*'] }));

    // State machine ----------------------------------------------------------------------------------------
    const smLogs = new LogGroup(this, 'StateMachineLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'IntakeStateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(ASL_PATH),
      definitionSubstitutions: buildSubstitutions(fns, {
        maxExtractAttempts,
        reviewTimeoutSeconds: reviewTimeout.toSeconds(),
      }),
      logs: { destination: smLogs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // fromFile hides the Task resources from CDK, so invoke rights are granted explicitly, per function.
    for (const fn of Object.values(fns)) fn.grantInvoke(this.stateMachine);

    // Uploads start executions; failed deliveries are retried and then kept in a DLQ, never dropped.
    const startDlq = new Queue(this, 'StartExecutionDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(startDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge rule target.',
    });
    new Rule(this, 'UploadRule', {
      description: 'Start an intake execution for every object created under incoming/',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ prefix: 'incoming/' }] } },
      },
      targets: [
        new SfnStateMachine(this.stateMachine, {
          deadLetterQueue: startDlq,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    // Review API -------------------------------------------------------------------------------------------
    this.reviewApiFunction = new IntakeFunction(this, 'ReviewApi', {
      step: 'review-api',
      environment,
      functionsRoot: props.functionsRoot,
    });
    this.grantStepAccess(this.reviewApiFunction, {
      tables: { reviews: [...WRITE, 'dynamodb:Scan'], intakes: WRITE, records: READ, catalog: READ },
      readPrefixes: ['derived/'],
    });
    this.reviewApiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    const apiLogs = new LogGroup(this, 'ReviewApiAccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new HttpApi(this, 'ReviewHttpApi', {
      description: 'Review queue: list, show, approve (with corrections), reject. IAM (SigV4) authenticated.',
      defaultAuthorizer: new HttpIamAuthorizer(),
      createDefaultStage: false,
    });
    new HttpStage(this, 'ReviewApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 40 },
      accessLogSettings: { destination: new LogGroupLogDestination(apiLogs) },
    });
    const integration = new HttpLambdaIntegration('ReviewIntegration', this.reviewApiFunction);
    this.api.addRoutes({ path: '/reviews', methods: [HttpMethod.GET], integration });
    this.api.addRoutes({ path: '/reviews/{reviewId}', methods: [HttpMethod.GET], integration });
    this.api.addRoutes({ path: '/reviews/{reviewId}/approve', methods: [HttpMethod.POST], integration });
    this.api.addRoutes({ path: '/reviews/{reviewId}/reject', methods: [HttpMethod.POST], integration });
    const reviewerRoutes = ['GET/reviews', 'GET/reviews/*', 'POST/reviews/*'].map((route) =>
      this.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `$default/${route}` }),
    );
    const reviewerPolicy = new ManagedPolicy(this, 'ReviewerPolicy', {
      description: 'Attach to the IAM users/roles of reviewers: lets them call the review API.',
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['execute-api:Invoke'],
          resources: reviewerRoutes,
        }),
      ],
    });
    acknowledgeWildcards(
      reviewerPolicy,
      reviewerRoutes.filter((arn) => arn.endsWith('*')),
      'The wildcard is the {reviewId} path parameter of the review routes, on this API only.',
    );

    // Alarms -----------------------------------------------------------------------------------------------
    this.alarmTopic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = (a: Alarm) => a.addAlarmAction(new SnsAction(this.alarmTopic));
    const fiveMin = Duration.minutes(5);
    notify(this.stateMachine.metricFailed({ period: fiveMin }).createAlarm(this, 'ExecutionsFailedAlarm', {
      alarmDescription: 'An intake execution failed (a bug or an unhandled error: the photo has no terminal record).',
      threshold: 1, evaluationPeriods: 1, treatMissingData: TreatMissingData.NOT_BREACHING,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }));
    notify(this.stateMachine.metricTimedOut({ period: fiveMin }).createAlarm(this, 'ExecutionsTimedOutAlarm', {
      alarmDescription: 'An intake execution timed out.',
      threshold: 1, evaluationPeriods: 1, treatMissingData: TreatMissingData.NOT_BREACHING,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }));
    notify(new MathExpression({
      label: 'Throttles (Lambda extract-fields + Bedrock + Step Functions)',
      expression: 'FILL(lambda, 0) + FILL(bedrock, 0) + FILL(sfn, 0)',
      usingMetrics: {
        lambda: fns['extract-fields'].metricThrottles({ period: fiveMin }),
        bedrock: new Metric({
          namespace: 'AWS/Bedrock', metricName: 'InvocationThrottles', dimensionsMap: { ModelId: modelId },
          statistic: 'Sum', period: fiveMin, region: bedrockRegion,
        }),
        sfn: this.stateMachine.metricThrottled({ period: fiveMin }),
      },
      period: fiveMin,
    }).createAlarm(this, 'ThrottlesAlarm', {
      alarmDescription:
        'Sustained throttling (3 of 3 five-minute periods). Throttled calls are retried, not lost, but a sustained ' +
        'rate means extractConcurrency is above the Bedrock quota: lower it or request a quota increase.',
      threshold: 10, evaluationPeriods: 3, treatMissingData: TreatMissingData.NOT_BREACHING,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }));
    notify(startDlq.metricApproximateNumberOfMessagesVisible({ period: fiveMin }).createAlarm(this, 'StartDlqAlarm', {
      alarmDescription: 'Uploads whose execution could not be started are waiting in the DLQ: redrive them.',
      threshold: 1, evaluationPeriods: 1, treatMissingData: TreatMissingData.NOT_BREACHING,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }));

    // Oldest pending review: a scheduled function reads the oldest PENDING item from the status index.
    this.reviewAgeFunction = new IntakeFunction(this, 'ReviewAge', {
      step: 'review-api',
      handler: 'reviewAgeHandler',
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'intake-review-age' },
      functionsRoot: props.functionsRoot,
    });
    this.grantStepAccess(this.reviewAgeFunction, { tables: {} });
    this.reviewAgeFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${this.tables.reviews.tableArn}/index/${REVIEWS_STATUS_INDEX}`] }),
    );
    new Rule(this, 'ReviewAgeSchedule', {
      description: 'Publish the age of the oldest pending review every 5 minutes',
      schedule: Schedule.rate(fiveMin),
      targets: [new LambdaFunction(this.reviewAgeFunction, { retryAttempts: 2 })],
    });
    const reviewAgeAlarmAfter = props.reviewAgeAlarm ?? Duration.days(2);
    notify(new Metric({
      namespace: 'ReagentIntake', metricName: REVIEW_AGE_METRIC,
      dimensionsMap: { service: 'intake-review-age' }, statistic: 'Maximum', period: Duration.minutes(15),
    }).createAlarm(this, 'ReviewWaitingAlarm', {
      alarmDescription: `A photo has waited for review longer than ${reviewAgeAlarmAfter.toHumanString()} ` +
        `(it expires after ${reviewTimeout.toHumanString()}).`,
      threshold: reviewAgeAlarmAfter.toSeconds(), evaluationPeriods: 1, treatMissingData: TreatMissingData.NOT_BREACHING,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));

    // Outputs (read by `intake doctor`) ---------------------------------------------------------------------
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Upload photos under incoming/' });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ReviewApiUrl', { value: this.api.apiEndpoint, description: 'SigV4-signed requests only' });
    new CfnOutput(this, 'ReviewerPolicyArn', { value: reviewerPolicy.managedPolicyArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'BedrockModelId', { value: modelId });
    new CfnOutput(this, 'BedrockRegion', { value: bedrockRegion });
    for (const [key, t] of Object.entries(this.tables)) new CfnOutput(this, `${pascal(key)}TableName`, { value: t.tableName });

    this.acknowledgeNagFindings();
  }

  private grantStepAccess(fn: IntakeFunction, access: StepAccess): void {
    for (const [key, actions] of Object.entries(access.tables) as [TableKey, string[]][]) {
      const t = this.tables[key];
      const resources = [t.tableArn];
      if (actions.includes('dynamodb:Query') && key === 'reviews') resources.push(`${t.tableArn}/index/${REVIEWS_STATUS_INDEX}`);
      fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
    }
    if (access.readPrefixes?.length) {
      fn.addToRolePolicy(new PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: access.readPrefixes.map((p) => this.bucket.arnForObjects(`${p}*`)),
      }));
    }
    if (access.writePrefixes?.length) {
      fn.addToRolePolicy(new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: access.writePrefixes.map((p) => this.bucket.arnForObjects(`${p}*`)),
      }));
    }
  }

  /** Findings that are inherent to Lambda + CDK and acceptable here, each with its reason. */
  private acknowledgeNagFindings(): void {
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "AWSLambdaBasicExecutionRole only lets a function write its own CloudWatch logs (ours and CDK's bucket-notification helper).",
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the pinned runtime (issue #4, matches the toolchain); moving to a newer runtime is a deliberate upgrade.',
    });
    for (const fn of [...Object.values(this.functions), this.reviewApiFunction, this.reviewAgeFunction]) {
      acknowledgeWildcards(fn, ['*'],
        'X-Ray PutTraceSegments/PutTelemetryRecords and Textract DetectDocumentText have no resource-level permissions.');
      acknowledgeWildcards(fn, ['incoming/*', 'derived/*'].map((p) => this.bucket.arnForObjects(p)),
        'Objects under one prefix of the intake bucket; keys are content-dependent, so the prefix is the tightest scope.');
    }
    acknowledgeWildcards(this.stateMachine, Object.values(this.functions).map((fn) => `${fn.functionArn}:*`),
      'CDK grants invoke on each step function and its versions/aliases (":*"); no other function.');
    acknowledgeWildcards(this.stateMachine, ['*'],
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery etc.) have no resource-level permissions.');
  }
}

function pascal(kebab: string): string {
  return kebab.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
