import { describe, expect, it } from 'vitest';
import type { VitalSample } from '@legevakt/shared';
import { vitalsTable } from './vitalsTable.ts';

const T0 = Date.UTC(2026, 0, 14, 21, 0, 0);
const sample = (kind: VitalSample['kind'], value: number, at: number, source: VitalSample['source'] = 'simulator') =>
  ({ kind, value, unit: '', measuredAt: at, device: 'd', source, quality: [] }) satisfies VitalSample;

describe('the vitals chart', () => {
  it('folds device samples into one row a minute with the newest value, keeping typed-in values apart', () => {
    const table = vitalsTable([
      sample('pulseRate', 96, T0 - 5 * 60_000, 'manual'),
      sample('spo2', 94, T0 + 1_000),
      sample('pulseRate', 88, T0 + 2_000),
      // Arrives out of order: the earlier value must not win.
      sample('spo2', 91, T0 + 59_000),
      sample('spo2', 95, T0 + 30_000),
      sample('pulseRate', 90, T0 + 61_000),
      sample('temperature', 38.1, T0 + 61_000, 'manual'),
    ]);
    expect(table.columns).toEqual(['pulseRate', 'spo2', 'temperature']);
    expect(table.rows).toEqual([
      { at: T0 - 5 * 60_000, manual: true, values: { pulseRate: 96 }, sources: ['manual'], count: 1 },
      { at: T0, manual: false, values: { spo2: 91, pulseRate: 88 }, sources: ['simulator'], count: 4 },
      { at: T0 + 60_000, manual: false, values: { pulseRate: 90 }, sources: ['simulator'], count: 1 },
      { at: T0 + 61_000, manual: true, values: { temperature: 38.1 }, sources: ['manual'], count: 1 },
    ]);
    expect(table.omitted).toBe(0);
  });

  it('keeps only the newest rows when there are too many, saying how many were left out', () => {
    const samples = Array.from({ length: 10 }, (_, i) => sample('spo2', 90 + i, T0 + i * 60_000));
    const table = vitalsTable(samples, 3);
    expect(table.rows.map((r) => r.values.spo2)).toEqual([97, 98, 99]);
    expect(table.omitted).toBe(7);
  });

  it('is empty without samples', () => {
    expect(vitalsTable([])).toEqual({ columns: [], rows: [], omitted: 0 });
  });
});
