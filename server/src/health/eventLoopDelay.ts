import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface EventLoopDelayFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const TICK_MS = 10;

/**
 * How late the server's event loop ran, for the health endpoint. Every
 * consult's signaling, the live queue and the vitals relay share this one
 * loop, so a long stall (a synchronous database commit, a big JSON, a GC
 * pause) shows here before anyone complains. Each reading covers the time
 * since the previous one.
 *
 * A 10 ms ticker records how late each tick came (Node 24's
 * monitorEventLoopDelay did not register a 250 ms synchronous block in our
 * test, so it is not used).
 */
export class EventLoopDelay {
  readonly #histogram: RecordableHistogram = createHistogram();
  readonly #timer: NodeJS.Timeout;
  #last = performance.now();

  constructor() {
    this.#timer = setInterval(() => {
      const now = performance.now();
      const lateUs = Math.max(1, Math.round((now - this.#last - TICK_MS) * 1000));
      this.#histogram.record(lateUs);
      this.#last = now;
    }, TICK_MS);
    this.#timer.unref();
  }

  take(): EventLoopDelayFigures {
    const ms = (us: number): number => Math.round(us / 10) / 100;
    const h = this.#histogram;
    const figures =
      h.count === 0
        ? { p50Ms: 0, p99Ms: 0, maxMs: 0 }
        : { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    h.reset();
    return figures;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
