/** Latency samples of one operation, summarised as percentiles (nearest rank). */
export class LatencyRecorder {
  readonly #samples: number[] = [];
  errors = 0;

  record(ms: number): void {
    this.#samples.push(ms);
  }

  get count(): number {
    return this.#samples.length;
  }

  summary(): { count: number; errors: number; p50: number; p95: number; p99: number; max: number } {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    return {
      count: sorted.length,
      errors: this.errors,
      p50: round(at(0.5)),
      p95: round(at(0.95)),
      p99: round(at(0.99)),
      max: round(sorted[sorted.length - 1] ?? NaN),
    };
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
