import { z } from 'zod';
import { s3Client } from '../shared/clients';
import { loadConfig } from '../shared/config';
import type { ImageRef } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { normalizedKeyOf, readObject, writeObject } from '../shared/images';
import { intakeIdOf, parseObjectCreated } from '../shared/s3-event';
import { validateImage } from './core';

const config = loadConfig();

const Input = z.object({ event: z.unknown(), executionArn: z.string() });

export const handler = defineHandler('ValidateImage', Input, async ({ event, executionArn }) => {
  const object = parseObjectCreated(event);
  const intakeId = intakeIdOf(event, executionArn);
  const s3 = s3Client();
  const bytes = await readObject(s3, object.bucket, object.key, config.INTAKE_MAX_BYTES);
  const checked = await validateImage(bytes, {
    maxBytes: config.INTAKE_MAX_BYTES,
    maxMegapixels: config.INTAKE_MAX_MEGAPIXELS,
    minEdgePx: config.INTAKE_MIN_EDGE_PX,
    normalizedEdgePx: config.INTAKE_NORMALIZED_EDGE_PX,
  });
  const normalizedKey = normalizedKeyOf(checked.contentHash);
  await writeObject(s3, object.bucket, normalizedKey, checked.normalized, 'image/jpeg');
  const image: ImageRef = {
    bucket: object.bucket,
    sourceKey: object.key,
    normalizedKey,
    contentHash: checked.contentHash,
    format: checked.format,
    width: checked.width,
    height: checked.height,
    normalizedWidth: checked.normalizedWidth,
    normalizedHeight: checked.normalizedHeight,
    bytes: bytes.length,
  };
  return { intakeId, image };
});
