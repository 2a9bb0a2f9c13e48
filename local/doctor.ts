import {
  BedrockClient,
  GetFoundationModelAvailabilityCommand,
  GetInferenceProfileCommand,
  ListFoundationModelsCommand,
} from '@aws-sdk/client-bedrock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import sharp from 'sharp';
import { parseModelId } from '../lib/model-id';

/** What `intake doctor` checks; the CLI prints `detail`, and `fix` says exactly what to enable, where. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  /** Region for Bedrock and Textract. @default BEDROCK_REGION, AWS_REGION, then us-east-1 */
  region?: string;
  /** @default BEDROCK_MODEL_ID or the config default */
  modelId?: string;
  /** The deployed stack to inspect. @default 'ReagentIntake' */
  stackName?: string;
  /** Region the stack is deployed in. @default region */
  stackRegion?: string;
  /** @default the SDK's default credential chain */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Endpoint overrides (tests point these at local servers that speak each protocol). */
  endpoints?: { sts?: string; bedrock?: string; textract?: string; cloudformation?: string };
  /** Skip the Textract call (it costs one page, about $0.0015). @default false */
  skipTextract?: boolean;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

const RECOMMENDED_REGION = 'us-east-1';
const DEFAULT_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const STACK_OUTPUTS = ['BucketName', 'StateMachineArn', 'ReviewApiUrl'];

function errName(err: unknown): string {
  const e = err as { name?: string; code?: string };
  return e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'Error');
}
function errText(err: unknown): string {
  return `${errName(err)}: ${(err as Error)?.message ?? String(err)}`;
}
/** DNS failure / refused connection: the service has no endpoint in this region (or no network). */
function unreachable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string };
  return ['ENOTFOUND', 'ECONNREFUSED', 'EAI_AGAIN', 'ETIMEDOUT'].includes(e?.code ?? '') || /getaddrinfo|ENOTFOUND|ECONNREFUSED/.test(e?.message ?? '');
}

function modelAccessUrl(region: string): string {
  return `https://${region}.console.aws.amazon.com/bedrock/home?region=${region}#/modelaccess`;
}

/** A blank 64×64 PNG: enough for Textract to prove access without sending anything real. */
async function probeImage(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } }).png().toBuffer();
}

/**
 * Check that this machine can run reagent-intake against AWS: credentials, a Bedrock region, the model being
 * offered and access granted, Textract, and the deployed stack's outputs. Never throws; every problem is a
 * failed check with a fix.
 */
export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const region = opts.region ?? process.env.BEDROCK_REGION ?? process.env.AWS_REGION ?? RECOMMENDED_REGION;
  const modelId = opts.modelId ?? process.env.BEDROCK_MODEL_ID ?? DEFAULT_MODEL;
  const stackName = opts.stackName ?? 'ReagentIntake';
  const common = {
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 10_000 }),
    maxAttempts: 1,
  };
  const ep = (url?: string) => (url ? { endpoint: url } : {});
  const checks: DoctorCheck[] = [];

  // 1. Credentials ------------------------------------------------------------------------------------------
  const sts = new STSClient({ ...common, region, ...ep(opts.endpoints?.sts) });
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    checks.push({ name: 'credentials', ok: true, detail: `Signed in as ${id.Arn} (account ${id.Account}).` });
  } catch (err) {
    checks.push({
      name: 'credentials',
      ok: false,
      detail: `No usable AWS credentials (${errText(err)}).`,
      fix: 'Configure credentials: `aws configure` (or `aws sso login` and set AWS_PROFILE), then run `intake doctor` again. Without AWS, use the offline reader (the default).',
    });
    return { ok: false, checks };
  }

  // 2. Region: is Bedrock here, and is the model offered here? ---------------------------------------------------
  const target = parseModelId(modelId);
  const bedrock = new BedrockClient({ ...common, region, ...ep(opts.endpoints?.bedrock) });
  let offered = false;
  try {
    const list = await bedrock.send(new ListFoundationModelsCommand({}));
    const ids = (list.modelSummaries ?? []).map((m) => m.modelId ?? '');
    checks.push({ name: 'bedrock-region', ok: true, detail: `Amazon Bedrock answers in ${region} (${ids.length} foundation models).` });
    if (target.profileId) {
      try {
        const profile = await bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: target.profileId }));
        const regions = (profile.models ?? []).map((m) => /arn:[^:]+:bedrock:([^:]*):/.exec(m.modelArn ?? '')?.[1]).filter(Boolean);
        offered = true;
        checks.push({
          name: 'model-offered',
          ok: true,
          detail: `Inference profile ${target.profileId} exists in ${region} and routes to ${regions.join(', ') || 'its regions'}.`,
        });
      } catch (err) {
        checks.push({
          name: 'model-offered',
          ok: false,
          detail: `Inference profile ${target.profileId} is not offered in ${region} (${errText(err)}).`,
          fix: `Use a region whose geography matches the profile prefix "${target.geography}." (for "us." use ${RECOMMENDED_REGION}): set BEDROCK_REGION / -c bedrockRegion, or choose another BEDROCK_MODEL_ID.`,
        });
      }
    } else {
      offered = ids.includes(target.foundationModelId);
      const claude = ids.filter((id) => id.startsWith('anthropic.claude')).slice(-5);
      checks.push(
        offered
          ? { name: 'model-offered', ok: true, detail: `Model ${modelId} is offered in ${region}.` }
          : {
              name: 'model-offered',
              ok: false,
              detail: `Model ${modelId} is not offered in ${region}.${claude.length ? ` Claude models here: ${claude.join(', ')}.` : ''}`,
              fix: `Set BEDROCK_MODEL_ID to a model offered in ${region}, or move to ${RECOMMENDED_REGION} (most models): BEDROCK_REGION=${RECOMMENDED_REGION} / -c bedrockRegion=${RECOMMENDED_REGION}.`,
            },
      );
    }
  } catch (err) {
    checks.push({
      name: 'bedrock-region',
      ok: false,
      detail: unreachable(err)
        ? `Amazon Bedrock has no endpoint in ${region} (${errText(err)}).`
        : `Amazon Bedrock refused ListFoundationModels in ${region} (${errText(err)}).`,
      fix: unreachable(err)
        ? `Bedrock is not in every region. Use ${RECOMMENDED_REGION}: BEDROCK_REGION=${RECOMMENDED_REGION} locally, -c bedrockRegion=${RECOMMENDED_REGION} for the stack.`
        : 'Allow bedrock:ListFoundationModels, bedrock:GetInferenceProfile and bedrock:GetFoundationModelAvailability for this identity (read-only), or ask your admin.',
    });
  }

  // 3. Access granted? -----------------------------------------------------------------------------------------
  if (offered) {
    try {
      const a = await bedrock.send(new GetFoundationModelAvailabilityCommand({ modelId: target.foundationModelId }));
      const problems = [
        a.authorizationStatus !== 'AUTHORIZED' && `authorization ${a.authorizationStatus}`,
        a.entitlementAvailability !== 'AVAILABLE' && `entitlement ${a.entitlementAvailability}`,
        a.agreementAvailability?.status !== 'AVAILABLE' && `agreement ${a.agreementAvailability?.status}${a.agreementAvailability?.errorMessage ? ` (${a.agreementAvailability.errorMessage})` : ''}`,
        a.regionAvailability !== 'AVAILABLE' && `region ${a.regionAvailability}`,
      ].filter(Boolean);
      checks.push(
        problems.length === 0
          ? { name: 'model-access', ok: true, detail: `Access to ${target.foundationModelId} is granted in ${region}.` }
          : {
              name: 'model-access',
              ok: false,
              detail: `No access to ${target.foundationModelId} in ${region}: ${problems.join(', ')}.`,
              fix:
                `Request access in the Bedrock console → Model access (${modelAccessUrl(region)}): enable ${target.foundationModelId}` +
                ` (Anthropic models ask for a short use-case form once per account)` +
                (target.profileId ? `, in every region the "${target.geography}." profile routes to.` : '.') +
                ' Approval usually takes minutes.',
            },
      );
    } catch (err) {
      checks.push({
        name: 'model-access',
        ok: false,
        detail: `Could not read model access for ${target.foundationModelId} in ${region} (${errText(err)}).`,
        fix: `Allow bedrock:GetFoundationModelAvailability for this identity, or check Model access by hand: ${modelAccessUrl(region)}.`,
      });
    }
  }

  // 4. Textract ------------------------------------------------------------------------------------------------
  if (!opts.skipTextract) {
    const textract = new TextractClient({ ...common, region, ...ep(opts.endpoints?.textract) });
    try {
      await textract.send(new DetectDocumentTextCommand({ Document: { Bytes: new Uint8Array(await probeImage()) } }));
      checks.push({ name: 'textract', ok: true, detail: `Textract DetectDocumentText works in ${region}.` });
    } catch (err) {
      const name = errName(err);
      // A document complaint means the call was authorised and reached Textract: access is fine.
      if (['InvalidParameterException', 'UnsupportedDocumentException', 'BadDocumentException'].includes(name)) {
        checks.push({ name: 'textract', ok: true, detail: `Textract answers in ${region} (${name} for the blank probe image).` });
      } else {
        checks.push({
          name: 'textract',
          ok: false,
          detail: `Textract DetectDocumentText failed in ${region} (${errText(err)}).`,
          fix: unreachable(err)
            ? `Textract has no endpoint in ${region}; use ${RECOMMENDED_REGION}, or turn OCR hints off (INTAKE_OCR=off / -c ocr=off).`
            : 'Allow textract:DetectDocumentText for this identity (the deployed stack grants it to its OCR function itself), or turn OCR hints off (INTAKE_OCR=off).',
        });
      }
    }
  }

  // 5. Deployed stack ------------------------------------------------------------------------------------------
  const cfn = new CloudFormationClient({ ...common, region: opts.stackRegion ?? region, ...ep(opts.endpoints?.cloudformation) });
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    const missing = STACK_OUTPUTS.filter((k) => !outputs[k]);
    const healthy = /_COMPLETE$/.test(stack?.StackStatus ?? '') && !/ROLLBACK|DELETE/.test(stack?.StackStatus ?? '');
    checks.push(
      healthy && missing.length === 0
        ? {
            name: 'stack',
            ok: true,
            detail: `Stack ${stackName} is ${stack?.StackStatus}: upload to s3://${outputs.BucketName}/incoming/, review API ${outputs.ReviewApiUrl}.`,
          }
        : {
            name: 'stack',
            ok: false,
            detail: `Stack ${stackName} is ${stack?.StackStatus}${missing.length ? `; missing outputs ${missing.join(', ')}` : ''}.`,
            fix: 'Redeploy with `npx cdk deploy` and read the CloudFormation events of the failed resources (docs/aws.md).',
          },
    );
  } catch (err) {
    const notDeployed = /does not exist/i.test((err as Error)?.message ?? '');
    checks.push({
      name: 'stack',
      ok: false,
      detail: notDeployed ? `Stack ${stackName} is not deployed in ${opts.stackRegion ?? region}.` : `Could not describe stack ${stackName} (${errText(err)}).`,
      fix: notDeployed
        ? `Deploy it: \`npx cdk bootstrap\` once per account/region, then \`npx cdk deploy\` (docs/aws.md). Local mode needs no stack.`
        : 'Allow cloudformation:DescribeStacks for this identity.',
    });
  }

  return { ok: checks.every((c) => c.ok), checks };
}
