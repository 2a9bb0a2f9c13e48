import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ImageRejectedError, ObjectNotFoundError } from './errors';

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

/** Read an object, refusing before download when it is over `maxBytes`. */
export async function readObject(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<Buffer> {
  let size: number | undefined;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    size = head.ContentLength;
  } catch (err) {
    if (notFound(err)) throw new ObjectNotFoundError(`The photo "${key}" is no longer in the bucket (deleted before it could be processed).`, { cause: err });
    throw err;
  }
  if (size !== undefined && size > maxBytes) {
    throw new ImageRejectedError(
      `The file is ${(size / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(0)} MB. Please upload a smaller photo.`,
      'FILE_TOO_LARGE',
    );
  }
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (err) {
    if (notFound(err)) throw new ObjectNotFoundError(`The photo "${key}" is no longer in the bucket (deleted before it could be processed).`, { cause: err });
    throw err;
  }
}

export async function writeObject(s3: S3Client, bucket: string, key: string, body: Buffer, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }));
}

/** Where the normalised copy of a photo lives (keyed by content, so a replayed task rewrites the same object). */
export const normalizedKeyOf = (contentHash: string) => `derived/normalized/${contentHash}.jpg`;
