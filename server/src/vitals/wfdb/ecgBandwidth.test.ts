import { describe, expect, it } from 'vitest';
import { loadPtbTwelveLead, measurePtbTwelveLeadBandwidth } from './ecgBandwidth.ts';

describe('data-channel bandwidth of a real 12-lead ECG (PTB s0010_re at 500 Hz, 100 ms chunks)', () => {
  it('decimates the 12 standard leads to 500 Hz', async () => {
    const source = await loadPtbTwelveLead(500);
    expect(source.signals).toHaveLength(12);
    expect(source.series.every((s) => s.length === 19_200)).toBe(true);
    expect(Array.from(source.series[0]!.slice(0, 3))).toEqual([-489, -483, -463]);
  });

  it('costs well under int16 and a fraction of JSON', async () => {
    const m = await measurePtbTwelveLeadBandwidth(500, 100);
    console.info(
      `12-lead ECG @ 500 Hz, 100 ms chunks: binary ${m.binaryBytesPerSecond.toFixed(0)} B/s ` +
        `(${m.binaryBytesPerSample.toFixed(3)} B/sample), int16 ${m.int16BytesPerSecond} B/s, ` +
        `JSON ${m.jsonBytesPerSecond.toFixed(0)} B/s`,
    );
    expect(m.seconds).toBe(38.4);
    expect(m.int16BytesPerSecond).toBe(12_000);
    // Measured 7 464 B/s (1.24 B/sample incl. headers). The bounds leave room for
    // codec tweaks but catch a regression to int16-sized or worse.
    expect(m.binaryBytesPerSecond).toBeGreaterThan(6_000);
    expect(m.binaryBytesPerSecond).toBeLessThan(9_000);
    expect(m.jsonBytesPerSecond).toBeGreaterThan(2 * m.int16BytesPerSecond);
  });
});
