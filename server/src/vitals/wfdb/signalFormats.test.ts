import { describe, expect, it } from 'vitest';
import { WfdbError } from './header.ts';
import { decodeSignalGroup, framesInBytes, invalidSampleValue, wfdbChecksum } from './signalFormats.ts';

const decode = (bytes: number[], format: number, spf: number[], frames: number) =>
  decodeSignalGroup(Uint8Array.from(bytes), format, spf, frames, 'test.dat').map((a) => Array.from(a));

describe('decodeSignalGroup', () => {
  it('format 16: little-endian int16, signals interleaved frame by frame', () => {
    expect(decode([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f], 16, [1, 1], 2)).toEqual([
      [1, -32768],
      [-1, 32767],
    ]);
  });

  it('format 61: big-endian int16', () => {
    expect(decode([0x00, 0x01, 0xff, 0xfe], 61, [1], 2)).toEqual([[1, -2]]);
  });

  it('format 80: offset binary bytes', () => {
    expect(decode([0x80, 0x00, 0xff], 80, [1], 3)).toEqual([[0, -128, 127]]);
  });

  it('format 160: offset binary 16-bit', () => {
    expect(decode([0x00, 0x80, 0x00, 0x00, 0xff, 0xff], 160, [1], 3)).toEqual([[0, -32768, 32767]]);
  });

  it('format 212: two 12-bit samples in three bytes, sign-extended', () => {
    // Samples 0x123 = 291 and 0xFFE = −2 → bytes 0x23, (0xF << 4) | 0x1, 0xFE.
    expect(decode([0x23, 0xf1, 0xfe], 212, [1, 1], 1)).toEqual([[291], [-2]]);
    // Extremes: 2047 (0x7FF) and −2048 (0x800).
    expect(decode([0xff, 0x87, 0x00], 212, [1, 1], 1)).toEqual([[2047], [-2048]]);
  });

  it('format 212: an odd group size keeps pairing across frame boundaries', () => {
    // Three signals, two frames = six samples 1..6 packed as three pairs.
    const pack = (a: number, b: number) => [a & 0xff, ((b >> 8) << 4) | (a >> 8), b & 0xff];
    const bytes = [...pack(1, 2), ...pack(3, 4), ...pack(5, 6)];
    expect(decode(bytes, 212, [1, 1, 1], 2)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    // One signal, three samples: the last one needs only two bytes.
    expect(decode([...pack(7, 8), 9, 0], 212, [1], 3)).toEqual([[7, 8, 9]]);
  });

  it('honours samples per frame: a 2× signal contributes two consecutive samples per frame', () => {
    const le = (...v: number[]) => v.flatMap((x) => [x & 0xff, (x >> 8) & 0xff]);
    expect(decode(le(10, 11, 100, 20, 21, 200), 16, [2, 1], 2)).toEqual([
      [10, 11, 20, 21],
      [100, 200],
    ]);
  });

  it('throws a WfdbError naming the file when bytes run out', () => {
    expect(() => decode([1, 0, 2], 16, [1, 1], 1)).toThrow(WfdbError);
    expect(() => decode([1, 0, 2], 16, [1, 1], 1)).toThrow(/test.dat: truncated/);
    expect(() => decode([1, 2, 3, 4], 212, [1], 3)).toThrow(/truncated/);
  });

  it('refuses formats whose samples do not fit int16, by name', () => {
    expect(() => decode([], 24, [1], 0)).toThrow(/format 24 is not supported/);
    expect(() => decode([], 8, [1], 0)).toThrow(/format 8 is not supported/);
  });
});

describe('framesInBytes', () => {
  it('counts whole frames only', () => {
    expect(framesInBytes(16, [1, 1], 9)).toBe(2);
    expect(framesInBytes(212, [1, 1], 6)).toBe(2);
    expect(framesInBytes(212, [1], 5)).toBe(3);
    expect(framesInBytes(80, [2, 1], 7)).toBe(2);
  });
});

describe('wfdbChecksum and invalid-sample markers', () => {
  it('sums all samples modulo 2^16 as a signed value', () => {
    expect(wfdbChecksum(Int16Array.from([1, 2, 3]))).toBe(6);
    expect(wfdbChecksum(Int16Array.from([32767, 1]))).toBe(-32768);
    expect(wfdbChecksum(Int16Array.from([-1, -1]))).toBe(-2);
    expect(wfdbChecksum(new Int16Array(70_000).fill(1))).toBe(70_000 - 65_536);
  });

  it('knows each format’s invalid-sample value', () => {
    expect([16, 61, 160, 80, 212].map(invalidSampleValue)).toEqual([-32768, -32768, -32768, -128, -2048]);
  });
});
