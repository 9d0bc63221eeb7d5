import type { WaveformChunk, WaveformSignal } from './model.ts';
import { utf8Length } from './utf8.ts';
import { decodeWaveformChunk, encodeWaveformChunk } from './waveformCodec.ts';
import { encodeVitalsMessage } from './vitalsMessage.ts';

/**
 * Measures what a waveform stream costs on the data channel, so the codec's
 * choice can be checked against real recordings (the PTB 12-lead record) rather
 * than argued about. Pure: the caller supplies the samples (see
 * server/src/vitals/wfdb/ecgBandwidth.ts for the PhysioNet-backed caller).
 */
export interface WaveformSource {
  streamId?: string;
  signals: readonly WaveformSignal[];
  sampleRateHz: number;
  gain: number;
  baseline: number;
  /** One series per signal, all the same length, in device units. */
  series: readonly Int16Array[];
}

export interface WaveformBandwidth {
  seconds: number;
  chunks: number;
  framesPerChunk: number;
  /** Complete data-channel messages (framing + chunk header + residuals). */
  binaryBytesPerSecond: number;
  /** Raw int16 samples only, no header: the floor any uncompressed format pays. */
  int16BytesPerSecond: number;
  /** JSON.stringify of each chunk with samples as a number array, UTF-8 bytes. */
  jsonBytesPerSecond: number;
  /** Mean encoded bytes per sample, headers included. */
  binaryBytesPerSample: number;
}

/** Cuts a source into interleaved chunks of `chunkMs`; the last partial chunk is dropped. */
export function* chunkWaveform(source: WaveformSource, chunkMs: number, startTime = 0): Generator<WaveformChunk> {
  const n = source.signals.length;
  if (source.series.length !== n) throw new RangeError(`${source.series.length} series for ${n} signals`);
  const length = source.series[0]?.length ?? 0;
  if (source.series.some((s) => s.length !== length)) throw new RangeError('series differ in length');
  const framesPerChunk = Math.round((source.sampleRateHz * chunkMs) / 1000);
  if (framesPerChunk < 1) throw new RangeError(`${chunkMs} ms is less than one sample at ${source.sampleRateHz} Hz`);
  for (let first = 0; first + framesPerChunk <= length; first += framesPerChunk) {
    const samples = new Int16Array(framesPerChunk * n);
    for (let f = 0; f < framesPerChunk; f++) {
      for (let s = 0; s < n; s++) samples[f * n + s] = source.series[s]![first + f]!;
    }
    yield {
      streamId: source.streamId ?? 'bench',
      signals: source.signals,
      sampleRateHz: source.sampleRateHz,
      gain: source.gain,
      baseline: source.baseline,
      firstSample: first,
      startTime: startTime + (first * 1000) / source.sampleRateHz,
      samples,
    };
  }
}

/**
 * Encodes the whole source in `chunkMs` chunks and reports bytes per second for
 * the binary codec (as sent, with message framing), raw int16 and JSON. Every
 * chunk is decoded again and compared, so the figure is for a lossless stream.
 */
export function measureWaveformBandwidth(source: WaveformSource, chunkMs: number): WaveformBandwidth {
  let binary = 0;
  let json = 0;
  let chunks = 0;
  let samples = 0;
  let framesPerChunk = 0;
  for (const chunk of chunkWaveform(source, chunkMs)) {
    const message = encodeVitalsMessage(chunks, { type: 'waveform', chunk });
    binary += message.length;
    const decoded = decodeWaveformChunk(encodeWaveformChunk(chunk));
    if (!decoded.samples.every((v, i) => v === chunk.samples[i])) {
      throw new Error(`chunk ${chunks} did not round-trip`);
    }
    json += utf8Length(JSON.stringify({ ...chunk, samples: Array.from(chunk.samples) }));
    samples += chunk.samples.length;
    framesPerChunk = chunk.samples.length / chunk.signals.length;
    chunks++;
  }
  if (chunks === 0) throw new RangeError('source is shorter than one chunk');
  const seconds = (chunks * framesPerChunk) / source.sampleRateHz;
  return {
    seconds,
    chunks,
    framesPerChunk,
    binaryBytesPerSecond: binary / seconds,
    int16BytesPerSecond: (samples * 2) / seconds,
    jsonBytesPerSecond: json / seconds,
    binaryBytesPerSample: binary / samples,
  };
}
