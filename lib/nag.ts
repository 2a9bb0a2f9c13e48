import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag v3 reports IAM wildcard findings per resource ("AwsSolutions-IAM5[Resource::<Bucket.Arn>/derived/*]")
 * and an acknowledgement must name that exact finding. This builds the finding id from the same ARN expression
 * the policy uses, so a suppression covers exactly the wildcard we meant and nothing else.
 */
export function wildcardFinding(scope: IConstruct, resourceArn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resourceArn))}]`;
}

/** Acknowledge specific wildcard resources on a construct (and its children), with one reason. */
export function acknowledgeWildcards(scope: IConstruct, resourceArns: string[], reason: string): void {
  for (const arn of new Set(resourceArns)) Validations.of(scope).acknowledge({ id: wildcardFinding(scope, arn), reason });
}
