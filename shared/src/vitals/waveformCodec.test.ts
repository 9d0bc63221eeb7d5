import { describe, expect, it } from 'vitest';
import { ECG_LEADS, WaveformSignal, type WaveformChunk } from './model.ts';
import { randomInt, seededRandom } from './testRandom.ts';
import { decodeWaveformChunk, encodeWaveformChunk, unzigzag, VitalsDecodeError, zigzag } from './waveformCodec.ts';

function chunk(overrides: Partial<WaveformChunk> = {}): WaveformChunk {
  return {
    streamId: 'monitor-7/ecg',
    signals: ['I', 'II'],
    sampleRateHz: 500,
    gain: 200,
    baseline: 0,
    firstSample: 1_234_567,
    startTime: Date.UTC(2026, 0, 15, 8, 0, 0),
    samples: Int16Array.from([0, 1, -1, 2, 5, -3]),
    ...overrides,
  };
}

function expectSameChunk(actual: WaveformChunk, expected: WaveformChunk): void {
  expect({ ...actual, samples: Array.from(actual.samples) }).toEqual({
    ...expected,
    signals: [...expected.signals],
    samples: Array.from(expected.samples),
  });
}

/** Decoding must either succeed canonically or throw VitalsDecodeError — nothing else. */
function decodeOrDecodeError(bytes: Uint8Array): 'ok' | 'rejected' {
  try {
    const decoded = decodeWaveformChunk(bytes);
    expect(Array.from(encodeWaveformChunk(decoded))).toEqual(Array.from(bytes));
    return 'ok';
  } catch (err) {
    if (err instanceof VitalsDecodeError) return 'rejected';
    throw err;
  }
}

describe('zigzag', () => {
  it.each([
    [0, 0],
    [-1, 1],
    [1, 2],
    [-2, 3],
    [63, 126],
    [-64, 127],
    [65535, 131070],
    [-65535, 131069],
  ])('%i ↔ %i', (n, z) => {
    expect(zigzag(n)).toBe(z);
    expect(unzigzag(z)).toBe(n);
  });
});

describe('encodeWaveformChunk: layout', () => {
  it('writes the documented header and zigzag-LEB128 first differences', () => {
    const bytes = encodeWaveformChunk({
      streamId: 'a',
      signals: ['II'],
      sampleRateHz: 500,
      gain: 200,
      baseline: 0,
      firstSample: 1,
      startTime: 0,
      samples: Int16Array.from([0, 1, -1, 64]),
    });
    // prettier-ignore
    expect(Array.from(bytes)).toEqual([
      0x57, 0x01, // magic, version
      0x01, 0x61, // stream id "a"
      0x01, 0x01, // one signal: II = code 1
      0, 0, 0, 0, 0, 0x40, 0x7f, 0x40, // 500.0 float64 LE
      0, 0, 0, 0, 0, 0, 0x69, 0x40, // 200.0 float64 LE
      0, 0, 0, 0, // baseline int32
      1, 0, 0, 0, 0, 0, 0, 0, // firstSample uint64
      0, 0, 0, 0, 0, 0, 0, 0, // startTime float64
      4, 0, 0, 0, // 4 frames
      0x00, // 0 − baseline 0 → 0
      0x02, // +1 → zigzag 2
      0x03, // −2 → zigzag 3
      0x82, 0x01, // +65 → zigzag 130 → two LEB128 bytes
    ]);
  });

  it('stores signals signal-major so each delta stream is contiguous', () => {
    const bytes = encodeWaveformChunk(chunk({ streamId: '', samples: Int16Array.from([10, 20, 11, 21]) }));
    // I: 10, 11 → zigzag(10)=20, zigzag(1)=2; II: 20, 21 → 40, 2.
    expect(Array.from(bytes.slice(-4))).toEqual([20, 2, 40, 2]);
  });

  it('predicts the first sample from the baseline, so a centred ECG starts with a 1-byte residual', () => {
    const at = (baseline: number) =>
      encodeWaveformChunk(chunk({ signals: ['II'], baseline, samples: Int16Array.from([1024]) })).at(-1);
    expect(at(1024)).toBe(0);
    expect(at(1000)).toBe(48);
  });

  it('codes signal indices in WaveformSignal order (Pleth = 12)', () => {
    const bytes = encodeWaveformChunk(
      chunk({ streamId: '', signals: ['Pleth', 'V6', 'I'], samples: new Int16Array(0) }),
    );
    expect(Array.from(bytes.slice(3, 7))).toEqual([3, 12, 11, 0]);
    expect(WaveformSignal.options.indexOf('Pleth')).toBe(12);
  });
});

describe('waveform codec round trip', () => {
  it('round-trips a chunk exactly, including UTF-8 stream id and fractional gain/rate', () => {
    const c = chunk({ streamId: 'Tromsø legevakt 🫀', gain: 0.1, sampleRateHz: 62.5, baseline: -70000 });
    expectSameChunk(decodeWaveformChunk(encodeWaveformChunk(c)), c);
  });

  it('keeps firstSample exact beyond 2^32 (a 1000 Hz stream after 50 days) up to 2^53−1', () => {
    for (const firstSample of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, 1000 * 86_400 * 60, Number.MAX_SAFE_INTEGER]) {
      expect(decodeWaveformChunk(encodeWaveformChunk(chunk({ firstSample }))).firstSample).toBe(firstSample);
    }
  });

  it('round-trips int16 extremes and full-scale jumps', () => {
    const extremes = [-32768, 32767, -32768, 32767, 0, -32768, -32768, 32767, 32767, -1, 0, 1];
    const c = chunk({ signals: ['II'], baseline: 32767, samples: Int16Array.from(extremes) });
    const bytes = encodeWaveformChunk(c);
    expectSameChunk(decodeWaveformChunk(bytes), c);
    // A 65535 jump is the worst case: 3 bytes, never more.
    expect(bytes.length).toBeLessThanOrEqual(50 + 3 * extremes.length);
  });

  it('round-trips a zero-frame chunk', () => {
    const c = chunk({ samples: new Int16Array(0) });
    expectSameChunk(decodeWaveformChunk(encodeWaveformChunk(c)), c);
  });

  for (const seed of [1, 2, 3, 42, 2026]) {
    it(`round-trips random int16 data of every signal count (seed ${seed})`, () => {
      const rand = seededRandom(seed);
      for (let trial = 0; trial < 40; trial++) {
        const n = randomInt(rand, 1, WaveformSignal.options.length);
        const signals = [...WaveformSignal.options].sort(() => rand() - 0.5).slice(0, n);
        const frames = randomInt(rand, 0, 120);
        const samples = new Int16Array(frames * n);
        // Mix uniform noise, extremes and small walks so every varint length occurs.
        let walk = randomInt(rand, -32768, 32767);
        for (let i = 0; i < samples.length; i++) {
          const mode = rand();
          if (mode < 0.3) samples[i] = randomInt(rand, -32768, 32767);
          else if (mode < 0.4) samples[i] = rand() < 0.5 ? -32768 : 32767;
          else {
            walk = Math.max(-32768, Math.min(32767, walk + randomInt(rand, -100, 100)));
            samples[i] = walk;
          }
        }
        const c = chunk({ signals, samples, baseline: randomInt(rand, -100_000, 100_000) });
        expectSameChunk(decodeWaveformChunk(encodeWaveformChunk(c)), c);
      }
    });
  }

  it('spends about one byte per sample on a slowly varying ECG-like signal', () => {
    const frames = 500;
    const samples = new Int16Array(frames * ECG_LEADS.length);
    for (let f = 0; f < frames; f++) {
      for (let s = 0; s < ECG_LEADS.length; s++) samples[f * 12 + s] = Math.round(300 * Math.sin((f + s * 7) / 40));
    }
    const bytes = encodeWaveformChunk(chunk({ signals: ECG_LEADS, samples }));
    expect(bytes.length / samples.length).toBeLessThan(1.1);
    expect(bytes.length).toBeLessThan(samples.length * 2);
  });
});

describe('encodeWaveformChunk: refuses chunks it could not round-trip', () => {
  it.each<[string, Partial<WaveformChunk>]>([
    ['no signals', { signals: [], samples: new Int16Array(0) }],
    ['a repeated signal', { signals: ['I', 'I'] }],
    ['an unknown signal', { signals: ['I', 'X' as WaveformSignal] }],
    ['samples not a multiple of the signal count', { samples: Int16Array.from([1, 2, 3]) }],
    ['zero sample rate', { sampleRateHz: 0 }],
    ['NaN gain', { gain: Number.NaN }],
    ['negative gain', { gain: -1 }],
    ['fractional baseline', { baseline: 0.5 }],
    ['baseline beyond int32', { baseline: 2 ** 31 }],
    ['negative firstSample', { firstSample: -1 }],
    ['firstSample beyond 2^53', { firstSample: 2 ** 53 }],
    ['infinite startTime', { startTime: Infinity }],
    ['a 256-byte stream id', { streamId: 'ø'.repeat(128) }],
  ])('%s', (_name, overrides) => {
    expect(() => encodeWaveformChunk(chunk(overrides))).toThrow(RangeError);
  });

  it('accepts a 255-byte stream id', () => {
    const c = chunk({ streamId: 'x'.repeat(255) });
    expect(decodeWaveformChunk(encodeWaveformChunk(c)).streamId).toBe(c.streamId);
  });
});

describe('decodeWaveformChunk: rejects bad input with VitalsDecodeError', () => {
  const valid = encodeWaveformChunk(chunk());

  it('at every truncation point', () => {
    for (let len = 0; len < valid.length; len++) {
      expect(() => decodeWaveformChunk(valid.slice(0, len)), `length ${len}`).toThrow(VitalsDecodeError);
    }
  });

  function patched(offset: number, ...bytes: number[]): Uint8Array {
    const copy = valid.slice();
    copy.set(bytes, offset);
    return copy;
  }
  const idLength = 'monitor-7/ecg'.length;
  const signalsAt = 3 + idLength; // signal count byte
  const framesAt = signalsAt + 3 + 8 + 8 + 4 + 8 + 8;

  it.each<[string, () => Uint8Array, RegExp]>([
    ['wrong magic', () => patched(0, 0x7b), /magic/],
    ['unknown version', () => patched(1, 2), /version 2/],
    ['invalid UTF-8 stream id', () => patched(3, 0xff), /stream id/],
    ['zero signals', () => patched(signalsAt, 0), /signal count 0/],
    ['unknown signal code', () => patched(signalsAt + 1, 13), /unknown signal code 13/],
    ['repeated signal', () => patched(signalsAt + 1, 1, 1), /repeated/],
    ['NaN sample rate', () => patched(signalsAt + 3, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f), /sample rate/],
    ['firstSample ≥ 2^53', () => patched(signalsAt + 3 + 20, 0, 0, 0, 0, 0, 0, 0x20, 0), /2\^53/],
    ['a frame count the bytes cannot hold', () => patched(framesAt, 0xff, 0xff, 0xff, 0xff), /4294967295 frames × 2/],
    ['a trailing byte', () => Uint8Array.from([...valid, 0]), /trailing/],
  ])('%s', (_name, bytes, message) => {
    expect(() => decodeWaveformChunk(bytes())).toThrow(VitalsDecodeError);
    expect(() => decodeWaveformChunk(bytes())).toThrow(message);
  });

  function singleSample(residual: number[]): Uint8Array {
    const head = encodeWaveformChunk(chunk({ streamId: '', signals: ['I'], samples: new Int16Array(1) }));
    return Uint8Array.from([...head.slice(0, -1), ...residual]);
  }

  it('rejects a non-canonical (overlong) varint', () => {
    expect(decodeWaveformChunk(singleSample([0x02])).samples[0]).toBe(1);
    expect(() => decodeWaveformChunk(singleSample([0x82, 0x00]))).toThrow(/non-canonical/);
  });

  it('rejects a varint longer than any int16 difference needs', () => {
    expect(() => decodeWaveformChunk(singleSample([0x80, 0x80, 0x80, 0x01]))).toThrow(/longer than 3 bytes/);
  });

  it('rejects residuals that leave the int16 range', () => {
    // zigzag 65536 = +32768 from baseline 0
    expect(() => decodeWaveformChunk(singleSample([0x80, 0x80, 0x04]))).toThrow(/outside int16/);
  });
});

describe('decodeWaveformChunk: fuzz', () => {
  const valid = encodeWaveformChunk(
    chunk({ signals: ['I', 'II', 'Pleth'], samples: Int16Array.from({ length: 60 }, (_, i) => (i * 37) % 500) }),
  );

  it('random bytes only ever yield VitalsDecodeError', () => {
    const rand = seededRandom(7);
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = Uint8Array.from({ length: randomInt(rand, 0, 200) }, () => randomInt(rand, 0, 255));
      // Half the trials get a valid magic and version so the fuzz reaches the body.
      if (trial % 2 === 0 && bytes.length >= 2) bytes.set([0x57, 0x01]);
      decodeOrDecodeError(bytes);
    }
  });

  it('mutated valid chunks either decode canonically or throw VitalsDecodeError', () => {
    const rand = seededRandom(11);
    const outcomes = { ok: 0, rejected: 0 };
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = valid.slice();
      const flips = randomInt(rand, 1, 4);
      for (let k = 0; k < flips; k++) bytes[randomInt(rand, 0, bytes.length - 1)]! ^= 1 << randomInt(rand, 0, 7);
      outcomes[decodeOrDecodeError(bytes)]++;
    }
    // Both paths must be exercised or the test proves little.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });
});
