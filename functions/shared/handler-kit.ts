import type { z } from 'zod';
import { IntakeError } from './errors';
import { logger } from './powertools';

/** The handler was invoked with a payload that does not match its contract (a wiring bug, not bad input). */
export class InvalidInputError extends IntakeError {
  override readonly name = 'InvalidInputError';
}

/**
 * A Lambda handler = parse → core → return. The same function runs in AWS and in the local engine, which
 * calls it with the same payload the `lambda:invoke` integration sends.
 */
export function defineHandler<S extends z.ZodType, R>(step: string, schema: S, core: (input: z.infer<S>) => Promise<R>) {
  return async (event: unknown): Promise<R> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidInputError(`${step}: invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        cause: parsed.error,
      });
    }
    try {
      return await core(parsed.data);
    } catch (err) {
      logger.warn(`${step} failed`, { error: (err as Error)?.name, message: (err as Error)?.message });
      throw err;
    }
  };
}
