import { describe, expect, it } from 'vitest';
import { isStale, outsideLimits } from './vitalsLimits.ts';

describe('alarm limits and staleness', () => {
  it('flags values outside the default adult limits', () => {
    expect(outsideLimits('spo2', 89)).toBe(true);
    expect(outsideLimits('spo2', 90)).toBe(false);
    expect(outsideLimits('heartRateEcg', 131)).toBe(true);
    expect(outsideLimits('systolic', 89)).toBe(true);
    expect(outsideLimits('diastolic', 20)).toBe(false);
  });

  it('lets a blood pressure age 15 minutes but a pulse only 30 seconds', () => {
    expect(isStale('systolic', 0, 14 * 60_000)).toBe(false);
    expect(isStale('systolic', 0, 16 * 60_000)).toBe(true);
    expect(isStale('heartRateEcg', 0, 31_000)).toBe(true);
  });
});
