import { describe, expect, it } from 'vitest';
import { downsample, inTimeOrder, project, timeTicks, valueRange, type TrendPoint } from './trends.ts';

const MIN = 60_000;

describe('trend arithmetic', () => {
  it('keeps every point of a short consult, and each bucket’s extremes of a long one', () => {
    const few = [1, 2, 3].map((v) => ({ at: v * 1000, value: v }));
    expect(downsample(few, 100)).toEqual(few);
    // Two hours of SpO₂ every 2 s, steady at 96 but for one 4 s dip to 82.
    const many: TrendPoint[] = [];
    for (let t = 0; t < 2 * 3600_000; t += 2000) many.push({ at: t, value: t === 3600_000 ? 82 : 96 });
    const reduced = downsample(many, 200);
    expect(reduced.length).toBeLessThanOrEqual(400);
    expect(reduced.some((p) => p.value === 82 && p.at === 3600_000)).toBe(true);
    expect(reduced.every((p, i) => i === 0 || p.at >= reduced[i - 1]!.at)).toBe(true);
  });

  it('sorts a history that a gap fill delivered out of time order, and leaves an ordered one alone', () => {
    const ordered = [
      { at: 1, value: 1 },
      { at: 2, value: 2 },
    ];
    expect(inTimeOrder(ordered)).toBe(ordered);
    expect(
      inTimeOrder([
        { at: 2, value: 2 },
        { at: 1, value: 1 },
      ]).map((p) => p.at),
    ).toEqual([1, 2]);
  });

  it('pads the value range, and widens a flat one', () => {
    expect(
      valueRange(
        [
          { at: 0, value: 60 },
          { at: 1, value: 100 },
        ],
        10,
      ),
    ).toEqual({ min: 56, max: 104 });
    expect(valueRange([{ at: 0, value: 97 }], 4)).toEqual({ min: 95, max: 99 });
    expect(valueRange([], 4)).toEqual({ min: 0, max: 4 });
  });

  it('puts time ticks on round clock times', () => {
    // 21:03:20 → 21:31:40 UTC: 5-minute ticks from 21:05.
    const from = Date.UTC(2025, 0, 14, 21, 3, 20);
    const to = Date.UTC(2025, 0, 14, 21, 31, 40);
    const { step, ticks } = timeTicks(from, to, 6);
    expect(step).toBe(5 * MIN);
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '21:05',
      '21:10',
      '21:15',
      '21:20',
      '21:25',
      '21:30',
    ]);
    expect(timeTicks(0, 50_000, 6).step).toBe(10_000);
    expect(timeTicks(0, 8 * 3600_000, 4).step).toBe(2 * 3600_000);
  });

  it('projects into the chart box, higher values up', () => {
    const time = { from: 0, to: 100 };
    const range = { min: 0, max: 10 };
    const box = { width: 200, height: 50 };
    expect(project({ at: 50, value: 10 }, time, range, box)).toEqual({ x: 100, y: 0 });
    expect(project({ at: 100, value: 0 }, time, range, box)).toEqual({ x: 200, y: 50 });
  });
});
