import { describe, expect, it } from 'vitest';
import { EXPECTED_WAIT_CAP_MS, EXPECTED_WAIT_FLOOR_MS, expectedWaitMs, queuePosition } from './expectedWait.ts';
import type { QueueOrderEntry } from './queueOrder.ts';

const S = 1000;
const MIN = 60 * S;

describe('expectedWaitMs', () => {
  const recent = [40 * S, 90 * S, 60 * S, 600 * S, 50 * S]; // median 60 s; the 10-minute outlier does not count

  it('scales the median by the rounds needed to reach the position', () => {
    expect(expectedWaitMs(1, recent, 1)).toBe(60 * S);
    expect(expectedWaitMs(3, recent, 1)).toBe(180 * S);
    // Two doctors: positions 1–2 are the first round, 3–4 the second, 5 the third.
    expect(expectedWaitMs(2, recent, 2)).toBe(60 * S);
    expect(expectedWaitMs(3, recent, 2)).toBe(120 * S);
    expect(expectedWaitMs(5, recent, 2)).toBe(180 * S);
  });

  it('uses the mean of the middle two for an even number of samples', () => {
    expect(expectedWaitMs(1, [30 * S, 50 * S, 70 * S, 1000 * S], 1)).toBe(60 * S);
  });

  it('returns whole milliseconds', () => {
    expect(expectedWaitMs(1, [1, 2, 3, 4], 1)).toBe(EXPECTED_WAIT_FLOOR_MS);
    expect(expectedWaitMs(3, [40_000, 40_001, 40_002, 40_002], 1)).toBe(120_005); // 40 001.5 × 3 = 120 004.5
  });

  it('never promises less than the floor or more than the cap', () => {
    expect(expectedWaitMs(1, [5 * S, 6 * S, 7 * S], 3)).toBe(EXPECTED_WAIT_FLOOR_MS);
    expect(expectedWaitMs(40, [2 * MIN, 3 * MIN, 4 * MIN], 1)).toBe(EXPECTED_WAIT_CAP_MS);
  });

  it('returns null rather than inventing a number', () => {
    expect(expectedWaitMs(1, [], 2)).toBeNull();
    expect(expectedWaitMs(1, [60 * S, 60 * S], 2)).toBeNull(); // too few answers to go on
    expect(expectedWaitMs(1, [60 * S, 60 * S, 60 * S], 0)).toBeNull(); // nobody online to answer
  });

  it('ignores negative and non-finite answer times', () => {
    expect(expectedWaitMs(1, [60 * S, 60 * S, -5, Number.NaN, Number.POSITIVE_INFINITY], 1)).toBeNull();
    expect(expectedWaitMs(1, [60 * S, 60 * S, 60 * S, -5 * MIN], 1)).toBe(60 * S);
  });

  it('throws on a position below 1 or an impossible doctor count', () => {
    expect(() => expectedWaitMs(0, [60 * S], 1)).toThrow(RangeError);
    expect(() => expectedWaitMs(1.5, [60 * S], 1)).toThrow(RangeError);
    expect(() => expectedWaitMs(1, [60 * S], -1)).toThrow(RangeError);
    expect(() => expectedWaitMs(1, [60 * S], 0.5)).toThrow(RangeError);
  });

  it('grows with the position for a fixed staff', () => {
    const waits = [1, 2, 3, 4, 5, 6].map((p) => expectedWaitMs(p, recent, 2)!);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
  });
});

describe('queuePosition', () => {
  const now = Date.UTC(2026, 0, 15, 12);
  const queue: QueueOrderEntry[] = [
    { id: 'green-old', triage: 'green', origin: 'satellite', requestedAt: now - 5 * MIN },
    { id: 'yellow', triage: 'yellow', origin: 'satellite', requestedAt: now - 1 * MIN },
    { id: 'red', triage: 'red', origin: 'ambulance', requestedAt: now },
  ];

  it('gives the 1-based place in the doctor’s order', () => {
    expect(queuePosition(queue, 'red', now)).toBe(1);
    expect(queuePosition(queue, 'yellow', now)).toBe(2);
    expect(queuePosition(queue, 'green-old', now)).toBe(3);
  });

  it('returns null for a request that is not in the queue', () => {
    expect(queuePosition(queue, 'gone', now)).toBeNull();
    expect(queuePosition([], 'gone', now)).toBeNull();
  });
});
