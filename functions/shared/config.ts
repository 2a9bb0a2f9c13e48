import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Every setting, read from the environment and checked once. Each variable is documented in README.md
 * ("Configuration"). Numbers arrive as strings, so they are coerced.
 */
const Env = z.object({
  /** Which LabelReader extracts fields: `offline` (OCR + rules + catalog, no model service) or `bedrock`. */
  INTAKE_READER: z.enum(['offline', 'bedrock']).default('offline'),
  /** Run OCR to give the reader hints (Textract in AWS, tesseract.js locally). */
  INTAKE_OCR: z.enum(['on', 'off']).default('on'),
  /** Which OCR engine: `textract` (AWS) or `tesseract` (local). */
  INTAKE_OCR_ENGINE: z.enum(['local', 'tesseract', 'textract']).default('local'),
  /** Overall confidence below which an item goes to human review. */
  INTAKE_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.9),
  /** Largest accepted upload, bytes. */
  INTAKE_MAX_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  /** Largest accepted image, megapixels (decoded). Larger images are rejected with a clear reason. */
  INTAKE_MAX_MEGAPIXELS: z.coerce.number().positive().default(120),
  /** Smallest accepted long edge, pixels. */
  INTAKE_MIN_EDGE_PX: z.coerce.number().int().positive().default(200),
  /** Long edge of the normalised copy sent to the model and OCR. */
  INTAKE_NORMALIZED_EDGE_PX: z.coerce.number().int().positive().max(1568).default(1568),
  /** Bedrock model or inference-profile id. */
  BEDROCK_MODEL_ID: z.string().default('us.anthropic.claude-sonnet-4-5-20250929-v1:0'),
  /** Region for Bedrock calls (Bedrock is not in every region). */
  BEDROCK_REGION: z.string().optional(),
  /** Price table for cost estimates, USD per million tokens: "input:3,output:15". */
  BEDROCK_PRICE_PER_MTOK: z.string().default('input:3,output:15,cacheRead:0.3,cacheWrite:3.75'),
  /** Whole-request timeout of one model call, ms: a hung call fails as ModelUnavailableError and is retried. */
  BEDROCK_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Optional endpoint override (tests point the SDK at a local server that speaks the protocol). */
  BEDROCK_ENDPOINT: z.string().url().optional(),
  TEXTRACT_ENDPOINT: z.string().url().optional(),
  /**
   * Optional second opinion: base URL of an OpenAI-compatible chat endpoint (`https://api.openai.com/v1`, a vLLM or
   * Ollama `/v1`, or an Azure OpenAI resource `https://NAME.openai.azure.com` with SECOND_OPINION_API_VERSION set).
   * Unset: off. Its answer only moves confidence; it is never saved.
   */
  SECOND_OPINION_URL: z.string().url().optional(),
  /** Model name (Azure: the deployment name). */
  SECOND_OPINION_MODEL: z.string().default('gpt-4o'),
  /** API key; from the environment or a secret store, never from code. Never logged. */
  SECOND_OPINION_API_KEY: z.string().optional(),
  /** Azure OpenAI api-version (e.g. 2024-10-21); when set the endpoint is treated as Azure OpenAI. */
  SECOND_OPINION_API_VERSION: z.string().optional(),
  SECOND_OPINION_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Table names (set by CDK in AWS; defaults locally). */
  RECORDS_TABLE: z.string().default('intake-records'),
  INTAKES_TABLE: z.string().default('intake-intakes'),
  REVIEWS_TABLE: z.string().default('intake-reviews'),
  CATALOG_TABLE: z.string().default('intake-catalog'),
  /** Bucket for uploads and derived copies. */
  INTAKE_BUCKET: z.string().default('intake'),
});
export type Config = z.infer<typeof Env>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}
