import type { SimulatorRecording, SimulatorStream, WaveformSignal } from '@legevakt/shared';
import { physionetRecord } from '../wfdb/physionetData.ts';
import { assertWfdbRecordVerified, readWfdbRecord, type WfdbSignal } from '../wfdb/record.ts';

/** WFDB signal descriptions → our signal names. Leads we cannot name with certainty are left out. */
const SIGNAL_NAMES: Record<string, WaveformSignal> = {
  MLII: 'II',
  II: 'II',
  V5: 'V5',
  i: 'I',
  ii: 'II',
  iii: 'III',
  avr: 'aVR',
  avl: 'aVL',
  avf: 'aVF',
  v1: 'V1',
  v2: 'V2',
  v3: 'V3',
  v4: 'V4',
  v5: 'V5',
  v6: 'V6',
  PLETH: 'Pleth',
};

interface RecordingSpec {
  record: Parameters<typeof physionetRecord>[0];
  title: string;
  /** Keep every n-th sample (PTB's 1000 Hz → 500 Hz, what a 12-lead monitor exports). */
  decimate: number;
  seconds: number;
  numerics: SimulatorRecording['numerics'];
}

const SPECS: Record<string, RecordingSpec> = {
  'mitdb-100': {
    record: 'mitdb-100',
    title: 'MIT-BIH 100: sinusrytme, 2 avledninger (360 Hz)',
    decimate: 1,
    seconds: 120,
    numerics: { heartRate: 75, spo2: 97, systolic: 132, diastolic: 81, temperature: 37.1, respirationRate: 16 },
  },
  'ptbdb-s0010_re': {
    record: 'ptbdb-s0010_re',
    title: 'PTB s0010: 12-avlednings EKG (500 Hz)',
    decimate: 2,
    seconds: 38,
    numerics: { heartRate: 68, spo2: 95, systolic: 148, diastolic: 92, temperature: 36.8, respirationRate: 18 },
  },
  'challenge2015-a103l': {
    record: 'challenge2015-a103l',
    title: 'CinC 2015 a103l: EKG II og pleth (250 Hz)',
    decimate: 1,
    seconds: 120,
    numerics: { heartRate: 88, spo2: 93, systolic: 104, diastolic: 62, temperature: 38.4, respirationRate: 22 },
  },
};

export const RECORDING_IDS = Object.keys(SPECS);

const cache = new Map<string, Promise<SimulatorRecording>>();

/**
 * A recording prepared for the monitor simulator: verified against its header's
 * checksums, signals with the same gain and baseline grouped into one stream
 * (one chunk carries one gain), trimmed and decimated to a monitor's rate.
 */
export function loadRecording(id: string): Promise<SimulatorRecording> | null {
  const spec = SPECS[id];
  if (!spec) return null;
  let loading = cache.get(id);
  if (!loading) {
    loading = prepare(id, spec);
    cache.set(id, loading);
    loading.catch(() => cache.delete(id));
  }
  return loading;
}

async function prepare(id: string, spec: RecordingSpec): Promise<SimulatorRecording> {
  const record = await readWfdbRecord(physionetRecord(spec.record));
  assertWfdbRecordVerified(record);
  const usable = record.signals.filter((s) => SIGNAL_NAMES[s.description] !== undefined && s.samplesPerFrame === 1);
  const groups = new Map<string, WfdbSignal[]>();
  for (const signal of usable) {
    const key = `${signal.gain}/${signal.baseline}`;
    groups.set(key, [...(groups.get(key) ?? []), signal]);
  }
  const rate = record.fs / spec.decimate;
  const frames = Math.min(Math.floor(record.nSamples / spec.decimate), Math.round(spec.seconds * rate));
  const streams: SimulatorStream[] = [...groups.values()].map((signals, index) => {
    const interleaved = new Int16Array(frames * signals.length);
    for (let f = 0; f < frames; f++) {
      for (let s = 0; s < signals.length; s++)
        interleaved[f * signals.length + s] = signals[s]!.samples[f * spec.decimate]!;
    }
    return {
      streamId: `${id}-${index}`,
      signals: signals.map((s) => SIGNAL_NAMES[s.description]!),
      sampleRateHz: rate,
      gain: signals[0]!.gain,
      baseline: signals[0]!.baseline,
      samples: Buffer.from(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength).toString('base64'),
    };
  });
  return { id, title: spec.title, durationSeconds: frames / rate, streams, numerics: spec.numerics };
}
