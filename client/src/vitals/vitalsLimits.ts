import type { NumericKind } from '@legevakt/shared';

/**
 * Default alarm limits, as adult bedside monitors ship them; the doctor can
 * change them per consult (alarms.ts). Stale-after: a value not renewed for this long must not look
 * live (NIBP is measured on a cycle, the others continuously).
 */
export const DEFAULT_LIMITS: Partial<Record<NumericKind, { low?: number; high?: number }>> = {
  heartRateEcg: { low: 40, high: 130 },
  pulseRate: { low: 40, high: 130 },
  pulseRateOximetry: { low: 40, high: 130 },
  spo2: { low: 90 },
  systolic: { low: 90, high: 200 },
  respirationRate: { low: 8, high: 25 },
  temperature: { low: 35, high: 39 },
};

export const STALE_AFTER_MS: Partial<Record<NumericKind, number>> = {
  systolic: 15 * 60_000,
  diastolic: 15 * 60_000,
  meanPressure: 15 * 60_000,
  temperature: 30 * 60_000,
};
export const DEFAULT_STALE_AFTER_MS = 30_000;

export function isStale(kind: NumericKind, measuredAt: number, now: number): boolean {
  return now - measuredAt > (STALE_AFTER_MS[kind] ?? DEFAULT_STALE_AFTER_MS);
}
