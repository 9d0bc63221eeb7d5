import type { QualityFlag, VitalSample } from '@legevakt/shared';
import { GattReader, sampleFrom, truncated, type BleDecodeContext, type BleDecodeResult } from './gattReader.ts';

/** Pulse Oximeter Service and its measurement characteristics (Bluetooth SIG PLXS 1.0). */
export const PULSE_OXIMETER_SERVICE = 0x1822;
export const PLX_SPOT_CHECK_MEASUREMENT = 0x2a5e;
export const PLX_CONTINUOUS_MEASUREMENT = 0x2a5f;

export interface PlxResult extends BleDecodeResult {
  /** Pulse Amplitude Index (%), when sent. */
  pulseAmplitudeIndex?: number;
  /** Raw status words, when sent, for logging. */
  measurementStatus?: number;
  deviceAndSensorStatus?: number;
}

/** Measurement Status (uint16) bits → quality. Bits 0-4 are reserved. */
function measurementStatusFlags(status: number): QualityFlag[] {
  const flags: QualityFlag[] = [];
  if (status & (1 << 5)) flags.push('invalid'); // measurement ongoing
  if (status & (1 << 6)) flags.push('questionable'); // early estimated data
  if (status & (1 << 10)) flags.push('questionable'); // data for demonstration
  if (status & (1 << 11)) flags.push('questionable'); // data for testing
  if (status & (1 << 12)) flags.push('invalid'); // calibration ongoing
  if (status & (1 << 13)) flags.push('invalid'); // measurement unavailable
  if (status & (1 << 14)) flags.push('questionable'); // questionable measurement detected
  if (status & (1 << 15)) flags.push('invalid'); // invalid measurement detected
  return flags;
}

/** Device and Sensor Status (uint24) bits → quality. */
function deviceStatusFlags(status: number): QualityFlag[] {
  const flags: QualityFlag[] = [];
  const invalid = [1, 11, 13, 14, 15]; // equipment malfunction, sensor unconnected/displaced/malfunctioning/disconnected
  const artifact = [2, 6, 10]; // signal processing irregularity, erratic signal, sensor interference
  const questionable = [3, 4, 5, 7, 8, 12]; // inadequate/poor signal, low perfusion, nonpulsatile, questionable pulse, unknown sensor
  if (invalid.some((b) => status & (1 << b))) flags.push('invalid');
  if (artifact.some((b) => status & (1 << b))) flags.push('artifact');
  if (questionable.some((b) => status & (1 << b))) flags.push('questionable');
  return flags;
}

/**
 * PLX Spot-Check Measurement (0x2A5E):
 * flags(u8) SpO2(SFLOAT) PR(SFLOAT) [timestamp(7) if bit0] [measurement status(u16) if bit1]
 * [device and sensor status(u24) if bit2] [pulse amplitude index(SFLOAT) if bit3]; bit4 = device clock not set.
 */
export function decodePlxSpotCheck(view: DataView, ctx: BleDecodeContext): PlxResult {
  const r = new GattReader(view);
  if (!r.has(1)) return truncated('PLX spot-check');
  const flags = r.uint8();
  const need = 4 + (flags & 0x01 ? 7 : 0) + (flags & 0x02 ? 2 : 0) + (flags & 0x04 ? 3 : 0) + (flags & 0x08 ? 2 : 0);
  if (!r.has(need)) return truncated('PLX spot-check');
  const spo2 = r.sfloat();
  const pr = r.sfloat();
  const errors: string[] = [];
  let measuredAt = ctx.receivedAt;
  if (flags & 0x01) {
    const t = r.dateTime();
    if (flags & 0x10) errors.push('PLX spot-check: device clock not set, used the time of arrival');
    else if (t === undefined) errors.push('PLX spot-check: invalid timestamp, used the time of arrival');
    else measuredAt = t;
  }
  const result: PlxResult = { samples: [], errors };
  const quality: QualityFlag[] = [];
  if (flags & 0x02) {
    result.measurementStatus = r.uint16();
    quality.push(...measurementStatusFlags(result.measurementStatus));
  }
  if (flags & 0x04) {
    result.deviceAndSensorStatus = r.uint24();
    quality.push(...deviceStatusFlags(result.deviceAndSensorStatus));
  }
  if (flags & 0x08) {
    const pai = r.sfloat();
    if (pai.kind === 'number') result.pulseAmplitudeIndex = pai.value;
  }
  push(result.samples, sampleFrom('spo2', spo2, ctx, measuredAt, quality, errors));
  push(result.samples, sampleFrom('pulseRateOximetry', pr, ctx, measuredAt, quality, errors));
  return result;
}

/**
 * PLX Continuous Measurement (0x2A5F):
 * flags(u8) SpO2PR-Normal(2×SFLOAT) [SpO2PR-Fast(2×SFLOAT) if bit0] [SpO2PR-Slow(2×SFLOAT) if bit1]
 * [measurement status(u16) if bit2] [device and sensor status(u24) if bit3] [PAI(SFLOAT) if bit4].
 * Only the Normal averaging is turned into samples (time = arrival; the characteristic carries none).
 */
export function decodePlxContinuous(view: DataView, ctx: BleDecodeContext): PlxResult {
  const r = new GattReader(view);
  if (!r.has(1)) return truncated('PLX continuous');
  const flags = r.uint8();
  const need =
    4 +
    (flags & 0x01 ? 4 : 0) +
    (flags & 0x02 ? 4 : 0) +
    (flags & 0x04 ? 2 : 0) +
    (flags & 0x08 ? 3 : 0) +
    (flags & 0x10 ? 2 : 0);
  if (!r.has(need)) return truncated('PLX continuous');
  const spo2 = r.sfloat();
  const pr = r.sfloat();
  if (flags & 0x01) {
    r.sfloat();
    r.sfloat();
  }
  if (flags & 0x02) {
    r.sfloat();
    r.sfloat();
  }
  const errors: string[] = [];
  const result: PlxResult = { samples: [], errors };
  const quality: QualityFlag[] = [];
  if (flags & 0x04) {
    result.measurementStatus = r.uint16();
    quality.push(...measurementStatusFlags(result.measurementStatus));
  }
  if (flags & 0x08) {
    result.deviceAndSensorStatus = r.uint24();
    quality.push(...deviceStatusFlags(result.deviceAndSensorStatus));
  }
  if (flags & 0x10) {
    const pai = r.sfloat();
    if (pai.kind === 'number') result.pulseAmplitudeIndex = pai.value;
  }
  push(result.samples, sampleFrom('spo2', spo2, ctx, ctx.receivedAt, quality, errors));
  push(result.samples, sampleFrom('pulseRateOximetry', pr, ctx, ctx.receivedAt, quality, errors));
  return result;
}

function push(samples: VitalSample[], sample: VitalSample | undefined): void {
  if (sample === undefined) return;
  if (sample.kind === 'spo2' && (sample.value < 0 || sample.value > 100))
    sample.quality = [...new Set([...sample.quality, 'out-of-range' as const])];
  samples.push(sample);
}
