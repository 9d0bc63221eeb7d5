import { NUMERIC_KINDS, type NumericKind, type QualityFlag, type VitalSample } from '@legevakt/shared';
import { readFloat, readSfloat, type Ieee11073Value } from './ieee11073.ts';

/** What every decoder returns: the samples it could take, and why it left others out. Decoders never throw. */
export interface BleDecodeResult {
  samples: VitalSample[];
  errors: string[];
}

export interface BleDecodeContext {
  /** Device label for VitalSample.device (name or id of the peripheral). */
  device: string;
  /** When the notification arrived (epoch ms); used when the device sends no usable timestamp. */
  receivedAt: number;
}

/** Bounds-checked little-endian reader over a characteristic value. */
export class GattReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(view: DataView) {
    this.view = view;
  }

  get remaining(): number {
    return this.view.byteLength - this.offset;
  }

  has(bytes: number): boolean {
    return this.remaining >= bytes;
  }

  uint8(): number {
    const v = this.view.getUint8(this.offset);
    this.offset += 1;
    return v;
  }

  uint16(): number {
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  uint24(): number {
    const v = this.view.getUint16(this.offset, true) | (this.view.getUint8(this.offset + 2) << 16);
    this.offset += 3;
    return v;
  }

  sfloat(): Ieee11073Value {
    const v = readSfloat(this.view, this.offset);
    this.offset += 2;
    return v;
  }

  float(): Ieee11073Value {
    const v = readFloat(this.view, this.offset);
    this.offset += 4;
    return v;
  }

  /**
   * Date Time (0x2A08): year uint16, month, day, hours, minutes, seconds.
   * The device's local time; 0 in year/month/day means unknown → undefined.
   */
  dateTime(): number | undefined {
    const year = this.uint16();
    const month = this.uint8();
    const day = this.uint8();
    const hours = this.uint8();
    const minutes = this.uint8();
    const seconds = this.uint8();
    if (year < 1582 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
    if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
    const t = new Date(year, month - 1, day, hours, minutes, seconds);
    return t.getDate() === day ? t.getTime() : undefined;
  }
}

export const MMHG_PER_KPA = 760 / 101.325;

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Builds a VitalSample, or records why a special value (NaN, NRes, ±INF) was left out. */
export function sampleFrom(
  kind: NumericKind,
  raw: Ieee11073Value,
  ctx: BleDecodeContext,
  measuredAt: number,
  quality: readonly QualityFlag[],
  errors: string[],
  convert: (v: number) => number = (v) => v,
): VitalSample | undefined {
  if (raw.kind === 'special') {
    errors.push(`${kind}: device sent ${raw.special}, left out`);
    return undefined;
  }
  const value = convert(raw.value);
  if (!Number.isFinite(value)) {
    errors.push(`${kind}: value is not finite, left out`);
    return undefined;
  }
  return {
    kind,
    value,
    unit: NUMERIC_KINDS[kind].ucum,
    measuredAt: Math.round(measuredAt),
    device: ctx.device.slice(0, 120),
    source: 'bluetooth',
    quality: [...new Set(quality)],
  };
}

export function truncated(what: string): BleDecodeResult {
  return { samples: [], errors: [`${what}: value too short, ignored`] };
}
