import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { parseModelId } from './model-id';

export { parseModelId, type ModelTarget } from './model-id';

/**
 * Regions each system-defined cross-region inference profile may route to. AWS can add regions to a profile;
 * override with the `bedrockProfileRegions` context value if a call is denied in a region missing here.
 */
export const PROFILE_REGIONS: Record<string, string[]> = {
  us: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  eu: ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'],
  apac: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-4'],
  jp: ['ap-northeast-1', 'ap-northeast-3'],
  au: ['ap-southeast-2', 'ap-southeast-4'],
};

/**
 * Least-privilege Bedrock statements for one model. A plain model id gets its foundation-model ARN in the
 * Bedrock region. A cross-region inference profile gets the profile ARN plus the foundation-model ARNs in
 * every region the profile routes to — and those only when called through this profile
 * (`bedrock:InferenceProfileArn` condition), as AWS documents for inference profiles.
 */
export function bedrockInvokeStatements(opts: {
  modelId: string;
  bedrockRegion: string;
  account: string;
  partition?: string;
  profileRegions?: string[];
}): PolicyStatement[] {
  const partition = opts.partition ?? 'aws';
  const actions = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
  const target = parseModelId(opts.modelId);
  const fmArn = (region: string) => `arn:${partition}:bedrock:${region}::foundation-model/${target.foundationModelId}`;
  if (!target.profileId) {
    return [new PolicyStatement({ actions, resources: [fmArn(opts.bedrockRegion)] })];
  }
  const profileArn = `arn:${partition}:bedrock:${opts.bedrockRegion}:${opts.account}:inference-profile/${target.profileId}`;
  // A global profile may route to any commercial region; AWS documents the region-less ARN plus "*" region.
  const regions =
    target.geography === 'global'
      ? ['*', '']
      : (opts.profileRegions ?? PROFILE_REGIONS[target.geography!] ?? [opts.bedrockRegion]);
  return [
    new PolicyStatement({ actions, resources: [profileArn] }),
    new PolicyStatement({
      actions,
      resources: [...new Set(regions)].map(fmArn),
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
    }),
  ];
}
