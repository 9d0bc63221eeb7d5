import type { Clock, TimerHandle } from '../clock.ts';

interface Timer {
  readonly handle: TimerHandle;
  readonly at: number;
  readonly callback: () => void;
}

/** A clock that moves only when told to, firing due timers in order. */
export class FakeClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #nextId = 1;

  constructor(start = Date.UTC(2026, 10, 22, 21, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const handle = { id: this.#nextId++ };
    this.#timers.push({ handle, at: this.#now + Math.max(0, delayMs), callback });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.handle !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward, running each timer that falls due (and any it schedules) at its own time. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.callback();
      // Let promise chains started by the callback settle before the next timer.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#now = end;
  }
}
