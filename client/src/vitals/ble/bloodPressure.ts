import type { QualityFlag } from '@legevakt/shared';
import {
  GattReader,
  MMHG_PER_KPA,
  round,
  sampleFrom,
  truncated,
  type BleDecodeContext,
  type BleDecodeResult,
} from './gattReader.ts';

/** Blood Pressure Service (Bluetooth SIG BLS 1.1). */
export const BLOOD_PRESSURE_SERVICE = 0x1810;
export const BLOOD_PRESSURE_MEASUREMENT = 0x2a35;

export interface BloodPressureResult extends BleDecodeResult {
  /** User ID (0xFF = unknown user), when sent. */
  userId?: number;
  /** The Measurement Status word, when sent. */
  measurementStatus?: number;
  /** Irregular pulse was detected (a finding for the doctor, not a data-quality issue). */
  irregularPulse?: boolean;
}

/**
 * Blood Pressure Measurement (0x2A35):
 * flags(u8: bit0 kPa, bit1 timestamp, bit2 pulse rate, bit3 user id, bit4 measurement status)
 * systolic, diastolic, MAP (SFLOAT, mmHg or kPa) [timestamp(7)] [pulse rate(SFLOAT)] [user id(u8)] [status(u16)].
 * kPa is converted to mmHg; a NaN MAP (devices that do not compute it) is left out.
 */
export function decodeBloodPressure(view: DataView, ctx: BleDecodeContext): BloodPressureResult {
  const r = new GattReader(view);
  if (!r.has(1)) return truncated('blood pressure');
  const flags = r.uint8();
  const need = 6 + (flags & 0x02 ? 7 : 0) + (flags & 0x04 ? 2 : 0) + (flags & 0x08 ? 1 : 0) + (flags & 0x10 ? 2 : 0);
  if (!r.has(need)) return truncated('blood pressure');
  const kpa = (flags & 0x01) !== 0;
  const sys = r.sfloat();
  const dia = r.sfloat();
  const map = r.sfloat();
  const errors: string[] = [];
  const result: BloodPressureResult = { samples: [], errors };
  let measuredAt = ctx.receivedAt;
  if (flags & 0x02) {
    const t = r.dateTime();
    if (t === undefined) errors.push('blood pressure: invalid timestamp, used the time of arrival');
    else measuredAt = t;
  }
  const pulse = flags & 0x04 ? r.sfloat() : undefined;
  if (flags & 0x08) result.userId = r.uint8();
  const pressureQuality: QualityFlag[] = [];
  const pulseQuality: QualityFlag[] = [];
  if (flags & 0x10) {
    const status = r.uint16();
    result.measurementStatus = status;
    if (status & 0x0001) pressureQuality.push('artifact'); // body movement during measurement
    if (status & 0x0002) pressureQuality.push('questionable'); // cuff too loose
    if (status & 0x0020) pressureQuality.push('questionable'); // improper measurement position
    result.irregularPulse = (status & 0x0004) !== 0;
    const range = (status >> 3) & 0x03; // 1: above upper limit, 2: below lower limit
    if (range === 1 || range === 2) pulseQuality.push('out-of-range');
  }
  const toMmHg = (v: number): number => (kpa ? round(v * MMHG_PER_KPA, 1) : v);
  for (const [kind, raw] of [
    ['systolic', sys],
    ['diastolic', dia],
    ['meanPressure', map],
  ] as const) {
    const s = sampleFrom(kind, raw, ctx, measuredAt, pressureQuality, errors, toMmHg);
    if (s !== undefined) result.samples.push(s);
  }
  if (pulse !== undefined) {
    const s = sampleFrom('pulseRate', pulse, ctx, measuredAt, [...pressureQuality, ...pulseQuality], errors);
    if (s !== undefined) result.samples.push(s);
  }
  return result;
}
