import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the Bedrock Runtime wire protocol (restJson1) for Converse and ConverseStream,
 * so the real AWS SDK v3 client can be pointed at it (`endpoint: url`, `requestHandler: new NodeHttpHandler()`).
 */

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export type FakeReply =
  /** The model calls a tool with this input. */
  | {
      kind: 'toolUse';
      input: unknown;
      toolName?: string;
      usage?: FakeUsage;
      stopReason?: string;
      /** Streaming only: send the input JSON as this raw text instead of JSON.stringify(input). */
      rawInputJson?: string;
      /** Streaming only: characters per toolUse delta. @default 7 */
      chunkSize?: number;
    }
  /** The model answers in prose and calls no tool. */
  | { kind: 'text'; text: string; usage?: FakeUsage; stopReason?: string }
  /** 429 ThrottlingException, as Bedrock sends it. */
  | { kind: 'throttle'; message?: string }
  /** Any modelled error: status, error type (e.g. AccessDeniedException) and message. */
  | { kind: 'error'; status: number; type: string; message: string }
  /** Accept the request and never answer (client timeouts). */
  | { kind: 'hang' }
  /** Streaming only: start the stream, then send an exception event (e.g. throttlingException). */
  | { kind: 'streamException'; exceptionType: string; message: string };

export interface FakeRequest {
  modelId: string;
  stream: boolean;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeBedrock {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

const DEFAULT_USAGE: FakeUsage = { inputTokens: 1500, outputTokens: 200 };

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    // AWS sends the modelled error name here; the SDK reads it (and ignores the part after ':').
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': 'fake-request-id',
  });
  res.end(JSON.stringify({ message }));
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ':event-type': { type: 'string', value: eventType },
    ':message-type': { type: 'string', value: 'event' },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  const headers: MessageHeaders = {
    ':exception-type': { type: 'string', value: exceptionType },
    ':message-type': { type: 'string', value: 'exception' },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify({ message })) });
}

function converseBody(reply: Extract<FakeReply, { kind: 'toolUse' | 'text' }>): unknown {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const content =
    reply.kind === 'toolUse'
      ? [{ toolUse: { toolUseId: 'tooluse_fake1', name: reply.toolName ?? 'record_label_fields', input: reply.input } }]
      : [{ text: reply.text }];
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: reply.stopReason ?? (reply.kind === 'toolUse' ? 'tool_use' : 'end_turn'),
    usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
    metrics: { latencyMs: 12 },
  };
}

function streamFrames(reply: Extract<FakeReply, { kind: 'toolUse' | 'text' }>): Uint8Array[] {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  if (reply.kind === 'toolUse') {
    const json = reply.rawInputJson ?? JSON.stringify(reply.input);
    const size = reply.chunkSize ?? 7;
    frames.push(
      eventFrame('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { toolUseId: 'tooluse_fake1', name: reply.toolName ?? 'record_label_fields' } },
      }),
    );
    for (let i = 0; i < json.length; i += size) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: json.slice(i, i + size) } } }));
    }
  } else {
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: reply.text } }));
  }
  frames.push(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(eventFrame('messageStop', { stopReason: reply.stopReason ?? (reply.kind === 'toolUse' ? 'tool_use' : 'end_turn') }));
  frames.push(
    eventFrame('metadata', {
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
      metrics: { latencyMs: 12 },
    }),
  );
  return frames;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeBedrock(opts: {
  respond: (req: { modelId: string; body: any; stream: boolean }) => FakeReply;
}): Promise<FakeBedrock> {
  const requests: FakeRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec((req.url ?? '').split('?')[0]);
    if (req.method !== 'POST' || !match) {
      sendError(res, 404, 'UnknownOperationException', `No route for ${req.method} ${req.url}`);
      return;
    }
    const modelId = decodeURIComponent(match[1]);
    const stream = match[2] === 'converse-stream';
    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      sendError(res, 400, 'ValidationException', 'Request body is not JSON');
      return;
    }
    requests.push({ modelId, stream, headers: req.headers, body });
    const reply = opts.respond({ modelId, body, stream });
    switch (reply.kind) {
      case 'throttle':
        return sendError(res, 429, 'ThrottlingException', reply.message ?? 'Too many requests, please wait before trying again.');
      case 'error':
        return sendError(res, reply.status, reply.type, reply.message);
      case 'hang':
        hanging.add(res);
        return;
      case 'streamException':
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        res.write(eventFrame('messageStart', { role: 'assistant' }));
        res.end(exceptionFrame(reply.exceptionType, reply.message));
        return;
      default:
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(converseBody(reply)));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        for (const frame of streamFrames(reply)) res.write(frame);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
