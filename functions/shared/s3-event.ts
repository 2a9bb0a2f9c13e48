import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidEventError } from './errors';

/** The EventBridge "Object Created" event S3 sends (the state machine's input, in AWS and locally). */
export const ObjectCreatedEvent = z.object({
  'detail-type': z.literal('Object Created'),
  source: z.literal('aws.s3'),
  time: z.string().optional(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof ObjectCreatedEvent>;

export interface ObjectRef {
  bucket: string;
  /** The decoded object key (EventBridge keys are URL-encoded as in S3 notifications). */
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
}

/** S3 URL-encodes keys in events, with '+' for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export function parseObjectCreated(event: unknown): ObjectRef {
  const parsed = ObjectCreatedEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(
      'This run was not started by an S3 "Object Created" event, so there is no photo to read.',
      { cause: parsed.error },
    );
  }
  const { bucket, object } = parsed.data.detail;
  let key: string;
  try {
    key = decodeS3Key(object.key);
  } catch (err) {
    throw new InvalidEventError(`The object key in the event is not valid URL encoding: ${object.key}`, { cause: err });
  }
  return { bucket: bucket.name, key, size: object.size, etag: object.etag, versionId: object['version-id'] };
}

/**
 * One id per uploaded object version: the same S3 event delivered twice maps to the same intake.
 * Falls back to the execution for events that cannot be parsed (each such run is its own intake).
 */
export function intakeIdOf(event: unknown, executionArn: string): string {
  let basis: string;
  try {
    const o = parseObjectCreated(event);
    basis = `${o.bucket}/${o.key}@${o.versionId ?? o.etag ?? ''}`;
  } catch {
    basis = `execution:${executionArn}`;
  }
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
}

/** Build the event S3 sends to EventBridge for a new object (used by the local stack and tests). */
export function objectCreatedEvent(o: ObjectRef & { time?: Date; requestId?: string }): Record<string, unknown> {
  const time = (o.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: createHash('sha256').update(`${o.bucket}/${o.key}/${o.etag}/${time}`).digest('hex').slice(0, 36),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time,
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [`arn:aws:s3:::${o.bucket}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket },
      object: {
        key: encodeS3Key(o.key),
        ...(o.size !== undefined ? { size: o.size } : {}),
        ...(o.etag ? { etag: o.etag } : {}),
        ...(o.versionId ? { 'version-id': o.versionId } : {}),
        sequencer: Date.now().toString(16).toUpperCase(),
      },
      'request-id': o.requestId ?? 'local',
      requester: '000000000000',
      'source-ip-address': '127.0.0.1',
      reason: 'PutObject',
    },
  };
}
