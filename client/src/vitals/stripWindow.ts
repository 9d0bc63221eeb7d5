import type { EcgStrip, WaveformSignal } from '@legevakt/shared';
import type { WaveformTrace } from './VitalsStore.ts';

/**
 * "Freeze and pick": a copy of the traces at the moment the doctor froze the
 * sweep (the store goes on receiving), and the arithmetic that turns the
 * picked window into the capture request. The strip itself is cut by the
 * server from the stored record; the client only says which window.
 */
export interface FrozenTrace {
  readonly signal: WaveformSignal;
  readonly streamId: string;
  readonly rateHz: number;
  /** Physical values, oldest first. */
  readonly values: Float32Array;
  /** Device time of the newest (last) value, epoch ms. */
  readonly newestAt: number;
}

/** The trace's ring buffer copied out in time order. */
export function freezeTrace(trace: WaveformTrace): FrozenTrace {
  const ring = trace.values.length;
  const count = Math.min(trace.received, ring);
  const values = new Float32Array(count);
  const first = trace.received - count;
  for (let i = 0; i < count; i++) values[i] = trace.values[(first + i) % ring]!;
  return { signal: trace.signal, streamId: trace.streamId, rateHz: trace.rateHz, values, newestAt: trace.newestAt };
}

/** Device time of value `index` (consecutive samples: the store fills every gap before it delivers). */
export function sampleTime(frozen: FrozenTrace, index: number): number {
  return frozen.newestAt - ((frozen.values.length - 1 - index) * 1000) / frozen.rateHz;
}

/** Seconds of the frozen trace. */
export function frozenSeconds(frozen: FrozenTrace): number {
  return frozen.values.length / frozen.rateHz;
}

/**
 * The capture request's endTime for a window whose last sample is `lastIndex`:
 * the server cuts the samples with device times before endTime, so endTime
 * lies just after that sample (sample times are fractional; at up to 1000 Hz
 * the next sample is at least 1 ms later, so it stays out).
 */
export function windowEndTime(frozen: FrozenTrace, lastIndex: number): number {
  return Math.floor(sampleTime(frozen, lastIndex)) + 1;
}

/**
 * The window of `seconds` ending `secondsBeforeNewest` before the newest
 * frozen sample, clamped into the frozen trace: [first, last] value indices.
 */
export function pickWindow(
  frozen: FrozenTrace,
  seconds: number,
  secondsBeforeNewest: number,
): { first: number; last: number } {
  const n = frozen.values.length;
  const length = Math.min(n, Math.round(seconds * frozen.rateHz));
  const back = Math.round(Math.max(0, secondsBeforeNewest) * frozen.rateHz);
  const last = Math.max(length - 1, n - 1 - back);
  return { first: last - length + 1, last };
}

/** The latest a window can end before the newest sample (0 … frozen − window seconds). */
export function maxSecondsBack(frozen: FrozenTrace, seconds: number): number {
  return Math.max(0, Math.floor((frozenSeconds(frozen) - seconds) * 10) / 10);
}

/** A strip's int16 samples (little-endian base64, interleaved), decoded. */
export function stripSamples(strip: Pick<EcgStrip, 'samplesBase64'>): Int16Array {
  const binary = atob(strip.samplesBase64);
  if (binary.length % 2 !== 0) throw new Error('strip samples: odd byte count');
  const out = new Int16Array(binary.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = binary.charCodeAt(2 * i) | (binary.charCodeAt(2 * i + 1) << 8);
    out[i] = v >= 0x8000 ? v - 0x10000 : v;
  }
  return out;
}

/** One signal of a strip in mV: (value − baseline) / gain. */
export function stripSignal(strip: EcgStrip, samples: Int16Array, signal: WaveformSignal): Float32Array | null {
  const s = strip.signals.indexOf(signal);
  if (s < 0) return null;
  const n = strip.signals.length;
  const out = new Float32Array(strip.length);
  for (let i = 0; i < strip.length; i++) out[i] = (samples[i * n + s]! - strip.baseline) / strip.gain;
  return out;
}
