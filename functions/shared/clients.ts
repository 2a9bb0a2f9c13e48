import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Clients shared by the handlers, created once per process. Endpoints come from the SDK's standard
 * variables (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`), which the local stack points at its
 * S3- and DynamoDB-compatible servers; in AWS they are unset.
 */
let s3: S3Client | undefined;

/** The local stack's stores take any key; fixed ones keep real AWS credentials (for Bedrock) out of them. */
const localCredentials = () =>
  process.env.INTAKE_LOCAL === '1' ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {};
let ddb: DynamoDBDocumentClient | undefined;

export function s3Client(): S3Client {
  // WHEN_REQUIRED: without it, streamed uploads to S3-compatible servers store aws-chunked framing.
  s3 ??= new S3Client({
    ...localCredentials(),
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return s3;
}

export function ddbClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({ ...localCredentials() }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return ddb;
}

/** Forget cached clients (the local stack calls this after it changes endpoints). */
export function resetClients(): void {
  s3?.destroy();
  ddb?.destroy();
  s3 = undefined;
  ddb = undefined;
}
