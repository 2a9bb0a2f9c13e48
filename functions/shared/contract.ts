import { z } from 'zod';

/** Units a reagent quantity may be printed in (the data contract's closed set). */
export const QuantityUnit = z.enum(['mL', 'L', 'g', 'kg', 'mg']);
export type QuantityUnit = z.infer<typeof QuantityUnit>;

export const Quantity = z.object({ value: z.number().positive(), unit: QuantityUnit }).strict();
export type Quantity = z.infer<typeof Quantity>;

const text = z.string().trim().min(1).max(200);

/**
 * The fields of a reagent label (DESIGN.md "The data contract"). A key is present only when the value is
 * printed on the label; the eval ground truth uses exactly these keys.
 */
export const LabelFields = z
  .object({
    manufacturer: text.optional(),
    productName: text.optional(),
    productNameKo: text.optional(),
    casNumber: z.string().regex(/^\d{2,7}-\d{2}-\d$/, 'CAS number must look like 7647-01-0').optional(),
    catalogNumber: text.optional(),
    lotNumber: text.optional(),
    grade: text.optional(),
    purity: text.optional(),
    quantity: Quantity.optional(),
    formula: text.optional(),
    molecularWeight: z.number().positive().max(100000).optional(),
    expiryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expiryDate must be an ISO date YYYY-MM-DD').optional(),
  })
  .strict();
export type LabelFields = z.infer<typeof LabelFields>;

export const FIELD_NAMES = [
  'manufacturer',
  'productName',
  'productNameKo',
  'casNumber',
  'catalogNumber',
  'lotNumber',
  'grade',
  'purity',
  'quantity',
  'formula',
  'molecularWeight',
  'expiryDate',
] as const satisfies readonly (keyof LabelFields)[];
export type FieldName = (typeof FIELD_NAMES)[number];

/** One line of OCR text, the same shape for Textract and local OCR. Box is in pixels of the normalised image. */
export const OcrLine = z.object({
  text: z.string(),
  confidence: z.number().min(0).max(100),
  box: z.object({ left: z.number(), top: z.number(), width: z.number(), height: z.number() }),
  /** Which engine read the line: box geometry differs (tesseract's boxes hug the glyphs, Paddle's carry a margin). */
  engine: z.enum(['paddle', 'tesseract', 'textract']).optional(),
  /**
   * Degrees (clockwise positive) the label was turned to level its text before OCR. Boxes stay level rectangles
   * around each line's centre in the image's pixels; the reader turns the centres by this angle to compare rows.
   */
  angle: z.number().optional(),
});
export type OcrLine = z.infer<typeof OcrLine>;

/** What ValidateImage hands to every later state. */
export const ImageRef = z.object({
  bucket: z.string(),
  sourceKey: z.string(),
  normalizedKey: z.string(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.enum(['jpeg', 'png', 'webp']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  normalizedWidth: z.number().int().positive(),
  normalizedHeight: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
});
export type ImageRef = z.infer<typeof ImageRef>;

/** Token usage of one model call (Bedrock Converse `usage`). */
export const TokenUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadInputTokens: z.number().int().nonnegative().optional(),
  cacheWriteInputTokens: z.number().int().nonnegative().optional(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

/**
 * What a LabelReader returns: the raw candidate (unvalidated — ValidateOutput checks it), the reader's own
 * per-field confidence (0..1) when it reports one, and provenance.
 */
export const ReaderResult = z.object({
  reader: z.string(),
  modelId: z.string().optional(),
  candidate: z.unknown(),
  selfConfidence: z.record(z.string(), z.number().min(0).max(1)).optional(),
  evidence: z.record(z.string(), z.string()).optional(),
  /**
   * Fields not read on the label but proposed from the catalog for the product the label names (its CAS, its
   * Korean name): pre-filled for the reviewer, never saved without one.
   */
  proposed: z.array(z.string()).optional(),
  usage: TokenUsage.optional(),
  noLabelFound: z.boolean().optional(),
});
export type ReaderResult = z.infer<typeof ReaderResult>;

/** Input to a LabelReader: the normalised image, the OCR hints, and feedback from a failed validation. */
export interface ReadLabelInput {
  image: Buffer;
  mediaType: 'image/jpeg' | 'image/png' | 'image/webp';
  ocrLines: OcrLine[];
  /** Validation errors of the previous attempt, sent back to the model as feedback. */
  feedback?: string[];
  attempt: number;
}

/** The LabelReader port. Adapters: `offline` (OCR + rules + catalog) and `bedrock` (Converse API). */
export interface LabelReader {
  readonly name: string;
  read(input: ReadLabelInput): Promise<ReaderResult>;
}

export const FieldConfidence = z.object({
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()),
});
export type FieldConfidence = z.infer<typeof FieldConfidence>;

/** Terminal statuses of an intake (one per uploaded photo). IN_REVIEW is the only non-terminal status shown. */
export const IntakeStatus = z.enum(['PROCESSING', 'IN_REVIEW', 'SAVED', 'REJECTED', 'REVIEW_EXPIRED', 'FAILED']);
export type IntakeStatus = z.infer<typeof IntakeStatus>;
