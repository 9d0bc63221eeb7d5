/**
 * IEEE 11073-20601 numeric formats used by the Bluetooth SIG health profiles.
 *
 * SFLOAT (16 bit): 4-bit two's-complement exponent (high nibble) and 12-bit
 * two's-complement mantissa; value = mantissa × 10^exponent.
 * FLOAT (32 bit): 8-bit exponent (high byte) and 24-bit mantissa.
 * With exponent 0, the top mantissa values are special: NaN, NRes (not at this
 * resolution), +INF, -INF and one reserved value.
 */

export type Ieee11073Special = 'NaN' | 'NRes' | '+INF' | '-INF' | 'reserved';

export type Ieee11073Value = { kind: 'number'; value: number } | { kind: 'special'; special: Ieee11073Special };

const SFLOAT_SPECIAL: ReadonlyMap<number, Ieee11073Special> = new Map([
  [0x07ff, 'NaN'],
  [0x0800, 'NRes'],
  [0x07fe, '+INF'],
  [0x0802, '-INF'],
  [0x0801, 'reserved'],
]);

const FLOAT_SPECIAL: ReadonlyMap<number, Ieee11073Special> = new Map([
  [0x007fffff, 'NaN'],
  [0x00800000, 'NRes'],
  [0x007ffffe, '+INF'],
  [0x00800002, '-INF'],
  [0x00800001, 'reserved'],
]);

/** Decodes a raw 16-bit SFLOAT. */
export function decodeSfloat(raw: number): Ieee11073Value {
  const bits = raw & 0xffff;
  const special = SFLOAT_SPECIAL.get(bits);
  if (special !== undefined) return { kind: 'special', special };
  let mantissa = bits & 0x0fff;
  if (mantissa >= 0x0800) mantissa -= 0x1000;
  let exponent = bits >> 12;
  if (exponent >= 0x8) exponent -= 0x10;
  return { kind: 'number', value: scale(mantissa, exponent) };
}

/** Decodes a raw 32-bit FLOAT. */
export function decodeFloat(raw: number): Ieee11073Value {
  const bits = raw >>> 0;
  const special = FLOAT_SPECIAL.get(bits);
  if (special !== undefined) return { kind: 'special', special };
  let mantissa = bits & 0x00ffffff;
  if (mantissa >= 0x00800000) mantissa -= 0x01000000;
  let exponent = bits >>> 24;
  if (exponent >= 0x80) exponent -= 0x100;
  return { kind: 'number', value: scale(mantissa, exponent) };
}

/** mantissa × 10^exponent, dividing for negative exponents so 985e-1 is exactly the double nearest 98.5. */
function scale(mantissa: number, exponent: number): number {
  if (mantissa === 0) return 0;
  return exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
}

/** Reads a little-endian SFLOAT at `offset`. */
export function readSfloat(view: DataView, offset: number): Ieee11073Value {
  return decodeSfloat(view.getUint16(offset, true));
}

/** Reads a little-endian FLOAT at `offset`. */
export function readFloat(view: DataView, offset: number): Ieee11073Value {
  return decodeFloat(view.getUint32(offset, true));
}
