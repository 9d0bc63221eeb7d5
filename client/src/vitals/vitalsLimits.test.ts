import { describe, expect, it } from 'vitest';
import { breachOf, defaultLimits } from './alarms.ts';
import { isStale } from './vitalsLimits.ts';

describe('alarm limits and staleness', () => {
  it('flags values outside the default adult limits', () => {
    const limits = defaultLimits();
    expect(breachOf(limits.spo2, 89)).toBe('low');
    expect(breachOf(limits.spo2, 90)).toBeNull();
    expect(breachOf(limits.heartRate, 131)).toBe('high');
    expect(breachOf(limits.systolic, 89)).toBe('low');
    expect(breachOf(limits.temperature, 39.1)).toBe('high');
    expect(breachOf(limits.respirationRate, 7)).toBe('low');
  });

  it('lets a blood pressure age 15 minutes but a pulse only 30 seconds', () => {
    expect(isStale('systolic', 0, 14 * 60_000)).toBe(false);
    expect(isStale('systolic', 0, 16 * 60_000)).toBe(true);
    expect(isStale('heartRateEcg', 0, 31_000)).toBe(true);
  });
});
