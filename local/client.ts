import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PublicReview } from '../functions/complete-review/core';
import type { ReviewStatus } from '../functions/shared/tables';
import { CSRF_HEADER, CSRF_VALUE } from './http-api';
import { runDetail, runSummary, type RunSummary } from './runs';
import { LocalStack, PROJECT_ROOT, type Outcome, type StackOptions } from './stack';

/**
 * What the CLI needs from the local stack. Two implementations: the stack in this process, or the HTTP API
 * of an `intake start` already running on the same data folder (only one process may own it).
 */
export interface IntakeClient {
  readonly mode: 'in-process' | 'remote';
  readonly where: string;
  submit(fileName: string, bytes: Buffer): Promise<{ executionArn: string; intakeId: string; key: string }>;
  waitForOutcome(executionArn: string, timeoutMs?: number, opts?: { terminal?: boolean }): Promise<Outcome>;
  listRuns(status?: string): Promise<RunSummary[]>;
  runDetail(executionArn: string): Promise<Awaited<ReturnType<typeof runDetail>>>;
  listReviews(status?: ReviewStatus): Promise<PublicReview[]>;
  getReview(reviewId: string): Promise<PublicReview>;
  approveReview(reviewId: string, corrections: Record<string, unknown>, reviewer: string): Promise<PublicReview>;
  rejectReview(reviewId: string, reason: string, reviewer: string): Promise<PublicReview>;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = process.env.INTAKE_DATA_DIR ? resolve(process.env.INTAKE_DATA_DIR) : join(PROJECT_ROOT, '.intake-data');

/** Written by `intake start` so other commands can find its API. */
export const stackInfoPath = (dataDir: string) => join(dataDir, 'stack.json');

export function writeStackInfo(dataDir: string, info: { pid: number; url: string }) {
  writeFileSync(stackInfoPath(dataDir), JSON.stringify({ ...info, startedAt: new Date().toISOString() }, null, 2));
}
export function clearStackInfo(dataDir: string) {
  rmSync(stackInfoPath(dataDir), { force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running stack's API, if `intake start` owns this data folder. */
export function runningStack(dataDir: string): { pid: number; url: string } | undefined {
  const path = stackInfoPath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; url: string };
    return info.pid !== process.pid && pidAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export async function connect(options: Omit<StackOptions, 'dataDir'> & { dataDir?: string }): Promise<IntakeClient> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const running = runningStack(dataDir);
  if (running) return new HttpClient(running.url);
  const stack = await LocalStack.start({ ...options, dataDir });
  return new InProcessClient(stack, dataDir);
}

export class InProcessClient implements IntakeClient {
  readonly mode = 'in-process' as const;
  constructor(
    readonly stack: LocalStack,
    readonly where: string,
  ) {}
  submit(fileName: string, bytes: Buffer) {
    return this.stack.submitPhoto(fileName, bytes);
  }
  waitForOutcome(executionArn: string, timeoutMs?: number, opts?: { terminal?: boolean }) {
    return this.stack.waitForOutcome(executionArn, timeoutMs, opts);
  }
  async listRuns(status?: string) {
    const runs = await runSummary(this.stack);
    return status ? runs.filter((r) => r.status === status) : runs;
  }
  runDetail(executionArn: string) {
    return runDetail(this.stack, executionArn);
  }
  listReviews(status?: ReviewStatus) {
    return this.stack.listReviews(status);
  }
  getReview(reviewId: string) {
    return this.stack.getReview(reviewId);
  }
  approveReview(reviewId: string, corrections: Record<string, unknown>, reviewer: string) {
    return this.stack.approveReview(reviewId, corrections, reviewer);
  }
  rejectReview(reviewId: string, reason: string, reviewer: string) {
    return this.stack.rejectReview(reviewId, reason, reviewer);
  }
  close() {
    return this.stack.close();
  }
}

/** An error the API answered with: carries the server's error name, so callers can tell conflicts apart. */
export class ApiError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class HttpClient implements IntakeClient {
  readonly mode = 'remote' as const;
  constructor(readonly where: string) {}

  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(new URL(path, this.where), {
      method,
      headers: { [CSRF_HEADER]: CSRF_VALUE, ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : {};
    if (!res.ok) throw new ApiError(data.error ?? 'Error', data.message ?? `HTTP ${res.status}`, res.status);
    return data as T;
  }
  submit(fileName: string, bytes: Buffer) {
    return this.call<{ executionArn: string; intakeId: string; key: string }>('POST', '/api/uploads', bytes, {
      'x-file-name': encodeURIComponent(fileName),
      'content-type': 'application/octet-stream',
    });
  }
  async waitForOutcome(executionArn: string, timeoutMs = 10 * 60_000, opts: { terminal?: boolean } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = await this.call<Outcome>('GET', `/api/runs/${encodeURIComponent(executionArn)}/outcome?wait=30${opts.terminal ? '&terminal=1' : ''}`);
      if (o.status !== 'RUNNING' && (!opts.terminal || o.executionStatus !== 'RUNNING')) return o;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${executionArn}`);
    }
  }
  async listRuns(status?: string) {
    return (await this.call<{ runs: RunSummary[] }>('GET', `/api/runs${status ? `?status=${encodeURIComponent(status)}` : ''}`)).runs;
  }
  runDetail(executionArn: string) {
    return this.call<Awaited<ReturnType<typeof runDetail>>>('GET', `/api/runs/${encodeURIComponent(executionArn)}`);
  }
  async listReviews(status?: ReviewStatus) {
    return (await this.call<{ reviews: PublicReview[] }>('GET', `/api/reviews${status ? `?status=${status}` : ''}`)).reviews;
  }
  getReview(reviewId: string) {
    return this.call<PublicReview>('GET', `/api/reviews/${encodeURIComponent(reviewId)}`);
  }
  approveReview(reviewId: string, corrections: Record<string, unknown>, reviewer: string) {
    return this.call<PublicReview>('POST', `/api/reviews/${encodeURIComponent(reviewId)}/approve`, { corrections, reviewer });
  }
  rejectReview(reviewId: string, reason: string, reviewer: string) {
    return this.call<PublicReview>('POST', `/api/reviews/${encodeURIComponent(reviewId)}/reject`, { reason, reviewer });
  }
  async close() {
    // nothing held open
  }
}
