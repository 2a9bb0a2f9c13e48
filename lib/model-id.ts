/** Model-id parsing shared by the stack's IAM and `intake doctor` (no CDK import, so the CLI stays light). */
export interface ModelTarget {
  /** The inference profile id ("us.anthropic…") or undefined for a plain foundation model id. */
  readonly profileId?: string;
  /** The profile's geography prefix ("us", "eu", "global", …). */
  readonly geography?: string;
  /** The foundation model id without a geography prefix. */
  readonly foundationModelId: string;
}

export function parseModelId(modelId: string): ModelTarget {
  const m = /^(us|eu|apac|jp|au|us-gov|global)\.(.+)$/.exec(modelId);
  if (!m) return { foundationModelId: modelId };
  return { profileId: modelId, geography: m[1], foundationModelId: m[2] };
}

