import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStore, StoreLockedError } from '../src';

const child = path.join(__dirname, 'fixtures', 'crash-child.ts');

function launch(dir: string, mode: string): { proc: ChildProcess; out: Promise<string>; line: (s: string) => Promise<void> } {
  const proc = spawn(process.execPath, ['-r', 'tsx/cjs', child, dir, mode], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<[string, () => void]> = [];
  proc.stdout!.on('data', (d) => {
    out += d;
    for (const [s, r] of waiters) if (out.includes(s)) r();
  });
  proc.stderr!.on('data', (d) => (err += d));
  const done = new Promise<string>((resolve, reject) =>
    proc.on('exit', (code, signal) => (code === 0 || signal === 'SIGKILL' ? resolve(out) : reject(new Error(`child failed (${code}): ${err}`)))),
  );
  return { proc, out: done, line: (s) => new Promise((r) => (out.includes(s) ? r() : waiters.push([s, r]))) };
}

describe('crash safety (durable file store)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-crash-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SIGKILL mid-run, restart on the same store: every execution reaches its end', async () => {
    const first = launch(dir, 'start');
    await first.line('READY');
    // another process cannot take the store while the owner lives
    await expect(new FileStore(path.join(dir, 'engine')).open()).rejects.toBeInstanceOf(StoreLockedError);
    first.proc.kill('SIGKILL');
    await first.out;

    const second = launch(dir, 'resume');
    const out = await second.out;
    const { resumed, results } = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(resumed).toBeGreaterThanOrEqual(12); // slow + review ones certainly; the Wait ones unless they already ended
    expect(results).toHaveLength(18);
    for (const r of results) {
      expect(r.status).toBe('SUCCEEDED');
      const id = r.name;
      if (id.startsWith('review')) expect(r.output).toEqual({ id, review: { approvedBy: 'tester', id }, worked: id });
      else expect(r.output).toEqual({ id, worked: id });
    }
    // review tasks were answered with the tokens issued before the crash, so their handler ran once only
    const calls = fs.readFileSync(path.join(dir, 'slow-calls.log'), 'utf8').trim().split('\n');
    const slowRuns = calls.filter((c) => c.includes('slow-'));
    expect(slowRuns.filter((c) => c.startsWith('start'))).toHaveLength(6);
    expect(slowRuns.filter((c) => c.startsWith('resume'))).toHaveLength(6); // at-least-once: re-run after the crash
  }, 60_000);

  it('SIGKILL at a random moment under load: every acknowledged start survives and completes', async () => {
    const storm = launch(dir, 'storm');
    await storm.line('STARTED storm-20');
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    storm.proc.kill('SIGKILL');
    const acknowledged = (await storm.out).split('\n').filter((l) => l.startsWith('STARTED ')).map((l) => l.slice(8));
    expect(acknowledged.length).toBeGreaterThan(20);

    const { results } = JSON.parse((await launch(dir, 'resume').out).trim().split('\n').at(-1)!);
    const byName = new Map<string, { status: string; output: unknown }>(results.map((r: { name: string }) => [r.name, r]));
    for (const id of acknowledged) {
      expect(byName.get(id)).toEqual(expect.objectContaining({ status: 'SUCCEEDED', output: { id, worked: id } }));
    }
    expect([...byName.values()].every((r) => r.status === 'SUCCEEDED')).toBe(true);
  }, 60_000);
});
