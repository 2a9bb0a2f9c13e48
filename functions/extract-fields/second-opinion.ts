import { AzureOpenAI, OpenAI } from 'openai';
import { z } from 'zod';
import type { Config } from '../shared/config';
import { FIELD_NAMES, type ReadLabelInput } from '../shared/contract';
import { SYSTEM_PROMPT, TOOL_NAME, userPrompt } from './prompt';

/** What a second reader said, attached to the extraction result for ScoreConfidence to compare. */
export interface SecondOpinion {
  model: string;
  /** The fields it read (raw: compared, never saved). */
  fields?: Record<string, unknown>;
  /** Why there is no opinion (timeout, HTTP error, unparseable answer); the pipeline goes on without one. */
  error?: string;
  ms: number;
}

export interface SecondOpinionClient {
  ask(input: ReadLabelInput): Promise<SecondOpinion>;
}

/** The JSON the second reader is asked for: the same fields as the primary reader's tool. */
const Answer = z.object({ fields: z.record(z.string(), z.unknown()).default({}), noLabelFound: z.boolean().optional() });

/** The primary prompt, answered as one JSON object instead of a tool call (every OpenAI-compatible server does JSON mode). */
const SYSTEM = `${SYSTEM_PROMPT.replace(`Answer only by calling the ${TOOL_NAME} tool once.`, '')}Answer with one JSON object only: {"fields": {<field>: <value>, …}, "noLabelFound": false}. Field names: ${FIELD_NAMES.join(', ')}.`;

/**
 * The optional second opinion: an OpenAI-compatible chat endpoint (Azure OpenAI, OpenAI, or any compatible server
 * such as vLLM or Ollama) is asked the same question as the primary reader — the photo plus the OCR hints — and its
 * answer only moves confidence (ScoreConfidence: agreement raises, disagreement lowers). It is never saved and never
 * fatal: any failure becomes `error` and the label is scored without it. Configured by SECOND_OPINION_URL (+ _MODEL,
 * _API_KEY, and _API_VERSION for Azure); off when the URL is unset.
 */
export function createSecondOpinion(config: Config, opts: { fetch?: typeof fetch } = {}): SecondOpinionClient | undefined {
  const url = config.SECOND_OPINION_URL;
  if (!url) return undefined;
  const model = config.SECOND_OPINION_MODEL;
  const common = { apiKey: config.SECOND_OPINION_API_KEY ?? 'none', timeout: config.SECOND_OPINION_TIMEOUT_MS, maxRetries: 1, ...(opts.fetch ? { fetch: opts.fetch } : {}) };
  const client = config.SECOND_OPINION_API_VERSION
    ? new AzureOpenAI({ ...common, endpoint: url, apiVersion: config.SECOND_OPINION_API_VERSION, deployment: model })
    : new OpenAI({ ...common, baseURL: url });
  return {
    async ask(input: ReadLabelInput): Promise<SecondOpinion> {
      const started = Date.now();
      try {
        const completion = await client.chat.completions.create({
          model,
          temperature: 0,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: SYSTEM },
            {
              role: 'user',
              content: [
                { type: 'image_url', image_url: { url: `data:${input.mediaType};base64,${input.image.toString('base64')}` } },
                { type: 'text', text: userPrompt(input.ocrLines) },
              ],
            },
          ],
        });
        const text = completion.choices[0]?.message?.content ?? '';
        const parsed = Answer.safeParse(JSON.parse(stripFence(text)));
        if (!parsed.success) return { model, error: `unexpected answer shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`, ms: Date.now() - started };
        const fields = Object.fromEntries(Object.entries(parsed.data.fields).filter(([k, v]) => (FIELD_NAMES as readonly string[]).includes(k) && v !== null && v !== ''));
        return { model, fields, ms: Date.now() - started };
      } catch (err) {
        // The key never appears here: the SDK's errors carry status and message, not request headers.
        const detail = err instanceof Error ? err.message : String(err);
        return { model, error: detail.slice(0, 200), ms: Date.now() - started };
      }
    },
  };
}

/** Some servers wrap JSON mode answers in a Markdown fence anyway. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return m ? m[1] : text;
}
