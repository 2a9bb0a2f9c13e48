/**
 * Named errors. The `name` is what Step Functions matches in Retry/Catch `ErrorEquals`, so every class sets it
 * explicitly (minifiers rename classes). Messages are sentences a lab worker understands.
 */
export abstract class IntakeError extends Error {
  abstract override readonly name: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The photo cannot be processed; the intake ends REJECTED with this message as the reason. */
export class ImageRejectedError extends IntakeError {
  override readonly name: string = 'ImageRejectedError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The event that started the run is not an S3 Object Created event we can use. */
export class InvalidEventError extends IntakeError {
  override readonly name = 'InvalidEventError';
}

/** The object named by the event is gone (deleted before processing). */
export class ObjectNotFoundError extends IntakeError {
  override readonly name = 'ObjectNotFoundError';
}

/** The model (or offline reader) produced output that does not match the data contract. Retried with feedback. */
export class MalformedModelOutputError extends IntakeError {
  override readonly name = 'MalformedModelOutputError';
  constructor(
    message: string,
    readonly issues: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Transient: the model service throttled us. Retried by the state machine with backoff and jitter. */
export class ModelThrottledError extends IntakeError {
  override readonly name = 'ModelThrottledError';
}

/** Transient: the model service is unavailable or timed out. Retried. */
export class ModelUnavailableError extends IntakeError {
  override readonly name = 'ModelUnavailableError';
}

/** Terminal: no access to the configured model (not enabled in this region, or IAM denies it). */
export class ModelAccessDeniedError extends IntakeError {
  override readonly name = 'ModelAccessDeniedError';
}

/** Transient: OCR failed. Not fatal: the state machine continues without hints. */
export class OcrFailedError extends IntakeError {
  override readonly name = 'OcrFailedError';
}

/** A reviewer rejected the item; sent through SendTaskFailure. */
export class ReviewRejectedError extends IntakeError {
  override readonly name = 'ReviewRejectedError';
}

/** A review action that cannot be applied (already decided, expired, unknown id). */
export class ReviewConflictError extends IntakeError {
  override readonly name = 'ReviewConflictError';
}
export class ReviewNotFoundError extends IntakeError {
  override readonly name = 'ReviewNotFoundError';
}

/** Configuration is missing or invalid; raised at module load. */
export class ConfigError extends IntakeError {
  override readonly name = 'ConfigError';
}

/** The photo shows no readable label; the intake ends REJECTED with this message. */
export class NoLabelFoundError extends IntakeError {
  override readonly name = 'NoLabelFoundError';
}
