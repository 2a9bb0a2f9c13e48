/** Time source and timers. Tests use ManualClock to drive Wait, retry backoff and timeouts deterministically. */
export interface Clock {
  now(): number;
  /** Calls `fn` at (or after) epoch-ms `at`; returns a cancel function. */
  setTimer(at: number, fn: () => void): () => void;
}

// setTimeout overflows past ~24.8 days; a human-review step may wait longer, so long timers are chained.
const MAX_DELAY = 2 ** 31 - 1;

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(at: number, fn: () => void): () => void {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = at - Date.now();
      if (delay > MAX_DELAY) handle = setTimeout(arm, MAX_DELAY);
      else handle = setTimeout(fn, Math.max(0, delay));
      handle.unref?.();
    };
    arm();
    return () => clearTimeout(handle);
  }
}

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when told to. `advance` fires due timers in deadline order. */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(start: number | Date = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.current;
  }
  setTimer(at: number, fn: () => void): () => void {
    const timer = { at, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  /** Number of armed timers (lets a test wait until the engine is parked on a timer). */
  get pending(): number {
    return this.timers.length;
  }
  /** Earliest armed deadline, or undefined. */
  nextTimerAt(): number | undefined {
    return this.timers.reduce<number | undefined>((m, t) => (m === undefined || t.at < m ? t.at : m), undefined);
  }
  /** Moves time forward by `ms`, firing each due timer at its own deadline and letting async work settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise chains (and the file store's group commit) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
