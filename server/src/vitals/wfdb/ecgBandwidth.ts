import { ECG_LEADS, measureWaveformBandwidth, type WaveformBandwidth, type WaveformSource } from '@legevakt/shared';
import { physionetRecord } from './physionetData.ts';
import { assertWfdbRecordVerified, readWfdbRecord, WfdbError } from './record.ts';

/** PTB lead names (i, ii, …, avr, …, v6) in the model's lead order. */
const PTB_LEAD_NAMES = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'] as const;

/**
 * The 12 standard leads of PTB record s0010_re (1000 Hz), decimated to
 * `rateHz` by keeping every n-th sample. No anti-alias filter: PTB is recorded
 * with a wide band, so the decimated signal keeps its high-frequency noise and
 * compresses slightly worse than a monitor's filtered output — a conservative
 * figure.
 */
export async function loadPtbTwelveLead(rateHz = 500): Promise<WaveformSource> {
  const record = await readWfdbRecord(physionetRecord('ptbdb-s0010_re'));
  assertWfdbRecordVerified(record);
  const step = record.fs / rateHz;
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`${rateHz} Hz does not divide ${record.fs} Hz`);
  const series = PTB_LEAD_NAMES.map((name) => {
    const signal = record.signals.find((s) => s.description === name);
    if (signal === undefined) throw new WfdbError(`PTB record ${record.name} has no lead ${name}`);
    return signal.samples.filter((_, i) => i % step === 0);
  });
  const first = record.signals[0]!;
  return {
    streamId: `ptb-${record.name}`,
    signals: ECG_LEADS,
    sampleRateHz: rateHz,
    gain: first.gain,
    baseline: first.baseline,
    series,
  };
}

/** Bytes per second for 12 leads of real ECG in `chunkMs` chunks: binary codec vs int16 vs JSON. */
export async function measurePtbTwelveLeadBandwidth(rateHz = 500, chunkMs = 100): Promise<WaveformBandwidth> {
  return measureWaveformBandwidth(await loadPtbTwelveLead(rateHz), chunkMs);
}
