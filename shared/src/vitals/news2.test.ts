import { describe, expect, it } from 'vitest';
import {
  news2,
  news2ClinicalRisk,
  roundForChart,
  scoreConsciousness,
  scorePulse,
  scoreRespirationRate,
  scoreSpo2Scale1,
  scoreSupplementalOxygen,
  scoreSystolic,
  scoreTemperature,
  type News2Input,
} from './news2.ts';

// Every band edge of the RCP 2017 chart, both sides.
describe('NEWS2 sub-scores at every boundary', () => {
  // prettier-ignore
  it.each([
    [0, 3], [8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3], [60, 3],
  ])('respiration rate %d → %d', (value, score) => expect(scoreRespirationRate(value)).toBe(score));

  // prettier-ignore
  it.each([
    [50, 3], [91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0], [100, 0],
  ])('SpO2 (scale 1) %d → %d', (value, score) => expect(scoreSpo2Scale1(value)).toBe(score));

  // prettier-ignore
  it.each([
    [false, 0], [true, 2],
  ])('supplemental oxygen %s → %d', (value, score) => expect(scoreSupplementalOxygen(value)).toBe(score));

  // prettier-ignore
  it.each([
    [60, 3], [90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3], [260, 3],
  ])('systolic %d → %d', (value, score) => expect(scoreSystolic(value)).toBe(score));

  // prettier-ignore
  it.each([
    [30, 3], [40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3], [200, 3],
  ])('pulse %d → %d', (value, score) => expect(scorePulse(value)).toBe(score));

  // prettier-ignore
  it.each([
    ['alert', 0], ['new-confusion', 3], ['voice', 3], ['pain', 3], ['unresponsive', 3],
  ] as const)('consciousness %s → %d', (value, score) => expect(scoreConsciousness(value)).toBe(score));

  // prettier-ignore
  it.each([
    [33, 3], [35.0, 3], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.1, 1], [39.0, 1], [39.1, 2], [41, 2],
  ])('temperature %d → %d', (value, score) => expect(scoreTemperature(value)).toBe(score));
});

describe('NEWS2 rounding of device values to chart resolution (half up)', () => {
  it.each([
    ['respiration 20.4 charts as 20', () => scoreRespirationRate(20.4), 0],
    ['respiration 20.5 charts as 21', () => scoreRespirationRate(20.5), 2],
    ['respiration 8.5 charts as 9', () => scoreRespirationRate(8.5), 1],
    ['SpO2 95.5 charts as 96', () => scoreSpo2Scale1(95.5), 0],
    ['SpO2 95.49 charts as 95', () => scoreSpo2Scale1(95.49), 1],
    ['systolic 90.5 charts as 91', () => scoreSystolic(90.5), 2],
    ['systolic 219.5 charts as 220', () => scoreSystolic(219.5), 3],
    ['pulse 50.5 charts as 51', () => scorePulse(50.5), 0],
    ['pulse 130.49 charts as 130', () => scorePulse(130.49), 2],
    ['temperature 35.04 charts as 35.0', () => scoreTemperature(35.04), 3],
    ['temperature 35.05 charts as 35.1', () => scoreTemperature(35.05), 1],
    ['temperature 36.05 charts as 36.1', () => scoreTemperature(36.05), 0],
    ['temperature 36.04 charts as 36.0', () => scoreTemperature(36.04), 1],
    ['temperature 38.05 charts as 38.1', () => scoreTemperature(38.05), 1],
    ['temperature 39.05 charts as 39.1', () => scoreTemperature(39.05), 2],
  ])('%s', (_name, score, expected) => expect(score()).toBe(expected));

  it('rounds on the decimal value, not its binary approximation', () => {
    // 36.05 is stored as 36.04999…; naive Math.round(x * 10) happens to work here
    // but 1.005 * 100 = 100.49999… shows the trap.
    expect(roundForChart(1.005, 2)).toBe(1.01);
    expect(roundForChart(36.05, 1)).toBe(36.1);
    expect(roundForChart(-0.5, 0)).toBe(0);
  });
});

describe('NEWS2 implausible values', () => {
  it.each([
    ['respiration NaN', () => scoreRespirationRate(Number.NaN)],
    ['negative respiration', () => scoreRespirationRate(-1)],
    ['SpO2 above 100', () => scoreSpo2Scale1(101)],
    ['infinite pulse', () => scorePulse(Infinity)],
    ['negative systolic', () => scoreSystolic(-5)],
    ['temperature in Fahrenheit', () => scoreTemperature(98.6)],
    ['unknown consciousness level', () => scoreConsciousness('drowsy' as 'alert')],
  ])('%s throws RangeError', (_name, score) => expect(score).toThrow(RangeError));
});

describe('news2 aggregate', () => {
  const normal: News2Input = {
    respirationRate: 16,
    spo2: 97,
    supplementalOxygen: false,
    systolic: 125,
    pulse: 72,
    consciousness: 'alert',
    temperature: 37.0,
  };

  it('scores a healthy adult 0, low risk, no escalation', () => {
    expect(news2(normal)).toEqual({
      total: 0,
      complete: true,
      missing: [],
      subScores: {
        respirationRate: 0,
        spo2: 0,
        supplementalOxygen: 0,
        systolic: 0,
        pulse: 0,
        consciousness: 0,
        temperature: 0,
      },
      anySingleThree: false,
      clinicalRisk: 'low',
      escalate: false,
    });
  });

  it('scores a septic patient high (hand-computed: 2+1+2+2+2+0+2 = 11)', () => {
    const r = news2({
      respirationRate: 24,
      spo2: 95,
      supplementalOxygen: true,
      systolic: 98,
      pulse: 118,
      consciousness: 'alert',
      temperature: 39.4,
    });
    expect(r.total).toBe(11);
    expect(r.anySingleThree).toBe(false);
    expect(r.clinicalRisk).toBe('high');
    expect(r.escalate).toBe(true);
  });

  it('a single red score with total ≤ 4 is low-medium and escalates', () => {
    const r = news2({ ...normal, consciousness: 'new-confusion' });
    expect([r.total, r.anySingleThree, r.clinicalRisk, r.escalate]).toEqual([3, true, 'low-medium', true]);
  });

  it('total 4 without a red score is low and does not escalate; 5 is medium and does', () => {
    const four = news2({ ...normal, supplementalOxygen: true, pulse: 115 });
    expect([four.total, four.clinicalRisk, four.escalate]).toEqual([4, 'low', false]);
    const five = news2({ ...normal, supplementalOxygen: true, pulse: 115, temperature: 38.5 });
    expect([five.total, five.clinicalRisk, five.escalate]).toEqual([5, 'medium', true]);
  });

  it('6 is medium, 7 is high', () => {
    expect(news2({ ...normal, supplementalOxygen: true, pulse: 115, temperature: 39.5 }).clinicalRisk).toBe('medium');
    expect(news2({ ...normal, supplementalOxygen: true, pulse: 115, temperature: 39.5, spo2: 95 }).clinicalRisk).toBe(
      'high',
    );
  });

  it('band precedence: a red score inside a total of 5–6 is medium, not low-medium', () => {
    expect(news2ClinicalRisk(5, true)).toBe('medium');
    expect(news2ClinicalRisk(4, true)).toBe('low-medium');
    expect(news2ClinicalRisk(7, false)).toBe('high');
    expect(news2ClinicalRisk(4, false)).toBe('low');
  });

  it('scores a partial set, listing what is missing in chart order', () => {
    const r = news2({ spo2: 90, pulse: 112 });
    expect(r.total).toBe(5);
    expect(r.complete).toBe(false);
    expect(r.missing).toEqual(['respirationRate', 'supplementalOxygen', 'systolic', 'consciousness', 'temperature']);
    expect(r.subScores).toEqual({ spo2: 3, pulse: 2 });
    expect(r.escalate).toBe(true);
  });

  it('an empty input is an incomplete 0, never "low risk complete"', () => {
    const r = news2({});
    expect([r.total, r.complete, r.missing.length, r.clinicalRisk]).toEqual([0, false, 7, 'low']);
  });
});
