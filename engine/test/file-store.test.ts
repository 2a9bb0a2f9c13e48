import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStore, StepFunctionsEngine, StoreLockedError } from '../src';

const passDef = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } };

describe('FileStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps executions and history across a restart, compacts the log and reopens fast', async () => {
    const e1 = new StepFunctionsEngine({ store: new FileStore(dir) });
    const { stateMachineArn } = await e1.registerStateMachine({ name: 'sm', definition: passDef });
    const arns: string[] = [];
    for (let i = 0; i < 300; i++) arns.push((await e1.startExecution({ stateMachineArn, name: `n${i}`, input: `{"i":${i}}` })).executionArn);
    for (const a of arns) await e1.waitForExecution(a, { timeoutMs: 5000 });
    await e1.close();
    const before = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split('\n').length;

    const t0 = performance.now();
    const e2 = new StepFunctionsEngine({ store: new FileStore(dir) });
    const list = await e2.listExecutions({ stateMachineArn, maxResults: 1000 });
    const openMs = performance.now() - t0;
    expect(list.executions).toHaveLength(300);
    expect(list.executions.every((x) => x.status === 'SUCCEEDED')).toBe(true);
    const d = await e2.describeExecution({ executionArn: arns[7] });
    expect(d.output).toBe('{"i":7}');
    expect((await e2.getExecutionHistory({ executionArn: arns[7] })).events.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded',
    ]);
    await e2.close();
    const after = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split('\n').length;
    expect(after).toBeLessThan(before); // superseded execution records were dropped
    expect(openMs).toBeLessThan(2000);
  });

  it('ignores a torn last line left by a crash mid-write', async () => {
    const e1 = new StepFunctionsEngine({ store: new FileStore(dir) });
    const { stateMachineArn } = await e1.registerStateMachine({ name: 'sm', definition: passDef });
    const { executionArn } = await e1.startExecution({ stateMachineArn, name: 'a' });
    await e1.waitForExecution(executionArn, { timeoutMs: 2000 });
    await e1.close();
    fs.appendFileSync(path.join(dir, 'log.jsonl'), '{"t":"ev","arn":"x","ev":{"id":');
    const e2 = new StepFunctionsEngine({ store: new FileStore(dir) });
    expect((await e2.describeExecution({ executionArn })).status).toBe('SUCCEEDED');
    const b = await e2.startExecution({ stateMachineArn, name: 'b' });
    await e2.waitForExecution(b.executionArn, { timeoutMs: 2000 });
    await e2.close();
    const e3 = new StepFunctionsEngine({ store: new FileStore(dir) });
    expect((await e3.describeExecution({ executionArn: b.executionArn })).status).toBe('SUCCEEDED');
    await e3.close();
  });

  it('refuses a directory locked by a live process and takes over a dead one', async () => {
    fs.writeFileSync(path.join(dir, 'LOCK'), String(process.ppid));
    await expect(new FileStore(dir).open()).rejects.toThrow(StoreLockedError);
    await expect(new FileStore(dir).open()).rejects.toThrow(new RegExp(`locked by running process ${process.ppid}`));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(path.join(dir, 'LOCK'), dead);
    const s = new FileStore(dir);
    await s.open();
    expect(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    await expect(new FileStore(dir).open()).rejects.toThrow(StoreLockedError); // same process, second open
    await s.close();
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false);
  });
});
