import { describe, expect, it } from 'vitest';
import type { VitalSample, WaveformChunk } from './model.ts';
import { randomInt, seededRandom } from './testRandom.ts';
import { utf8Encode } from './utf8.ts';
import { encodeWaveformChunk, VitalsDecodeError } from './waveformCodec.ts';
import { decodeVitalsMessage, encodeVitalsMessage, type VitalsMessage } from './vitalsMessage.ts';

const spo2: VitalSample = {
  kind: 'spo2',
  value: 94,
  unit: '%',
  measuredAt: Date.UTC(2026, 0, 15, 8, 0, 0),
  device: 'Nonin 3230',
  source: 'bluetooth',
  quality: [],
};
const temperature: VitalSample = {
  kind: 'temperature',
  value: 38.4,
  unit: 'Cel',
  measuredAt: Date.UTC(2026, 0, 15, 8, 0, 5),
  device: 'Braun ThermoScan',
  source: 'manual',
  quality: ['questionable'],
  site: 'ear',
};
const chunk: WaveformChunk = {
  streamId: 'ecg',
  signals: ['II'],
  sampleRateHz: 250,
  gain: 200,
  baseline: 0,
  firstSample: 500,
  startTime: 1_768_464_000_000,
  samples: Int16Array.from([3, 4, 5]),
};

function frame(seq: number, type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(seq), true);
  out[8] = type;
  out.set(payload, 9);
  return out;
}

describe('vitals message framing', () => {
  it('round-trips numerics as JSON after an 8-byte seq and type byte 1', () => {
    const bytes = encodeVitalsMessage(17, { type: 'numerics', samples: [spo2, temperature] });
    expect(Array.from(bytes.slice(0, 9))).toEqual([17, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(decodeVitalsMessage(bytes)).toEqual({
      seq: 17,
      message: { type: 'numerics', samples: [spo2, temperature] },
    });
  });

  it('round-trips a waveform as type byte 2 followed by the waveform codec bytes', () => {
    const bytes = encodeVitalsMessage(2 ** 40, { type: 'waveform', chunk });
    expect(bytes[8]).toBe(2);
    expect(Array.from(bytes.slice(9))).toEqual(Array.from(encodeWaveformChunk(chunk)));
    const { seq, message } = decodeVitalsMessage(bytes);
    expect(seq).toBe(2 ** 40);
    if (message.type !== 'waveform') throw new Error('expected a waveform');
    expect(Array.from(message.chunk.samples)).toEqual([3, 4, 5]);
    expect(message.chunk.firstSample).toBe(500);
  });

  it('carries seq up to 2^53−1 and refuses anything it could not', () => {
    const msg: VitalsMessage = { type: 'numerics', samples: [] };
    expect(decodeVitalsMessage(encodeVitalsMessage(Number.MAX_SAFE_INTEGER, msg)).seq).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeVitalsMessage(encodeVitalsMessage(0, msg)).seq).toBe(0);
    expect(() => encodeVitalsMessage(-1, msg)).toThrow(RangeError);
    expect(() => encodeVitalsMessage(1.5, msg)).toThrow(RangeError);
    expect(() => encodeVitalsMessage(2 ** 53, msg)).toThrow(RangeError);
    expect(() => decodeVitalsMessage(frame(0, 1, utf8Encode('[]')).fill(0xff, 0, 8))).toThrow(VitalsDecodeError);
  });

  it('fills schema defaults on decode (quality defaults to [])', () => {
    const withoutQuality: Partial<VitalSample> = { ...spo2 };
    delete withoutQuality.quality;
    const { message } = decodeVitalsMessage(frame(1, 1, utf8Encode(JSON.stringify([withoutQuality]))));
    expect(message).toEqual({ type: 'numerics', samples: [spo2] });
  });

  it('refuses to encode numerics that do not satisfy the schema', () => {
    const bad = { ...spo2, value: Number.NaN };
    expect(() => encodeVitalsMessage(1, { type: 'numerics', samples: [bad] })).toThrow();
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['an empty message', new Uint8Array(0), /truncated/],
    ['a message with no type byte', new Uint8Array(8), /truncated/],
    ['an unknown type', frame(1, 9, new Uint8Array(0)), /unknown vitals message type 9/],
    ['numerics that are not JSON', frame(1, 1, utf8Encode('[{')), /not UTF-8 JSON/],
    ['numerics that are not UTF-8', frame(1, 1, Uint8Array.from([0x5b, 0xff, 0x5d])), /not UTF-8 JSON/],
    ['numerics of an unknown kind', frame(1, 1, utf8Encode(JSON.stringify([{ ...spo2, kind: 'glucose' }]))), /kind/],
    ['numerics that are an object', frame(1, 1, utf8Encode('{}')), /not a VitalSample array/],
    ['a waveform with trailing garbage', frame(1, 2, Uint8Array.from([...encodeWaveformChunk(chunk), 1])), /trailing/],
  ])('rejects %s with VitalsDecodeError', (_name, bytes, message) => {
    expect(() => decodeVitalsMessage(bytes)).toThrow(VitalsDecodeError);
    expect(() => decodeVitalsMessage(bytes)).toThrow(message);
  });

  it('fuzz: random and mutated frames only ever yield VitalsDecodeError', () => {
    const rand = seededRandom(99);
    const seeds = [
      encodeVitalsMessage(5, { type: 'numerics', samples: [spo2, temperature] }),
      encodeVitalsMessage(6, { type: 'waveform', chunk }),
    ];
    for (let trial = 0; trial < 3000; trial++) {
      let bytes: Uint8Array;
      if (trial % 3 === 0) {
        bytes = Uint8Array.from({ length: randomInt(rand, 0, 120) }, () => randomInt(rand, 0, 255));
      } else {
        bytes = seeds[trial % 2]!.slice(0, randomInt(rand, 0, seeds[trial % 2]!.length));
        if (bytes.length > 0) bytes[randomInt(rand, 0, bytes.length - 1)]! ^= 1 << randomInt(rand, 0, 7);
      }
      try {
        decodeVitalsMessage(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(VitalsDecodeError);
      }
    }
  });
});
