import { describe, expect, it } from 'vitest';
import { encodeWaveformChunk, type VitalSample, type WaveformChunk } from '@legevakt/shared';
import { Hl7ToVitals, split } from './hl7ToVitals.ts';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

function chunk(startTime: number, frames: number, firstSample = 0, rate = 500): WaveformChunk {
  return {
    streamId: 'GW/ecg:I,II',
    signals: ['I', 'II'],
    sampleRateHz: rate,
    gain: 1000,
    baseline: 0,
    firstSample,
    startTime,
    samples: Int16Array.from({ length: frames * 2 }, (_, i) => ((i * 37) % 400) - 200),
  };
}

const firstSamples = (mapped: ReturnType<Hl7ToVitals['map']>): number[] =>
  mapped.messages.flatMap((m) => (m.type === 'waveform' ? [m.chunk.firstSample] : []));

describe('Hl7ToVitals', () => {
  it('numbers samples itself: contiguous chunks continue, whatever the listener said', () => {
    const mapper = new Hl7ToVitals();
    const a = mapper.map({ numerics: [], waveforms: [chunk(T0, 100, 999)] });
    mapper.commit(a.streams);
    const b = mapper.map({ numerics: [], waveforms: [chunk(T0 + 200, 100, 5)] });
    mapper.commit(b.streams);
    expect([...firstSamples(a), ...firstSamples(b)]).toEqual([0, 100]);
  });

  it('a message mapped but not committed (a resend dropped, a refused write) leaves no gap', () => {
    const mapper = new Hl7ToVitals();
    mapper.commit(mapper.map({ numerics: [], waveforms: [chunk(T0, 100)] }).streams);
    mapper.map({ numerics: [], waveforms: [chunk(T0 + 200, 100)] }); // not committed
    const again = mapper.map({ numerics: [], waveforms: [chunk(T0 + 200, 100)] });
    expect(firstSamples(again)).toEqual([100]);
  });

  it('continues the count after a restart from the persisted states, skipping ahead over a pause', () => {
    const first = new Hl7ToVitals();
    const a = first.map({ numerics: [], waveforms: [chunk(T0, 100)] });
    first.commit(a.streams);
    const restarted = new Hl7ToVitals(new Map(Object.entries(a.streams)));
    // 10 s later (the bridge was down): 5000 samples were never sent.
    const b = restarted.map({ numerics: [], waveforms: [chunk(T0 + 200 + 10_000, 100)] });
    expect(firstSamples(b)).toEqual([100 + 5000]);
  });

  it('restarts the time base (count never goes back) when time jumps back or the rate changes', () => {
    const mapper = new Hl7ToVitals();
    mapper.commit(mapper.map({ numerics: [], waveforms: [chunk(T0, 100)] }).streams);
    const back = mapper.map({ numerics: [], waveforms: [chunk(T0 - 60_000, 100)] });
    mapper.commit(back.streams);
    expect(firstSamples(back)).toEqual([100]);
    const rate = mapper.map({ numerics: [], waveforms: [chunk(T0 + 500, 50, 0, 250)] });
    expect(firstSamples(rate)).toEqual([200]);
  });

  it('cuts a large chunk into consecutive parts under the size limit, same samples', () => {
    const big = chunk(T0, 4000);
    big.samples = Int16Array.from({ length: 8000 }, (_, i) => ((i * 7919) % 20000) - 10000);
    const parts = split(big, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(encodeWaveformChunk(part).byteLength).toBeLessThanOrEqual(4096);
    let frame = 0;
    for (const part of parts) {
      expect(part.firstSample).toBe(frame);
      expect(part.startTime).toBe(T0 + (frame * 1000) / 500);
      frame += part.samples.length / 2;
    }
    const joined = new Int16Array(big.samples.length);
    let offset = 0;
    for (const part of parts) {
      joined.set(part.samples, offset);
      offset += part.samples.length;
    }
    expect(joined).toEqual(big.samples);
    expect(split(chunk(T0, 10), 4096)).toHaveLength(1);
  });

  it('puts numerics first, in messages of at most 100 samples, then the waveforms', () => {
    const sample: VitalSample = {
      kind: 'spo2',
      value: 97,
      unit: '%',
      measuredAt: T0,
      device: 'GW',
      source: 'monitor-hl7',
      quality: [],
    };
    const mapped = new Hl7ToVitals().map({
      numerics: Array<VitalSample>(250).fill(sample),
      waveforms: [chunk(T0, 10)],
    });
    expect(mapped.messages.map((m) => (m.type === 'numerics' ? m.samples.length : 'wave'))).toEqual([
      100,
      100,
      50,
      'wave',
    ]);
  });
});
