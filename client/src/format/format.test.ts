import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, formatPercent } from './format.ts';

describe('format', () => {
  it('formats durations for the queue', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_780_000)).toBe('1 t 3 min');
  });

  it('uses Norwegian number formats', () => {
    expect(formatNumber(37.85, 'nb')).toBe('37,9');
    expect(formatPercent(0.8, 'nb')).toMatch(/^80\s?%$/);
    expect(formatNumber(37.85, 'en')).toBe('37.9');
  });
});
