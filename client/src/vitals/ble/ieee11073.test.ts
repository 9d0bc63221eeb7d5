import { describe, expect, it } from 'vitest';
import { decodeFloat, decodeSfloat, readFloat, readSfloat } from './ieee11073.ts';

const dv = (...bytes: number[]): DataView => new DataView(Uint8Array.from(bytes).buffer);

describe('SFLOAT (16 bit)', () => {
  it.each([
    // raw, expected: exponent is the high nibble (signed), mantissa the low 12 bits (signed)
    [0x0062, 98], // e=0, m=98
    [0xf3d9, 98.5], // e=-1 (0xF), m=0x3D9=985 → 98.5
    [0xff83, -12.5], // e=-1, m=0xF83 = -125 → -12.5
    [0x2005, 500], // e=2, m=5 → 500
    [0xe4d2, 12.34], // e=-2, m=0x4D2=1234 → 12.34
    [0x0000, 0],
    [0x17ff, 20470], // e=1, m=2047: only e=0 makes 0x7FF special
    [0x0801 ^ 0x1000, -20470], // 0x1801: e=1, m=0x801=-2047 → -20470
  ])('decodes 0x%s', (raw, value) => {
    expect(decodeSfloat(raw)).toEqual({ kind: 'number', value });
  });

  it.each([
    [0x07ff, 'NaN'],
    [0x0800, 'NRes'],
    [0x07fe, '+INF'],
    [0x0802, '-INF'],
    [0x0801, 'reserved'],
  ])('recognises special value 0x%s', (raw, special) => {
    expect(decodeSfloat(raw)).toEqual({ kind: 'special', special });
  });

  it('reads little-endian from a DataView at an offset', () => {
    // offset 1: bytes D9 F3 → 0xF3D9 → 98.5
    expect(readSfloat(dv(0xaa, 0xd9, 0xf3), 1)).toEqual({ kind: 'number', value: 98.5 });
  });
});

describe('FLOAT (32 bit)', () => {
  it.each([
    [0xff00016e, 36.6], // e=-1, m=0x16E=366
    [0xff0003da, 98.6], // e=-1, m=986
    [0xfe000e8d, 37.25], // e=-2, m=3725
    [0xfffffe70, -40], // e=-1, m=0xFFFE70 = -400
    [0x02000003, 300], // e=2, m=3
    [0x00000000, 0],
  ])('decodes 0x%s', (raw, value) => {
    expect(decodeFloat(raw)).toEqual({ kind: 'number', value });
  });

  it.each([
    [0x007fffff, 'NaN'],
    [0x00800000, 'NRes'],
    [0x007ffffe, '+INF'],
    [0x00800002, '-INF'],
    [0x00800001, 'reserved'],
  ])('recognises special value 0x%s', (raw, special) => {
    expect(decodeFloat(raw)).toEqual({ kind: 'special', special });
  });

  it('reads little-endian from a DataView', () => {
    // 6E 01 00 FF → 0xFF00016E → 36.6
    expect(readFloat(dv(0x6e, 0x01, 0x00, 0xff), 0)).toEqual({ kind: 'number', value: 36.6 });
  });
});
