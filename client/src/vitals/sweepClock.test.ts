import { describe, expect, it } from 'vitest';
import { SWEEP_DELAY_MS, SweepClock, sweepX } from './sweepClock.ts';

describe('the sweep’s playout clock', () => {
  it('starts a page behind the newest sample and then follows the wall clock frame by frame', () => {
    const clock = new SweepClock();
    expect(clock.advance(0, 10_000, 10_000)).toEqual({
      from: 10_000 - SWEEP_DELAY_MS,
      to: 10_000 - SWEEP_DELAY_MS,
      reset: true,
    });
    // 60 fps while chunks keep arriving: each frame draws 16.7 ms of signal, never more.
    let newest = 10_000;
    let drawnTo = 10_000 - SWEEP_DELAY_MS;
    for (let frame = 1; frame <= 120; frame++) {
      const wall = frame * (1000 / 60);
      if (frame % 6 === 0) newest += 100; // a 100 ms chunk lands every 6th frame
      const slice = clock.advance(wall, newest, 10_000);
      expect(slice.reset).toBe(false);
      expect(slice.from).toBeCloseTo(drawnTo, 6);
      expect(slice.to - slice.from).toBeCloseTo(1000 / 60, 6);
      expect(slice.to).toBeLessThanOrEqual(newest);
      drawnTo = slice.to;
    }
  });

  it('waits at the newest sample when data is late, then goes on without a jump', () => {
    const clock = new SweepClock();
    clock.advance(0, 1000, 10_000);
    expect(clock.advance(400, 1000, 10_000).to).toBe(1000);
    expect(clock.advance(500, 1000, 10_000)).toEqual({ from: 1000, to: 1000, reset: false });
    expect(clock.advance(516, 1100, 10_000)).toEqual({ from: 1000, to: 1016, reset: false });
  });

  it('jumps to the usual delay after falling far behind, drawing at most one page', () => {
    const clock = new SweepClock();
    clock.advance(0, 1000, 4000);
    // The tab was hidden for a minute: no frames, data kept arriving.
    const slice = clock.advance(16, 61_000, 4000);
    expect(slice.to).toBe(61_000 - SWEEP_DELAY_MS);
    expect(slice.from).toBe(61_000 - SWEEP_DELAY_MS - 4000);
  });

  it('restarts when device time goes backwards (another source)', () => {
    const clock = new SweepClock();
    clock.advance(0, 100_000, 10_000);
    clock.advance(16, 100_100, 10_000);
    const slice = clock.advance(32, 5000, 10_000);
    expect(slice.reset).toBe(true);
    expect(clock.origin).toBe(5000 - SWEEP_DELAY_MS);
  });

  it('maps device time to x at 25 mm/s, wrapping at the page width', () => {
    expect(sweepX(1000, 0, 25, 120)).toBe(25);
    expect(sweepX(5000, 0, 25, 120)).toBe(5);
    expect(sweepX(-1000, 0, 25, 120)).toBe(95);
  });
});
