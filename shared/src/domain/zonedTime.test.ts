import { describe, expect, it } from 'vitest';
import { startOfLocalDay, zoneOffsetMs, zonedParts } from './zonedTime.ts';

const OSLO = 'Europe/Oslo';

describe('zoned time (Europe/Oslo)', () => {
  it('knows winter and summer offsets', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15, 12), OSLO)).toBe(3600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15, 12), OSLO)).toBe(7200_000);
  });

  it('finds local midnight, also on the days the clocks change', () => {
    expect(startOfLocalDay(Date.UTC(2026, 10, 22, 21, 30), OSLO)).toBe(Date.UTC(2026, 10, 21, 23));
    // 29 March 2026: 02:00 → 03:00; midnight was still winter time.
    expect(startOfLocalDay(Date.UTC(2026, 2, 29, 10), OSLO)).toBe(Date.UTC(2026, 2, 28, 23));
    // 25 October 2026: 03:00 → 02:00; midnight was still summer time.
    expect(startOfLocalDay(Date.UTC(2026, 9, 25, 20), OSLO)).toBe(Date.UTC(2026, 9, 24, 22));
  });

  it('gives the local wall clock', () => {
    expect(zonedParts(Date.UTC(2026, 10, 22, 23, 5, 9), OSLO)).toEqual({
      year: 2026,
      month: 11,
      day: 23,
      hour: 0,
      minute: 5,
      second: 9,
    });
  });
});
