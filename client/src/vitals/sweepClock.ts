/**
 * The sweep's playout clock. Samples arrive in 100 ms chunks; drawing each
 * chunk as it lands would move the sweep in 10 Hz jerks. Instead the sweep
 * runs on the wall clock a little behind the newest sample (like a monitor's
 * display delay) and every animation frame draws just the device-time slice
 * since the last frame.
 *
 * - When data is late the sweep waits at the newest sample, and resumes
 *   smoothly.
 * - When it falls far behind (a gap fill delivered seconds at once, or the
 *   tab was in the background and frames stopped) it jumps forward to the
 *   usual delay, drawing at most one page.
 * - When device time goes backwards (another source started), it restarts.
 */
export const SWEEP_DELAY_MS = 250;
const MAX_LAG_MS = 1000;
const RESTART_BACKWARDS_MS = 2000;

export interface SweepSlice {
  /** Device times (from, to] to draw this frame. */
  readonly from: number;
  readonly to: number;
  /** Start over: clear the page (first frame, or a restart). */
  readonly reset: boolean;
}

export class SweepClock {
  #play: number | null = null;
  #lastWall = 0;
  /** Device time at the page's left edge (x = 0) on the sweep's first pass. */
  origin = 0;

  /** The slice for the frame at `wallNow` (ms), given the newest device time all drawn traces have. */
  advance(wallNow: number, newest: number, pageMs: number): SweepSlice {
    if (this.#play === null || newest < this.#play - RESTART_BACKWARDS_MS) {
      this.#play = newest - SWEEP_DELAY_MS;
      this.origin = this.#play;
      this.#lastWall = wallNow;
      return { from: this.#play, to: this.#play, reset: true };
    }
    let next = this.#play + Math.max(0, wallNow - this.#lastWall);
    this.#lastWall = wallNow;
    if (next > newest) next = newest;
    if (newest - next > SWEEP_DELAY_MS + MAX_LAG_MS) next = newest - SWEEP_DELAY_MS;
    const from = Math.max(this.#play, next - pageMs);
    this.#play = Math.max(this.#play, next);
    return { from, to: this.#play, reset: false };
  }

  /** Forget everything: the next frame starts a new page. */
  restart(): void {
    this.#play = null;
  }
}

/** The sweep's x (mm) for a device time: 25 mm/s from the origin, wrapping at the page width. */
export function sweepX(time: number, origin: number, mmPerS: number, widthMm: number): number {
  const x = (((time - origin) / 1000) * mmPerS) % widthMm;
  return x < 0 ? x + widthMm : x;
}
