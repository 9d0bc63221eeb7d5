import type { EcgStrip } from '@legevakt/shared';
import { describe, expect, it } from 'vitest';
import {
  freezeTrace,
  maxSecondsBack,
  pickWindow,
  sampleTime,
  stripSamples,
  stripSignal,
  windowEndTime,
} from './stripWindow.ts';
import type { WaveformTrace } from './VitalsStore.ts';

function trace(received: number, ring: number, rateHz = 360, newestAt = 1_736_888_000_000.5): WaveformTrace {
  const values = new Float32Array(ring);
  // The ring holds value k at k % ring: value = k.
  for (let k = Math.max(0, received - ring); k < received; k++) values[k % ring] = k;
  return { signal: 'II', streamId: 's-0', rateHz, values, received, newestAt, nextSample: received };
}

describe('freeze and pick', () => {
  it('copies the ring out oldest first, also after it has wrapped', () => {
    expect([...freezeTrace(trace(5, 8)).values]).toEqual([0, 1, 2, 3, 4]);
    expect([...freezeTrace(trace(13, 8)).values]).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(freezeTrace(trace(13, 8))).toMatchObject({ signal: 'II', streamId: 's-0', rateHz: 360 });
  });

  it('gives every frozen value its device time, newest last', () => {
    const frozen = freezeTrace(trace(720, 720));
    expect(sampleTime(frozen, 719)).toBe(frozen.newestAt);
    expect(sampleTime(frozen, 0)).toBeCloseTo(frozen.newestAt - (719 / 360) * 1000, 6);
  });

  it('ends the request just after the window’s last sample and before the next', () => {
    for (const rate of [250, 360, 500, 1000]) {
      const frozen = freezeTrace(trace(rate * 30, rate * 30, rate));
      for (const last of [0, 1234, rate * 30 - 1]) {
        const end = windowEndTime(frozen, last);
        expect(Number.isInteger(end)).toBe(true);
        expect(sampleTime(frozen, last)).toBeLessThan(end);
        if (last + 1 < rate * 30) expect(sampleTime(frozen, last + 1)).toBeGreaterThanOrEqual(end);
      }
    }
  });

  it('picks a 10 s window anywhere in the frozen 30 s, clamped to what is there', () => {
    const frozen = freezeTrace(trace(360 * 30, 360 * 30));
    expect(pickWindow(frozen, 10, 0)).toEqual({ first: 360 * 20, last: 360 * 30 - 1 });
    expect(pickWindow(frozen, 10, 5)).toEqual({ first: 360 * 15, last: 360 * 25 - 1 });
    expect(pickWindow(frozen, 10, 25)).toEqual({ first: 0, last: 3599 });
    expect(maxSecondsBack(frozen, 10)).toBe(20);
    const short = freezeTrace(trace(360 * 4, 360 * 30));
    expect(pickWindow(short, 10, 0)).toEqual({ first: 0, last: 360 * 4 - 1 });
    expect(maxSecondsBack(short, 10)).toBe(0);
  });
});

describe('strip samples', () => {
  const strip = (bytes: number[], signals: EcgStrip['signals'] = ['II', 'V5']): EcgStrip => ({
    id: '00000000-0000-4000-8000-000000000001',
    consultId: '00000000-0000-4000-8000-000000000002',
    capturedAt: 0,
    capturedBy: 'u',
    capturedByName: 'U',
    streamId: 's',
    signals,
    sampleRateHz: 360,
    gain: 200,
    baseline: 1024,
    startTime: 0,
    length: bytes.length / 2 / signals.length,
    samplesBase64: Buffer.from(bytes).toString('base64'),
  });

  it('decodes little-endian int16 over the whole range', () => {
    expect([...stripSamples(strip([0, 0, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x80]))]).toEqual([0, -1, 32767, -32768]);
    expect(() => stripSamples({ samplesBase64: Buffer.from([1, 2, 3]).toString('base64') })).toThrow(/odd/);
  });

  it('gives one signal in mV', () => {
    // II: 1224, 824; V5: 1024, 1424 → (v − 1024) / 200
    const s = strip([0xc8, 0x04, 0x00, 0x04, 0x38, 0x03, 0x90, 0x05]);
    expect([...stripSignal(s, stripSamples(s), 'II')!]).toEqual([1, -1]);
    expect([...stripSignal(s, stripSamples(s), 'V5')!]).toEqual([0, 2]);
    expect(stripSignal(s, stripSamples(s), 'V1')).toBeNull();
  });
});
