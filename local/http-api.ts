import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import sharp from 'sharp';
import { FIELD_NAMES } from '../functions/shared/contract';
import type { ReviewStatus } from '../functions/shared/tables';
import { runSummary, runDetail } from './runs';
import type { LocalStack } from './stack';

/** Requests that change state must carry this header: a cross-site form or <img> cannot set it. */
export const CSRF_HEADER = 'x-intake-csrf';
export const CSRF_VALUE = '1';
const MAX_UPLOAD_BYTES = 250 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'Error',
  ) {
    super(message);
  }
}

export type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], url: URL) => Promise<unknown>;
export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The upload is larger than ${Math.round(limit / 1048576)} MB.`, 'PayloadTooLarge');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, 1024 * 1024);
  if (!body.length) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'The request body must be a JSON object.', 'BadRequest');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/**
 * The local stack's HTTP API (JSON under /api) and the console's static files, on 127.0.0.1 only. Every
 * state-changing request must be same-origin and carry the CSRF header.
 */
export function createApiServer(stack: LocalStack, opts: { staticDir?: string; extraRoutes?: Route[] } = {}): Server {
  const listeners = new Set<ServerResponse>();
  stack.engine.onEvent((executionArn, event) => {
    const line = `event: execution\ndata: ${JSON.stringify({ executionArn, type: (event as { type: string }).type })}\n\n`;
    for (const res of listeners) res.write(line);
  });

  const routes: Route[] = [
    ...(opts.extraRoutes ?? []),
    { method: 'GET', pattern: /^\/api\/health$/, handler: async () => ({ ok: true, stateMachineArn: stack.stateMachineArn, pid: process.pid }) },
    { method: 'GET', pattern: /^\/api\/statemachine$/, handler: async () => ({ stateMachineArn: stack.stateMachineArn, definition: stack.definition }) },
    {
      method: 'GET',
      pattern: /^\/api\/runs$/,
      handler: async (_req, _res, _p, url) => {
        const runs = await runSummary(stack);
        const status = url.searchParams.get('status');
        const q = url.searchParams.get('q')?.toLowerCase();
        const filtered = runs.filter(
          (r) => (!status || r.status === status) && (!q || [r.fileName, r.productName, r.executionArn, r.intakeId].some((v) => v?.toLowerCase().includes(q))),
        );
        const counts: Record<string, number> = {};
        for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
        return { runs: filtered, counts, total: runs.length };
      },
    },
    { method: 'GET', pattern: /^\/api\/runs\/([^/]+)$/, handler: async (_q, _s, [arn]) => runDetail(stack, decodeURIComponent(arn)) },
    {
      method: 'GET',
      pattern: /^\/api\/runs\/([^/]+)\/outcome$/,
      handler: async (_q, _s, [arn], url) => {
        const wait = Number(url.searchParams.get('wait') ?? 0);
        const executionArn = decodeURIComponent(arn);
        const terminal = url.searchParams.get('terminal') === '1';
        return wait > 0 ? stack.waitForOutcome(executionArn, Math.min(wait, 60) * 1000, { terminal }).catch(() => stack.outcome(executionArn)) : stack.outcome(executionArn);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/runs\/([^/]+)\/stop$/,
      handler: async (req, _s, [arn]) => {
        const body = await readJson(req);
        return stack.engine.stopExecution({ executionArn: decodeURIComponent(arn), error: 'StoppedByOperator', cause: String(body.cause ?? 'Stopped from the local console') });
      },
    },
    { method: 'POST', pattern: /^\/api\/runs\/([^/]+)\/redrive$/, handler: async (_q, _s, [arn]) => stack.engine.redriveExecution({ executionArn: decodeURIComponent(arn) }) },
    {
      method: 'POST',
      pattern: /^\/api\/uploads$/,
      handler: async (req, res) => {
        const name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'upload'));
        const bytes = await readBody(req, MAX_UPLOAD_BYTES);
        const out = await stack.submitPhoto(name, bytes);
        res.statusCode = 202;
        return { ...out, fileName: name };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/reviews$/,
      handler: async (_q, _s, _p, url) => ({ reviews: await stack.listReviews((url.searchParams.get('status') as ReviewStatus) || undefined) }),
    },
    { method: 'GET', pattern: /^\/api\/reviews\/([\w-]+)$/, handler: async (_q, _s, [id]) => stack.getReview(id) },
    {
      method: 'POST',
      pattern: /^\/api\/reviews\/([\w-]+)\/approve$/,
      handler: async (req, _s, [id]) => {
        const body = await readJson(req);
        const corrections = (body.corrections ?? {}) as Record<string, unknown>;
        if (typeof corrections !== 'object' || Array.isArray(corrections)) throw new HttpError(400, 'corrections must be an object of field: value.');
        return stack.approveReview(id, corrections, String(body.reviewer ?? 'local-reviewer'));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/reviews\/([\w-]+)\/reject$/,
      handler: async (req, _s, [id]) => {
        const body = await readJson(req);
        return stack.rejectReview(id, String(body.reason ?? ''), String(body.reviewer ?? 'local-reviewer'));
      },
    },
    { method: 'GET', pattern: /^\/api\/records$/, handler: async () => ({ records: await stack.listRecords() }) },
    {
      method: 'GET',
      pattern: /^\/api\/records\.csv$/,
      handler: async (_q, res) => {
        const records = await stack.listRecords();
        const header = ['recordId', ...FIELD_NAMES, 'overallConfidence', 'reviewed', 'reviewer', 'savedAt', 'sourceKey'];
        const rows = records.map((r) => {
          const f = (r.fields ?? {}) as Record<string, unknown>;
          const q = f.quantity as { value: number; unit: string } | undefined;
          return [r.recordId, ...FIELD_NAMES.map((k) => (k === 'quantity' && q ? `${q.value} ${q.unit}` : f[k])), r.overallConfidence, r.reviewed, r.reviewer, r.savedAt, r.sourceKey]
            .map(csvCell)
            .join(',');
        });
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="reagents.csv"' });
        res.end([header.join(','), ...rows].join('\r\n') + '\r\n');
        return undefined;
      },
    },
    { method: 'GET', pattern: /^\/api\/catalog$/, handler: async () => ({ entries: await stack.listCatalog() }) },
    {
      method: 'GET',
      pattern: /^\/api\/images\/(.+)$/,
      handler: async (_q, res, [key], url) => {
        const objectKey = decodeURIComponent(key);
        if (!objectKey.startsWith('derived/') && !objectKey.startsWith('incoming/')) throw new HttpError(404, 'No such image.');
        const bytes = await stack.getObject(objectKey);
        if (!bytes) throw new HttpError(404, 'No such image.');
        const thumb = Number(url.searchParams.get('w') ?? 0);
        let body = bytes;
        if (thumb > 0) {
          body = await sharp(bytes, { failOn: 'none' })
            .rotate()
            .resize({ width: Math.min(thumb, 800), withoutEnlargement: true })
            .jpeg({ quality: 75 })
            .toBuffer()
            .catch(() => {
              throw new HttpError(415, 'This file is not a displayable image.');
            });
        }
        res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' });
        res.end(body);
        return undefined;
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/events$/,
      handler: async (req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        listeners.add(res);
        const ping = setInterval(() => res.write(': ping\n\n'), 15000);
        req.on('close', () => {
          clearInterval(ping);
          listeners.delete(res);
        });
        return undefined;
      },
    },
  ];

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      checkLoopbackHost(req);
      if (req.method !== 'GET' && req.method !== 'HEAD') checkSameOrigin(req);
      for (const route of routes) {
        if (route.method !== req.method) continue;
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        const result = await route.handler(req, res, m.slice(1), url);
        if (!res.headersSent && !res.writableEnded) send(res, res.statusCode && res.statusCode !== 200 ? res.statusCode : 200, result ?? {});
        return;
      }
      if (url.pathname.startsWith('/api/')) throw new HttpError(404, `No such endpoint: ${req.method} ${url.pathname}`, 'NotFound');
      if (req.method === 'GET' && opts.staticDir) return serveStatic(opts.staticDir, url.pathname, res);
      throw new HttpError(404, 'Not found', 'NotFound');
    } catch (err) {
      const e = err as Error & { status?: number };
      const status = err instanceof HttpError ? err.status : statusOf(e.name);
      if (!res.headersSent) send(res, status, { error: e.name === 'Error' && err instanceof HttpError ? err.code : e.name, message: e.message });
      else res.end();
    }
  });
  server.on('close', () => listeners.forEach((r) => r.end()));
  return server;
}

function statusOf(name: string): number {
  switch (name) {
    case 'ReviewNotFoundError':
    case 'ExecutionDoesNotExist':
      return 404;
    case 'ReviewConflictError':
    case 'ExecutionNotRedrivable':
    case 'TaskTimedOut':
    case 'TaskDoesNotExist':
      return 409;
    case 'ValidationException':
    case 'InvalidToken':
      return 400;
    default:
      return 500;
  }
}

/**
 * DNS rebinding: a web page on attacker.example can re-resolve its own name to 127.0.0.1 and then talk to this
 * server as "same origin" (Origin and Host both attacker.example), passing the CSRF checks. The Host header is
 * the one thing such a page cannot fake, so only loopback names are served.
 */
function checkLoopbackHost(req: IncomingMessage) {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new HttpError(403, `Refusing Host "${req.headers.host ?? ''}": the local console answers only on 127.0.0.1.`, 'Forbidden');
}

/** Cross-site requests are refused: the CSRF header is required, and an Origin, when sent, must be ours. */
function checkSameOrigin(req: IncomingMessage) {
  if (req.headers[CSRF_HEADER] !== CSRF_VALUE) throw new HttpError(403, `Missing ${CSRF_HEADER} header (cross-site requests are refused).`, 'Forbidden');
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    const host = req.headers.host;
    if (new URL(origin).host !== host) throw new HttpError(403, 'Cross-origin request refused.', 'Forbidden');
  }
}

function serveStatic(root: string, pathname: string, res: ServerResponse) {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = join(root, rel);
  if (!file.startsWith(root + sep) && file !== root) throw new HttpError(404, 'Not found', 'NotFound');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) throw new HttpError(404, 'The console is not built.', 'NotFound');
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
    'x-frame-options': 'DENY',
  });
  createReadStream(file).pipe(res);
}

export function listenLoopback(server: Server, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' && port !== 0) {
        server.removeListener('error', onError);
        listenLoopback(server, 0).then(ok, fail);
      } else fail(err);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', onError);
      ok((server.address() as AddressInfo).port);
    });
  });
}
