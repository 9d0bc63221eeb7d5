import { encodeWaveformChunk, type VitalSample, type VitalsMessage, type WaveformChunk } from '@legevakt/shared';
import type { Hl7IngestResult } from '../vitals/hl7/ingest.ts';

/**
 * One accepted ORU^R01 → the vitals messages the bridge relays: its numerics in
 * one message (in groups if there are very many), then its waveform chunks,
 * each cut to at most `maxChunkBytes` encoded so one message stays well inside
 * a signaling frame and a data channel message.
 *
 * firstSample is assigned here, not taken from the listener: the listener's
 * count lives in memory and also advances for a message the bridge then drops
 * as a gateway's resend, which would leave a gap the doctor's view would show.
 * The bridge counts only what it keeps, and the count survives restarts (the
 * state is kept in the outbox): contiguous chunks continue it, a pause in time
 * skips ahead by the samples not sent, a jump back in time or a new rate
 * restarts the time base (the count never goes back).
 */

/** Where a waveform stream stands: its rate, the time of sample `originSample`, and the next index. */
export interface StreamState {
  rate: number;
  originTime: number;
  originSample: number;
  next: number;
}

export interface MappedVitals {
  messages: VitalsMessage[];
  /** Stream states after these messages, for the outbox. */
  streams: Record<string, StreamState>;
}

export const DEFAULT_MAX_CHUNK_BYTES = 16 * 1024;
/** Numerics per message: a hundred samples of JSON stay near 15 KB, well inside one relay message. */
const MAX_SAMPLES_PER_MESSAGE = 100;

export class Hl7ToVitals {
  readonly #streams: Map<string, StreamState>;
  readonly #maxChunkBytes: number;

  constructor(initial: ReadonlyMap<string, StreamState> = new Map(), maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES) {
    this.#streams = new Map([...initial].map(([id, s]) => [id, { ...s }]));
    this.#maxChunkBytes = maxChunkBytes;
  }

  /**
   * Maps without committing the stream states: `commit` them once the messages
   * are stored (a message refused later must not advance the count).
   */
  map(result: Pick<Hl7IngestResult, 'numerics' | 'waveforms'>): MappedVitals {
    const messages: VitalsMessage[] = [];
    for (let i = 0; i < result.numerics.length; i += MAX_SAMPLES_PER_MESSAGE) {
      const samples: VitalSample[] = result.numerics.slice(i, i + MAX_SAMPLES_PER_MESSAGE);
      messages.push({ type: 'numerics', samples });
    }
    const touched = new Map<string, StreamState>();
    for (const chunk of result.waveforms) {
      const frames = chunk.samples.length / chunk.signals.length;
      if (!Number.isInteger(frames) || frames === 0) continue;
      const state = touched.get(chunk.streamId) ?? this.#streams.get(chunk.streamId);
      const { index, next } = place(state, chunk.startTime, chunk.sampleRateHz, frames);
      touched.set(chunk.streamId, next);
      for (const part of split({ ...chunk, firstSample: index }, this.#maxChunkBytes)) {
        messages.push({ type: 'waveform', chunk: part });
      }
    }
    return { messages, streams: Object.fromEntries(touched) };
  }

  commit(streams: Record<string, StreamState>): void {
    for (const [id, state] of Object.entries(streams)) this.#streams.set(id, state);
  }
}

function place(
  state: StreamState | undefined,
  startTime: number,
  rate: number,
  count: number,
): { index: number; next: StreamState } {
  if (state === undefined) {
    return { index: 0, next: { rate, originTime: startTime, originSample: 0, next: count } };
  }
  let { originTime, originSample } = state;
  let index = originSample + Math.round(((startTime - originTime) * rate) / 1000);
  if (rate !== state.rate || index < state.next - 1) {
    originTime = startTime;
    originSample = state.next;
    index = state.next;
  } else if (Math.abs(index - state.next) <= 1) {
    index = state.next; // millisecond rounding of timestamps
  }
  return { index, next: { rate, originTime, originSample, next: index + count } };
}

/** Cuts a chunk into consecutive parts whose encoding stays under `maxBytes`. */
export function split(chunk: WaveformChunk, maxBytes: number): WaveformChunk[] {
  const encoded = encodeWaveformChunk(chunk).byteLength;
  if (encoded <= maxBytes) return [chunk];
  const width = chunk.signals.length;
  const frames = chunk.samples.length / width;
  const parts = Math.ceil(encoded / maxBytes) + 1;
  const per = Math.max(1, Math.ceil(frames / parts));
  const out: WaveformChunk[] = [];
  for (let f = 0; f < frames; f += per) {
    const n = Math.min(per, frames - f);
    out.push({
      ...chunk,
      firstSample: chunk.firstSample + f,
      startTime: chunk.startTime + (f * 1000) / chunk.sampleRateHz,
      samples: chunk.samples.slice(f * width, (f + n) * width),
    });
  }
  return out;
}
