import { describe, expect, it } from 'vitest';
import { percentile, slaSummary, type SlaRow } from './sla.ts';

const TZ = 'Europe/Oslo';
const S = 1000;
const t = (iso: string) => Date.parse(iso);

function row(
  id: string,
  siteId: string | null,
  requestedIso: string,
  outcome: { claimedAfterS?: number; cancelledAfterS?: number } = {},
): SlaRow {
  const requestedAt = t(requestedIso);
  return {
    id,
    siteId,
    requestedAt,
    claimedAt: outcome.claimedAfterS === undefined ? null : requestedAt + outcome.claimedAfterS * S,
    cancelledAt: outcome.cancelledAfterS === undefined ? null : requestedAt + outcome.cancelledAfterS * S,
  };
}

describe('slaSummary: a winter day, hand-computed', () => {
  // 15 January 2026, Oslo is UTC+01:00 all day.
  const rows = [
    row('a', 'A', '2026-01-15T08:00:00+01:00', { claimedAfterS: 60 }), // within
    row('b', 'A', '2026-01-15T08:10:00+01:00', { claimedAfterS: 120 }), // within: exactly 120 s
    row('c', 'A', '2026-01-15T08:20:00+01:00', { claimedAfterS: 121 }), // late
    row('d', 'A', '2026-01-15T08:30:00+01:00', { cancelledAfterS: 90 }), // withdrawn early: excluded
    row('e', 'A', '2026-01-15T08:40:00+01:00', { cancelledAfterS: 300 }), // withdrawn late: missed
    row('i', null, '2026-01-15T08:50:00+01:00', { cancelledAfterS: 120 }), // withdrawn at exactly 120 s: excluded
    row('h', 'A', '2026-01-15T09:00:00+01:00'), // still waiting after 11 min: missed
    row('f', 'B', '2026-01-15T09:05:00+01:00', { claimedAfterS: 30 }), // within
    row('g', 'A', '2026-01-15T09:10:00+01:00'), // still waiting for 60 s: pending
    row('out-before', 'A', '2026-01-14T23:59:59+01:00', { claimedAfterS: 500 }),
    row('out-after', 'A', '2026-01-16T00:00:00+01:00', { claimedAfterS: 500 }),
  ];
  const summary = slaSummary(rows, {
    fromMs: t('2026-01-15T00:00:00+01:00'),
    toMs: t('2026-01-16T00:00:00+01:00'),
    nowMs: t('2026-01-15T09:11:00+01:00'),
    timeZone: TZ,
  });

  it('totals: 3 within of 6 counted (4 answered + 2 missed), 2 withdrawn early, 1 pending', () => {
    expect(summary.total).toEqual({
      requested: 9,
      answered: 4,
      answeredWithinTarget: 3,
      missed: 2,
      cancelledEarly: 2,
      pending: 1,
      counted: 6,
      share: 0.5,
      targetMet: false,
      // Answer times 30, 60, 120, 121 s: median (60 + 120) / 2 = 90 s; p90 at rank 2.7 = 120 + 0.7 × 1 s.
      medianAnswerMs: 90_000,
      p90AnswerMs: 120_700,
    });
  });

  it('has 24 local hours; 08 and 09 hold the requests', () => {
    expect(summary.hours).toHaveLength(24);
    expect(summary.hours.map((h) => h.hour)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const h08 = summary.hours[8]!;
    expect(h08).toMatchObject({
      date: '2026-01-15',
      utcOffset: '+01:00',
      startMs: t('2026-01-15T08:00:00+01:00'),
      endMs: t('2026-01-15T09:00:00+01:00'),
      requested: 6,
      answered: 3,
      answeredWithinTarget: 2,
      missed: 1,
      cancelledEarly: 2,
      pending: 0,
      counted: 4,
      share: 0.5,
    });
    expect(summary.hours[9]).toMatchObject({
      requested: 3,
      answered: 1,
      missed: 1,
      pending: 1,
      counted: 2,
      share: 0.5,
    });
    expect(summary.hours[7]).toMatchObject({ requested: 0, share: null, targetMet: null, medianAnswerMs: null });
  });

  it('has one day equal to the total', () => {
    expect(summary.days).toHaveLength(1);
    expect(summary.days[0]).toEqual({
      ...summary.total,
      date: '2026-01-15',
      startMs: t('2026-01-15T00:00:00+01:00'),
      endMs: t('2026-01-16T00:00:00+01:00'),
      hours: 24,
    });
  });

  it('splits by site, the unknown site last', () => {
    expect(summary.sites.map((s) => s.siteId)).toEqual(['A', 'B', null]);
    // A: a, b within; c late; e, h missed; d excluded; g pending → 2 of 5.
    expect(summary.sites[0]).toMatchObject({
      requested: 7,
      answered: 3,
      answeredWithinTarget: 2,
      counted: 5,
      share: 0.4,
    });
    expect(summary.sites[1]).toMatchObject({ requested: 1, share: 1, targetMet: true, medianAnswerMs: 30_000 });
    expect(summary.sites[2]).toMatchObject({
      requested: 1,
      cancelledEarly: 1,
      counted: 0,
      share: null,
      targetMet: null,
    });
  });

  it('turns a pending request into a miss once now passes 120 s', () => {
    const at = (nowIso: string) =>
      slaSummary([row('g', 'A', '2026-01-15T09:10:00+01:00')], {
        fromMs: t('2026-01-15T00:00:00+01:00'),
        toMs: t('2026-01-16T00:00:00+01:00'),
        nowMs: t(nowIso),
        timeZone: TZ,
      }).total;
    expect(at('2026-01-15T09:12:00+01:00')).toMatchObject({ pending: 1, missed: 0, counted: 0 });
    expect(at('2026-01-15T09:12:01+01:00')).toMatchObject({ pending: 0, missed: 1, counted: 1, share: 0 });
  });
});

describe('slaSummary: the 80 % target', () => {
  const base = t('2026-02-02T12:00:00+01:00');
  const options = { fromMs: base, toMs: base + 3_600_000, nowMs: base + 7_200_000, timeZone: TZ };
  const answered = (id: string, afterS: number): SlaRow => ({
    id,
    siteId: 'A',
    requestedAt: base,
    claimedAt: base + afterS * S,
    cancelledAt: null,
  });

  it('is met at exactly 80 % and missed just below', () => {
    const four = [answered('1', 10), answered('2', 20), answered('3', 30), answered('4', 120)];
    expect(slaSummary([...four, answered('5', 121)], options).total).toMatchObject({ share: 0.8, targetMet: true });
    expect(slaSummary([...four, answered('5', 121), answered('6', 200)], options).total.targetMet).toBe(false);
  });

  it('counts a claim stamped before the request (clock skew) as an immediate answer', () => {
    expect(slaSummary([answered('1', -2)], options).total).toMatchObject({
      answeredWithinTarget: 1,
      medianAnswerMs: 0,
    });
  });
});

describe('slaSummary: daylight saving time in Europe/Oslo', () => {
  it('spring forward, 29 March 2026: 23 hours, no 02:00, dates by local time', () => {
    const summary = slaSummary(
      [
        row('just-after-midnight', 'A', '2026-03-28T23:30:00Z', { claimedAfterS: 10 }), // local 29th 00:30
        row('after-switch', 'A', '2026-03-29T01:30:00Z', { claimedAfterS: 10 }), // local 03:30 +02:00
        row('last-minute', 'A', '2026-03-29T21:59:00Z', { claimedAfterS: 200 }), // local 23:59
        row('next-day', 'A', '2026-03-29T22:30:00Z', { claimedAfterS: 10 }), // local 30th 00:30: outside
      ],
      {
        fromMs: t('2026-03-29T00:00:00+01:00'),
        toMs: t('2026-03-30T00:00:00+02:00'),
        nowMs: t('2026-04-01T00:00:00Z'),
        timeZone: TZ,
      },
    );
    expect(summary.hours).toHaveLength(23);
    expect(summary.hours.map((h) => h.hour)).toEqual([0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)]);
    expect(summary.hours.slice(0, 3).map((h) => h.utcOffset)).toEqual(['+01:00', '+01:00', '+02:00']);
    expect(summary.hours[1]!.endMs).toBe(t('2026-03-29T03:00:00+02:00'));
    expect(summary.hours[0]).toMatchObject({ date: '2026-03-29', requested: 1 });
    expect(summary.hours[2]).toMatchObject({ hour: 3, requested: 1 });
    expect(summary.hours[22]).toMatchObject({ hour: 23, requested: 1, answeredWithinTarget: 0 });
    expect(summary.days).toEqual([
      expect.objectContaining({ date: '2026-03-29', hours: 23, requested: 3, answeredWithinTarget: 2 }),
    ]);
  });

  it('fall back, 25 October 2026: 25 hours, 02:00 twice with different offsets', () => {
    const summary = slaSummary(
      [
        row('first-0230', 'A', '2026-10-25T00:30:00Z', { claimedAfterS: 10 }), // 02:30 +02:00
        row('second-0230', 'B', '2026-10-25T01:30:00Z', { claimedAfterS: 300 }), // 02:30 +01:00
        row('late-evening', 'A', '2026-10-25T22:30:00Z', { claimedAfterS: 10 }), // 23:30 +01:00
      ],
      {
        fromMs: t('2026-10-25T00:00:00+02:00'),
        toMs: t('2026-10-26T00:00:00+01:00'),
        nowMs: t('2026-11-01T00:00:00Z'),
        timeZone: TZ,
      },
    );
    expect(summary.hours).toHaveLength(25);
    const twoAm = summary.hours.filter((h) => h.hour === 2);
    expect(twoAm.map((h) => [h.utcOffset, h.startMs, h.requested])).toEqual([
      ['+02:00', t('2026-10-25T00:00:00Z'), 1],
      ['+01:00', t('2026-10-25T01:00:00Z'), 1],
    ]);
    expect(twoAm[0]!.share).toBe(1);
    expect(twoAm[1]!.share).toBe(0);
    expect(summary.hours.at(-1)).toMatchObject({ hour: 23, requested: 1 });
    expect(summary.days).toEqual([expect.objectContaining({ date: '2026-10-25', hours: 25, requested: 3 })]);
  });

  it('splits a range over several days at local midnight', () => {
    const summary = slaSummary(
      [
        row('sat-late', 'A', '2026-03-28T22:59:00Z', { claimedAfterS: 10 }), // local 28th 23:59
        row('sun-early', 'A', '2026-03-28T23:00:00Z', { claimedAfterS: 10 }), // local 29th 00:00
      ],
      {
        fromMs: t('2026-03-28T00:00:00+01:00'),
        toMs: t('2026-03-31T00:00:00+02:00'),
        nowMs: t('2026-04-01T00:00:00Z'),
        timeZone: TZ,
      },
    );
    expect(summary.days.map((d) => [d.date, d.hours, d.requested])).toEqual([
      ['2026-03-28', 24, 1],
      ['2026-03-29', 23, 1],
      ['2026-03-30', 24, 0],
    ]);
    expect(summary.hours).toHaveLength(71);
  });
});

describe('slaSummary: ranges', () => {
  const rows = [row('a', 'A', '2026-01-15T08:00:00+01:00', { claimedAfterS: 60 })];

  it('returns nothing for an empty range', () => {
    const from = t('2026-01-15T08:00:00+01:00');
    const summary = slaSummary(rows, { fromMs: from, toMs: from, nowMs: from, timeZone: TZ });
    expect(summary.hours).toEqual([]);
    expect(summary.days).toEqual([]);
    expect(summary.sites).toEqual([]);
    expect(summary.total).toMatchObject({ requested: 0, counted: 0, share: null, targetMet: null, p90AnswerMs: null });
  });

  it('clips partial hours at the edges of the range', () => {
    const summary = slaSummary(rows, {
      fromMs: t('2026-01-15T07:30:00+01:00'),
      toMs: t('2026-01-15T08:15:00+01:00'),
      nowMs: t('2026-01-15T10:00:00+01:00'),
      timeZone: TZ,
    });
    expect(summary.hours.map((h) => [h.hour, h.startMs, h.endMs, h.requested])).toEqual([
      [7, t('2026-01-15T07:30:00+01:00'), t('2026-01-15T08:00:00+01:00'), 0],
      [8, t('2026-01-15T08:00:00+01:00'), t('2026-01-15T08:15:00+01:00'), 1],
    ]);
  });

  it('works in another zone, and rejects an unknown zone', () => {
    const summary = slaSummary(rows, {
      fromMs: t('2026-01-15T00:00:00Z'),
      toMs: t('2026-01-16T00:00:00Z'),
      nowMs: t('2026-01-16T00:00:00Z'),
      timeZone: 'UTC',
    });
    expect(summary.hours.find((h) => h.requested === 1)).toMatchObject({ hour: 7, utcOffset: '+00:00' });
    expect(() => slaSummary(rows, { fromMs: 0, toMs: 0, nowMs: 0, timeZone: 'Europe/Nowhere' })).toThrow(RangeError);
  });
});

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([10, 20], 0.5)).toBe(15);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBe(91);
    expect(percentile([1, 2, 3], 1)).toBe(3);
  });
});
