import { z } from 'zod';
import { ddbClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ImageRef } from '../shared/contract';
import { defineHandler } from '../shared/handler-kit';
import { deduplicate } from './core';

const config = loadConfig();

const Input = z.object({ intakeId: z.string(), image: ImageRef, executionArn: z.string() });

export const handler = defineHandler('Deduplicate', Input, (input) => deduplicate({ ddb: ddbClient(), config }, input));
