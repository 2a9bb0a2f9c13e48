import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the OpenAI chat-completions wire protocol, on both routes the real SDK uses:
 * `POST /v1/chat/completions` (OpenAI and compatible servers) and
 * `POST /openai/deployments/{deployment}/chat/completions?api-version=…` (Azure OpenAI).
 */
export type FakeChatReply =
  /** The assistant message content (a JSON string in JSON mode). */
  | { kind: 'content'; content: string }
  /** An API error with this HTTP status and message, in OpenAI's error body shape. */
  | { kind: 'error'; status: number; message: string }
  /** Accept the request and never answer (client timeouts). */
  | { kind: 'hang' };

export interface FakeChatRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeOpenAi {
  url: string;
  requests: FakeChatRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAi(opts: { respond: (req: FakeChatRequest) => FakeChatReply }): Promise<FakeOpenAi> {
  const requests: FakeChatRequest[] = [];
  const hanging = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.method !== 'POST' || !/\/chat\/completions(\?|$)/.test(path)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
        return;
      }
      const request: FakeChatRequest = { path, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
      requests.push(request);
      const reply = opts.respond(request);
      if (reply.kind === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      if (reply.kind === 'error') {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.message, type: 'invalid_request_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: request.body.model ?? 'fake',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.content } }],
          usage: { prompt_tokens: 1200, completion_tokens: 120, total_tokens: 1320 },
        }),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const end of hanging) end();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
