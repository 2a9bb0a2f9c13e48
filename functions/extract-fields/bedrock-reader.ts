import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ContentBlock,
  type ConverseCommandInput,
  type ConverseStreamOutput,
  type ImageFormat,
  type SystemContentBlock,
  type TokenUsage as BedrockTokenUsage,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import sharp from 'sharp';
import type { Config } from '../shared/config';
import { FIELD_NAMES, type LabelReader, type ReadLabelInput, type ReaderResult, type TokenUsage } from '../shared/contract';
import {
  MalformedModelOutputError,
  ModelAccessDeniedError,
  ModelThrottledError,
  ModelUnavailableError,
} from '../shared/errors';
import { SYSTEM_PROMPT, TOOL_NAME, toolInputSchema, userPrompt } from './prompt';

/** Claude bills an image at about width×height/750 tokens and downscales above ~1.15 MP anyway. */
export const MAX_IMAGE_PIXELS = 1_150_000;
/** Converse limits per image. */
export const MAX_IMAGE_BYTES = 3_750_000;
export const MAX_IMAGE_EDGE_PX = 8000;

export const DEFAULT_BEDROCK_REGION = 'us-east-1';

export interface BedrockReaderOptions {
  /** A ready client (tests, or a caller that shares one). @default a client built from config */
  readonly client?: BedrockRuntimeClient;
  /** Use ConverseStream and join the tool-input deltas. @default false */
  readonly stream?: boolean;
  /** Output token budget; the tool answer is small. @default 1024 */
  readonly maxTokens?: number;
  /** Whole-request timeout for the model call, ms. @default 60000 */
  readonly requestTimeoutMs?: number;
}

/** USD per million tokens, by kind. */
export interface PriceTable {
  readonly input: number;
  readonly output: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
}

/** Parse BEDROCK_PRICE_PER_MTOK ("input:3,output:15,cacheRead:0.3,cacheWrite:3.75"). */
export function parsePriceTable(spec: string): PriceTable {
  const entries = spec.split(',').map((pair) => {
    const [key, value] = pair.split(':').map((s) => s.trim());
    const n = Number(value);
    if (!key || !Number.isFinite(n) || n < 0) throw new Error(`Bad price table entry "${pair}" in "${spec}"`);
    return [key, n] as const;
  });
  const table = Object.fromEntries(entries) as Record<string, number>;
  if (table.input === undefined || table.output === undefined) {
    throw new Error(`Price table "${spec}" needs at least input and output prices`);
  }
  return { input: table.input, output: table.output, cacheRead: table.cacheRead, cacheWrite: table.cacheWrite };
}

/**
 * Estimated USD cost of one call. Cache reads and writes are billed at their own rates; when the table has no
 * cache rate they fall back to the input rate (an overestimate for reads, never an underestimate).
 */
export function estimateCost(usage: TokenUsage, prices: PriceTable): number {
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  return (
    usage.inputTokens * perToken(prices.input) +
    usage.outputTokens * perToken(prices.output) +
    (usage.cacheReadInputTokens ?? 0) * perToken(prices.cacheRead ?? prices.input) +
    (usage.cacheWriteInputTokens ?? 0) * perToken(prices.cacheWrite ?? prices.input)
  );
}

/**
 * Prompt caching (`cachePoint`) is offered for Claude 3.5 Haiku, 3.7 Sonnet and the Claude 4 family; older
 * models reject the block, so it is only sent to those.
 */
export function supportsPromptCaching(modelId: string): boolean {
  return /anthropic\.claude-(3-5-haiku|3-7-sonnet|sonnet-4|opus-4|haiku-4)/.test(modelId) || /amazon\.nova/.test(modelId);
}

export interface PreparedImage {
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
}

/** Downscale to ≤ 1.15 MP (and the Converse byte/edge limits); re-encode as JPEG only if still too large. */
export async function prepareImage(image: Buffer, mediaType: ReadLabelInput['mediaType']): Promise<PreparedImage> {
  const meta = await sharp(image).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const format = mediaType.slice('image/'.length) as ImageFormat;
  const pixels = width * height;
  const tooBig = pixels > MAX_IMAGE_PIXELS || width > MAX_IMAGE_EDGE_PX || height > MAX_IMAGE_EDGE_PX;
  if (!tooBig && image.length <= MAX_IMAGE_BYTES) return { bytes: image, format, width, height };

  const scale = Math.min(1, Math.sqrt(MAX_IMAGE_PIXELS / pixels), MAX_IMAGE_EDGE_PX / Math.max(width, height));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  let out = sharp(image).resize(w, h, { fit: 'fill' });
  let outFormat = format;
  let bytes = await out.toFormat(format).toBuffer();
  if (bytes.length > MAX_IMAGE_BYTES) {
    out = sharp(image).resize(w, h, { fit: 'fill' });
    bytes = await out.jpeg({ quality: 85 }).toBuffer();
    outFormat = 'jpeg';
  }
  return { bytes, format: outFormat, width: w, height: h };
}

function errorText(err: unknown): { name: string; message: string; status?: number; code?: string } {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e?.name ?? '', message: e?.message ?? String(err), status: e?.$metadata?.httpStatusCode, code: e?.code };
}

const THROTTLE_NAMES = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);
const UNAVAILABLE_NAMES = new Set([
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelTimeoutException',
  'ModelNotReadyException',
  'ModelErrorException',
  'ModelStreamErrorException',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
const ACCESS_PATTERNS = [
  /model identifier is invalid/i,
  /don.t have access to the model/i,
  /not authorized to perform: bedrock/i,
  /on-demand throughput isn.t supported/i,
  /access to the model/i,
];

/**
 * Map a Bedrock SDK error onto the names the state machine retries (throttled / unavailable) or routes
 * (access denied). Anything else is a bug in the request and is rethrown unchanged.
 */
export function mapBedrockError(err: unknown, modelId: string, region: string): Error {
  const { name, message, status, code } = errorText(err);
  if (THROTTLE_NAMES.has(name) || status === 429) {
    return new ModelThrottledError(`Bedrock throttled the call to ${modelId}: ${message}`, { cause: err });
  }
  if (name === 'CredentialsProviderError') {
    return new ModelAccessDeniedError(
      `No AWS credentials to call Bedrock model "${modelId}" in ${region}: ${message}. ` +
        'Configure credentials (aws configure / AWS_PROFILE) or use the offline reader.',
      { cause: err },
    );
  }
  const accessDenied =
    name === 'AccessDeniedException' ||
    name === 'ResourceNotFoundException' ||
    ACCESS_PATTERNS.some((p) => p.test(message));
  if (accessDenied) {
    return new ModelAccessDeniedError(
      `No access to Bedrock model "${modelId}" in region ${region} (${name}: ${message}). ` +
        `Enable it in the Amazon Bedrock console → Model access, in region ${region} (for a cross-region ` +
        `inference profile such as "us.…", in every region of the profile), and make sure the function's role ` +
        `may call bedrock:InvokeModel on it. Or set BEDROCK_MODEL_ID / BEDROCK_REGION to a model you have.`,
      { cause: err },
    );
  }
  if (UNAVAILABLE_NAMES.has(name) || (code && NETWORK_CODES.has(code)) || (status !== undefined && status >= 500)) {
    return new ModelUnavailableError(`Bedrock model ${modelId} is unavailable: ${name || code}: ${message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(message);
}

interface ToolAnswer {
  input: unknown;
  stopReason?: string;
  usage?: BedrockTokenUsage;
}

function toUsage(u: BedrockTokenUsage | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  return {
    inputTokens: u.inputTokens ?? 0,
    outputTokens: u.outputTokens ?? 0,
    ...(u.cacheReadInputTokens !== undefined ? { cacheReadInputTokens: u.cacheReadInputTokens } : {}),
    ...(u.cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens: u.cacheWriteInputTokens } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turn the tool input into a ReaderResult; only the outer envelope is checked here, ValidateOutput checks fields. */
export function toReaderResult(answer: ToolAnswer, modelId: string): ReaderResult {
  const { input } = answer;
  const issues: string[] = [];
  if (!isRecord(input)) issues.push('the tool input is not a JSON object');
  else if (!isRecord(input.fields)) issues.push('the tool input has no "fields" object');
  if (issues.length > 0 || !isRecord(input)) {
    throw new MalformedModelOutputError(`Model ${modelId} returned an unusable answer: ${issues.join('; ')}`, issues);
  }
  const selfConfidence: Record<string, number> = {};
  if (isRecord(input.confidence)) {
    for (const field of FIELD_NAMES) {
      const c = input.confidence[field];
      if (typeof c === 'number' && Number.isFinite(c)) selfConfidence[field] = Math.min(1, Math.max(0, c));
    }
  }
  const usage = toUsage(answer.usage);
  return {
    reader: 'bedrock',
    modelId,
    candidate: input.fields,
    selfConfidence,
    ...(usage ? { usage } : {}),
    noLabelFound: input.noLabelFound === true,
  };
}

function noToolUse(modelId: string, stopReason: string | undefined, detail: string): MalformedModelOutputError {
  const issue = `the model did not call the ${TOOL_NAME} tool (stopReason=${stopReason ?? 'unknown'}): ${detail}`;
  // The message is what the state machine feeds back to the next attempt, so it carries the specific problem.
  return new MalformedModelOutputError(`Model ${modelId} returned no structured answer: ${issue}`, [issue]);
}

/** Join ConverseStream events into one tool answer. The tool input arrives as JSON text split across deltas. */
export async function joinStream(
  events: AsyncIterable<ConverseStreamOutput>,
  modelId: string,
): Promise<ToolAnswer> {
  let toolIndex: number | undefined;
  const chunks: string[] = [];
  let text = '';
  let stopReason: string | undefined;
  let usage: BedrockTokenUsage | undefined;
  for await (const ev of events) {
    if (ev.contentBlockStart?.start?.toolUse?.name === TOOL_NAME) toolIndex = ev.contentBlockStart.contentBlockIndex;
    const delta = ev.contentBlockDelta;
    if (delta?.delta?.toolUse?.input !== undefined) {
      // Some models omit contentBlockStart for the first block; the first tool delta then defines the index.
      toolIndex ??= delta.contentBlockIndex;
      if (delta.contentBlockIndex === toolIndex) chunks.push(delta.delta.toolUse.input);
    } else if (delta?.delta?.text !== undefined) {
      text += delta.delta.text;
    }
    if (ev.messageStop) stopReason = ev.messageStop.stopReason;
    if (ev.metadata?.usage) usage = ev.metadata.usage;
  }
  if (toolIndex === undefined) throw noToolUse(modelId, stopReason, text.slice(0, 200) || 'no content');
  const json = chunks.join('');
  try {
    return { input: JSON.parse(json === '' ? '{}' : json), stopReason, usage };
  } catch (cause) {
    const issue = `the tool input is not valid JSON (stopReason=${stopReason ?? 'unknown'}): ${json.slice(0, 200)}`;
    throw new MalformedModelOutputError(`Model ${modelId} returned malformed JSON`, [issue], { cause });
  }
}

/** Build the Converse request: cached static prompt + tool, then the image and the per-call hints. */
export function buildConverseInput(
  modelId: string,
  image: PreparedImage,
  input: ReadLabelInput,
  maxTokens: number,
): ConverseCommandInput {
  const system: SystemContentBlock[] = [{ text: SYSTEM_PROMPT }];
  if (supportsPromptCaching(modelId)) system.push({ cachePoint: { type: 'default' } });
  const content: ContentBlock[] = [
    { image: { format: image.format, source: { bytes: new Uint8Array(image.bytes) } } },
    { text: userPrompt(input.ocrLines, input.feedback) },
  ];
  return {
    modelId,
    system,
    messages: [{ role: 'user', content }],
    inferenceConfig: { temperature: 0, maxTokens },
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: TOOL_NAME,
            description: 'Record the fields printed on the reagent label, with your confidence per field.',
            // The SDK types `json` as a DocumentType; the schema is plain JSON.
            inputSchema: { json: toolInputSchema() as never },
          },
        },
      ],
      toolChoice: { tool: { name: TOOL_NAME } },
    },
  };
}

export function bedrockRegion(config: Pick<Config, 'BEDROCK_REGION'>): string {
  return config.BEDROCK_REGION ?? process.env.AWS_REGION ?? DEFAULT_BEDROCK_REGION;
}

/** A Bedrock Runtime client on HTTP/1.1: Converse and ConverseStream need no HTTP/2, and local fakes speak HTTP/1. */
export function createBedrockClient(
  config: Pick<Config, 'BEDROCK_REGION' | 'BEDROCK_ENDPOINT'>,
  requestTimeoutMs = 60_000,
): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: bedrockRegion(config),
    ...(config.BEDROCK_ENDPOINT ? { endpoint: config.BEDROCK_ENDPOINT } : {}),
    // throwOnRequestTimeout: a hung model call must fail (and be retried), not just log a warning.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true }),
    // The state machine retries throttling with backoff and jitter; SDK retries on top would multiply the load.
    maxAttempts: 1,
  });
}

/** The `bedrock` adapter of the LabelReader port. */
export function createBedrockReader(
  config: Pick<Config, 'BEDROCK_MODEL_ID' | 'BEDROCK_REGION' | 'BEDROCK_ENDPOINT'>,
  options: BedrockReaderOptions = {},
): LabelReader {
  const modelId = config.BEDROCK_MODEL_ID;
  const region = bedrockRegion(config);
  const client = options.client ?? createBedrockClient(config, options.requestTimeoutMs);
  const maxTokens = options.maxTokens ?? 1024;

  return {
    name: 'bedrock',
    async read(input: ReadLabelInput): Promise<ReaderResult> {
      const image = await prepareImage(input.image, input.mediaType);
      const request = buildConverseInput(modelId, image, input, maxTokens);
      let answer: ToolAnswer;
      try {
        if (options.stream) {
          const res = await client.send(new ConverseStreamCommand(request));
          if (!res.stream) throw noToolUse(modelId, undefined, 'empty stream');
          answer = await joinStream(res.stream, modelId);
        } else {
          const res = await client.send(new ConverseCommand(request));
          const blocks = res.output?.message?.content ?? [];
          const tool = blocks.find((b) => b.toolUse?.name === TOOL_NAME)?.toolUse;
          if (!tool) {
            const said = blocks.map((b) => b.text ?? '').join(' ').slice(0, 200);
            throw noToolUse(modelId, res.stopReason, said || 'no content');
          }
          answer = { input: tool.input, stopReason: res.stopReason, usage: res.usage };
        }
      } catch (err) {
        if (err instanceof MalformedModelOutputError) throw err;
        throw mapBedrockError(err, modelId, region);
      }
      if (answer.stopReason === 'max_tokens') {
        const issue = `the answer was cut off at ${maxTokens} output tokens`;
        throw new MalformedModelOutputError(`Model ${modelId} ran out of output tokens`, [issue]);
      }
      return toReaderResult(answer, modelId);
    },
  };
}
