import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreLockedError } from './errors';
import type { EngineStore, ExecutionRecord, StateMachineRecord, StoreContents, StoreRecord, StoredEvent } from './types';

/**
 * Keeps records in memory. A new Engine opened on the same MemoryStore instance sees what the previous one
 * left, which lets tests simulate a restart without a child process.
 */
export class MemoryStore implements EngineStore {
  readonly durable = false;
  private sms = new Map<string, StateMachineRecord>();
  private execs = new Map<string, ExecutionRecord>();
  private events = new Map<string, StoredEvent[]>();
  private snapshotOnAppend: boolean;

  /** @param opts.isolate copy each record on append, so a later "restart" sees exactly what was appended */
  constructor(opts: { isolate?: boolean } = {}) {
    this.snapshotOnAppend = opts.isolate ?? false;
  }
  async open(): Promise<StoreContents> {
    const clone = <T>(v: T): T => structuredClone(v);
    return {
      stateMachines: [...this.sms.values()].map(clone),
      executions: [...this.execs.values()].map(clone),
      events: new Map([...this.events].map(([k, v]) => [k, v.map(clone)])),
    };
  }
  append(rec: StoreRecord): void {
    const r = this.snapshotOnAppend ? structuredClone(rec) : rec;
    if (r.t === 'sm') this.sms.set(r.sm.stateMachineArn, r.sm);
    else if (r.t === 'ex') this.execs.set(r.ex.executionArn, r.ex);
    else {
      let list = this.events.get(r.arn);
      if (!list) this.events.set(r.arn, (list = []));
      list.push(r.ev);
    }
  }
  whenDurable(cb: () => void): void {
    cb();
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  async close(): Promise<void> {}
}

const openLocks = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Durable store in a directory: an append-only JSON-lines log, written with group commit (one write + fdatasync
 * per batch of records queued in the same turn of the event loop). On open the log is replayed and, when it holds
 * many superseded execution records, rewritten compactly so startup stays fast. A LOCK file with the owner's PID
 * keeps a second process out; a lock left by a dead PID is taken over.
 */
export class FileStore implements EngineStore {
  readonly durable = true;
  private readonly logPath: string;
  private readonly lockPath: string;
  private fd = -1;
  private buf: string[] = [];
  private waiters: Array<() => void> = [];
  private flushing = false;
  private scheduled = false;
  private closed = false;
  private failure: Error | undefined;

  constructor(readonly dir: string) {
    this.logPath = path.join(dir, 'log.jsonl');
    this.lockPath = path.join(dir, 'LOCK');
  }

  private lock(): void {
    const abs = path.resolve(this.dir);
    if (openLocks.has(abs)) throw new StoreLockedError(`Engine store ${abs} is already open in this process`);
    for (let i = 0; i < 3; i++) {
      try {
        fs.writeFileSync(this.lockPath, String(process.pid), { flag: 'wx' });
        openLocks.add(abs);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(fs.readFileSync(this.lockPath, 'utf8').trim());
        if (pid && pid !== process.pid && pidAlive(pid)) {
          throw new StoreLockedError(
            `Engine store ${abs} is locked by running process ${pid}; stop it or use another directory`,
          );
        }
        fs.rmSync(this.lockPath, { force: true });
      }
    }
    throw new StoreLockedError(`Could not take the lock ${this.lockPath}`);
  }

  async open(): Promise<StoreContents> {
    fs.mkdirSync(this.dir, { recursive: true });
    this.lock();
    const sms = new Map<string, StateMachineRecord>();
    const execs = new Map<string, ExecutionRecord>();
    const events = new Map<string, StoredEvent[]>();
    let lines = 0;
    let goodBytes = 0;
    let size = 0;
    if (fs.existsSync(this.logPath)) {
      const data = fs.readFileSync(this.logPath);
      size = data.length;
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        const line = data.toString('utf8', start, nl);
        start = nl + 1;
        let rec: StoreRecord;
        try {
          rec = JSON.parse(line);
        } catch {
          break; // a torn write from a crash: everything after it was never acknowledged
        }
        goodBytes = start;
        lines++;
        if (rec.t === 'sm') sms.set(rec.sm.stateMachineArn, rec.sm);
        else if (rec.t === 'ex') execs.set(rec.ex.executionArn, rec.ex);
        else if (rec.t === 'ev') {
          let list = events.get(rec.arn);
          if (!list) events.set(rec.arn, (list = []));
          list.push(rec.ev);
        }
      }
    }
    let eventCount = 0;
    for (const l of events.values()) eventCount += l.length;
    const live = sms.size + execs.size + eventCount;
    if (lines - live > Math.max(500, live * 0.25)) {
      this.rewrite(sms, execs, events);
    } else if (goodBytes < size) {
      fs.truncateSync(this.logPath, goodBytes);
    }
    this.fd = fs.openSync(this.logPath, 'a');
    return { stateMachines: [...sms.values()], executions: [...execs.values()], events };
  }

  /** Writes only the live records to a new file and atomically replaces the log. */
  private rewrite(
    sms: Map<string, StateMachineRecord>,
    execs: Map<string, ExecutionRecord>,
    events: Map<string, StoredEvent[]>,
  ): void {
    const tmp = this.logPath + '.tmp';
    const fd = fs.openSync(tmp, 'w');
    const out: string[] = [];
    const put = (r: StoreRecord) => {
      out.push(JSON.stringify(r));
      if (out.length >= 2000) {
        fs.writeSync(fd, out.join('\n') + '\n');
        out.length = 0;
      }
    };
    for (const sm of sms.values()) put({ t: 'sm', sm });
    for (const [arn, list] of events) for (const ev of list) put({ t: 'ev', arn, ev });
    for (const ex of execs.values()) put({ t: 'ex', ex });
    if (out.length) fs.writeSync(fd, out.join('\n') + '\n');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.logPath);
  }

  append(rec: StoreRecord): void {
    if (this.closed) throw new Error('Engine store is closed');
    this.buf.push(JSON.stringify(rec));
    this.schedule();
  }

  whenDurable(cb: () => void): void {
    if (this.buf.length === 0 && !this.flushing) {
      cb();
      return;
    }
    this.waiters.push(cb);
    this.schedule();
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.whenDurable(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.flushing || this.fd < 0) return;
    if (this.buf.length === 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const cb of w) cb();
      return;
    }
    this.flushing = true;
    const data = this.buf.join('\n') + '\n';
    this.buf = [];
    const waiters = this.waiters;
    this.waiters = [];
    const done = (err: Error | null) => {
      if (err) this.failure = err;
      this.flushing = false;
      for (const cb of waiters) cb();
      if (this.buf.length || this.waiters.length) this.schedule();
    };
    fs.write(this.fd, data, (err) => {
      if (err) return done(err);
      fs.fdatasync(this.fd, done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync().catch(() => undefined);
    while (this.flushing || this.buf.length) await this.sync().catch(() => undefined);
    this.closed = true;
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    openLocks.delete(path.resolve(this.dir));
    fs.rmSync(this.lockPath, { force: true });
  }
}
