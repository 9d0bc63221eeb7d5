import { describe, expect, it } from 'vitest';
import { ECG_LEADS } from './model.ts';
import { chunkWaveform, measureWaveformBandwidth, type WaveformSource } from './waveformBandwidth.ts';

function syntheticEcg(seconds: number, rateHz: number): WaveformSource {
  const length = seconds * rateHz;
  const series = ECG_LEADS.map((_, lead) =>
    Int16Array.from({ length }, (_, i) => {
      const t = i / rateHz;
      // A narrow "QRS" spike once a second on a slow wander, 0.5 µV per unit.
      const beat = Math.exp(-(((t % 1) - 0.3) ** 2) / 0.0002) * 2000;
      return Math.round(beat * Math.cos(lead) + 200 * Math.sin(t * 2));
    }),
  );
  return { signals: ECG_LEADS, sampleRateHz: rateHz, gain: 2000, baseline: 0, series };
}

describe('chunkWaveform', () => {
  const source: WaveformSource = {
    signals: ['I', 'II'],
    sampleRateHz: 500,
    gain: 200,
    baseline: 0,
    series: [Int16Array.from({ length: 120 }, (_, i) => i), Int16Array.from({ length: 120 }, (_, i) => -i)],
  };

  it('cuts interleaved chunks with consecutive firstSample and startTime, dropping the partial tail', () => {
    const chunks = [...chunkWaveform(source, 100, 1000)];
    expect(chunks.map((c) => [c.firstSample, c.startTime, c.samples.length])).toEqual([
      [0, 1000, 100],
      [50, 1100, 100],
    ]);
    expect(Array.from(chunks[1]!.samples.slice(0, 4))).toEqual([50, -50, 51, -51]);
  });

  it('refuses mismatched series', () => {
    expect(() => [...chunkWaveform({ ...source, series: [source.series[0]!] }, 100)]).toThrow(RangeError);
    const ragged = { ...source, series: [source.series[0]!, new Int16Array(3)] };
    expect(() => [...chunkWaveform(ragged, 100)]).toThrow(/length/);
  });
});

describe('measureWaveformBandwidth', () => {
  it('ranks binary < int16 < JSON for a 12-lead ECG-like signal and counts framing', () => {
    const m = measureWaveformBandwidth(syntheticEcg(4, 500), 100);
    expect(m.chunks).toBe(40);
    expect(m.framesPerChunk).toBe(50);
    expect(m.seconds).toBe(4);
    expect(m.int16BytesPerSecond).toBe(12 * 500 * 2);
    expect(m.binaryBytesPerSecond).toBeLessThan(m.int16BytesPerSecond);
    expect(m.jsonBytesPerSecond).toBeGreaterThan(m.int16BytesPerSecond);
    // At least the per-chunk header is paid: 10 chunks/s × (9 framing + ~60 header).
    expect(m.binaryBytesPerSecond).toBeGreaterThan(12 * 500 + 10 * 60);
  });

  it('refuses a source shorter than one chunk', () => {
    expect(() =>
      measureWaveformBandwidth({ ...syntheticEcg(1, 500), series: ECG_LEADS.map(() => new Int16Array(10)) }, 100),
    ).toThrow(/shorter than one chunk/);
  });
});
