import type { VitalSample } from '@legevakt/shared';
import { GattReader, round, sampleFrom, truncated, type BleDecodeContext, type BleDecodeResult } from './gattReader.ts';

/** Health Thermometer Service (Bluetooth SIG HTS 1.0). */
export const HEALTH_THERMOMETER_SERVICE = 0x1809;
export const TEMPERATURE_MEASUREMENT = 0x2a1c;

type Site = NonNullable<VitalSample['site']>;

/** Temperature Type (0x2A1D) → site. */
const TEMPERATURE_TYPE: Readonly<Record<number, Site>> = {
  1: 'axillary', // armpit
  2: 'unknown', // body (general)
  3: 'ear', // ear (usually earlobe)
  4: 'skin', // finger
  5: 'core', // gastro-intestinal tract
  6: 'oral', // mouth
  7: 'rectal', // rectum
  8: 'skin', // toe
  9: 'ear', // tympanum (ear drum)
};

/**
 * Temperature Measurement (0x2A1C):
 * flags(u8: bit0 °F, bit1 timestamp, bit2 temperature type) value(FLOAT) [timestamp(7)] [type(u8)].
 * °F is converted to °C.
 */
export function decodeTemperature(view: DataView, ctx: BleDecodeContext): BleDecodeResult {
  const r = new GattReader(view);
  if (!r.has(1)) return truncated('temperature');
  const flags = r.uint8();
  const need = 4 + (flags & 0x02 ? 7 : 0) + (flags & 0x04 ? 1 : 0);
  if (!r.has(need)) return truncated('temperature');
  const fahrenheit = (flags & 0x01) !== 0;
  const raw = r.float();
  const errors: string[] = [];
  let measuredAt = ctx.receivedAt;
  if (flags & 0x02) {
    const t = r.dateTime();
    if (t === undefined) errors.push('temperature: invalid timestamp, used the time of arrival');
    else measuredAt = t;
  }
  let site: Site = 'unknown';
  if (flags & 0x04) {
    const type = r.uint8();
    const mapped = TEMPERATURE_TYPE[type];
    if (mapped === undefined) errors.push(`temperature: unknown temperature type ${type}`);
    else site = mapped;
  }
  const sample = sampleFrom('temperature', raw, ctx, measuredAt, [], errors, (v) =>
    fahrenheit ? round(((v - 32) * 5) / 9, 2) : v,
  );
  if (sample === undefined) return { samples: [], errors };
  sample.site = site;
  if (sample.value < 15 || sample.value > 46) sample.quality = ['out-of-range'];
  return { samples: [sample], errors };
}
