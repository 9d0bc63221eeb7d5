export interface LatencySummary {
  count: number;
  errors: number;
  /** Failed requests by HTTP status (0 = no response: the connection failed). */
  errorStatuses: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Latency samples of one operation, summarised as percentiles (nearest rank). */
export class LatencyRecorder {
  readonly #samples: number[] = [];
  readonly #errorStatuses = new Map<number, number>();
  errors = 0;

  record(ms: number): void {
    this.#samples.push(ms);
  }

  /** A request that failed: its HTTP status, or 0 when there was no response. */
  fail(status: number): void {
    this.errors += 1;
    this.#errorStatuses.set(status, (this.#errorStatuses.get(status) ?? 0) + 1);
  }

  get count(): number {
    return this.#samples.length;
  }

  summary(): LatencySummary {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    return {
      count: sorted.length,
      errors: this.errors,
      errorStatuses: Object.fromEntries([...this.#errorStatuses].map(([status, n]) => [String(status), n])),
      p50: round(at(0.5)),
      p95: round(at(0.95)),
      p99: round(at(0.99)),
      p999: round(at(0.999)),
      max: round(sorted[sorted.length - 1] ?? NaN),
    };
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
