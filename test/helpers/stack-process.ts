import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'intake.js');

export interface StackProcess {
  proc: ChildProcess;
  /** The console/API base URL the child printed. */
  url: string;
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), then SIGKILL if it lingers. */
  stop(): Promise<void>;
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((ok) => (proc.exitCode !== null || proc.signalCode !== null ? ok() : proc.once('exit', () => ok())));

/** `intake start --data-dir <dir> --port 0 --no-samples` as a child process, resolved when it prints its URL. */
export async function startStackProcess(opts: { dataDir: string; env?: Record<string, string>; timeoutMs?: number }): Promise<StackProcess> {
  const proc = spawn(process.execPath, [CLI, 'start', '--data-dir', opts.dataDir, '--port', '0', '--no-samples'], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((ok, fail) => {
    // A stack that never comes up is killed, so a failing test cannot leave it running (and jest waiting on it).
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`the stack did not start: ${out}`));
    }, opts.timeoutMs ?? 60_000);
    const check = () => {
      const m = /console\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the stack exited (${code}) before it was up: ${out}`));
    });
  });
  return {
    proc,
    url,
    output: () => out,
    kill: async () => {
      proc.kill('SIGKILL');
      await exited(proc);
    },
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited(proc);
      clearTimeout(t);
    },
  };
}

/** Run one `intake …` CLI command to completion. */
export function runCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d) => (stdout += d));
    proc.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`intake ${args.join(' ')} did not finish: ${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    proc.once('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

/** Start a CLI command without waiting (to kill the stack under it). */
export function spawnCli(args: string[], env?: Record<string, string>): { proc: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  return { proc, done: new Promise((ok) => proc.once('close', (code) => ok({ code, stdout, stderr }))) };
}
