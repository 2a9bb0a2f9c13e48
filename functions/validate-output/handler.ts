import { z } from 'zod';
import { defineHandler } from '../shared/handler-kit';
import { validateOutput } from './core';

const Input = z.object({ extraction: z.object({ candidate: z.unknown(), noLabelFound: z.boolean().optional() }).passthrough() });

export const handler = defineHandler('ValidateOutput', Input, async ({ extraction }) => validateOutput(extraction));
