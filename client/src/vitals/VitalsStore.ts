import { decodeVitalsMessage, type NumericKind, type VitalSample, type WaveformSignal } from '@legevakt/shared';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { TypedEmitter } from '../session/TypedEmitter.ts';
import { VitalsInbox } from './VitalsInbox.ts';

/**
 * Seconds of waveform kept per signal: the sweep, and what "freeze and pick"
 * offers (a 10 s strip anywhere in the last 30 s).
 */
export const WAVEFORM_SECONDS = 30;

export interface WaveformTrace {
  readonly signal: WaveformSignal;
  /** The stream the signal arrives on (a strip is cut per stream). */
  readonly streamId: string;
  readonly rateHz: number;
  /** Physical values (mV for ECG), a ring of WAVEFORM_SECONDS × rate. */
  readonly values: Float32Array;
  /** Total samples received; the newest is at (received - 1) % values.length. */
  received: number;
  /** Device time of the newest sample, epoch ms. */
  newestAt: number;
  /** The stream sample index the next chunk should start at. */
  nextSample: number;
}

export interface StreamTally {
  /** Samples received in order, per signal. */
  samples: number;
  /** FNV-1a over every received int16 sample, in order: proves the doctor saw exactly what was sent. */
  hash: number;
}

export interface VitalsSnapshot {
  readonly latest: Partial<Record<NumericKind, VitalSample & { receivedAt: number }>>;
  readonly history: Partial<Record<NumericKind, readonly { at: number; value: number }[]>>;
  readonly traces: ReadonlyMap<WaveformSignal, WaveformTrace>;
  readonly streams: ReadonlyMap<string, StreamTally>;
  /** Messages held back behind a gap being filled: the live edge lags while > 0. */
  readonly heldBack: number;
  readonly version: number;
}

/**
 * The doctor's side of the vitals: every message from the consult's sources,
 * in order and without gaps (VitalsInbox fills them from the stored record),
 * decoded into the latest numerics, their trends, and waveform traces.
 */
export class VitalsStore extends TypedEmitter<{ changed: [VitalsSnapshot] }> {
  readonly #inbox: VitalsInbox;
  readonly #latest: VitalsSnapshot['latest'] = {};
  readonly #history: Partial<Record<NumericKind, { at: number; value: number }[]>> = {};
  readonly #traces = new Map<WaveformSignal, WaveformTrace>();
  readonly #streams = new Map<string, StreamTally>();
  readonly #sources = new Set<string>();
  readonly #unsubscribe: () => void;
  #snapshot: VitalsSnapshot;
  #version = 0;

  constructor(session: ConsultSession) {
    super();
    this.#inbox = new VitalsInbox(
      (_sourceId, _seq, payload) => this.#apply(payload),
      (sourceId, from, to) => session.fetchVitals(sourceId, from, to),
      (error) => console.error('[vitals] gap fill failed', error),
    );
    this.#snapshot = this.#make();
    // The doctor starts from the first message the source ever sent, so joining late misses nothing.
    this.#unsubscribe = session.on('vitalsData', (sourceId, payload) => {
      try {
        const { seq } = decodeVitalsMessage(payload);
        this.#sources.add(sourceId);
        this.#inbox.receive(sourceId, seq, payload, 1);
      } catch (error) {
        console.error('[vitals] unreadable message', error);
      }
    });
  }

  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): VitalsSnapshot => this.#snapshot;

  dispose(): void {
    this.#unsubscribe();
  }

  #apply(payload: Uint8Array): void {
    const { message } = decodeVitalsMessage(payload);
    const now = Date.now();
    if (message.type === 'numerics') {
      for (const sample of message.samples) {
        this.#latest[sample.kind] = { ...sample, receivedAt: now };
        (this.#history[sample.kind] ??= []).push({ at: sample.measuredAt, value: sample.value });
      }
    } else {
      const { chunk } = message;
      const n = chunk.signals.length;
      const frames = chunk.samples.length / n;
      const tally = this.#streams.get(chunk.streamId) ?? { samples: 0, hash: 0x811c9dc5 };
      for (let i = 0; i < chunk.samples.length; i++) {
        tally.hash = Math.imul(tally.hash ^ (chunk.samples[i]! & 0xffff), 0x01000193) >>> 0;
      }
      tally.samples += frames;
      this.#streams.set(chunk.streamId, tally);
      chunk.signals.forEach((signal, s) => {
        let trace = this.#traces.get(signal);
        // A new trace when the stream is another one, or does not continue (a source started again):
        // the ring then always holds consecutive samples ending at newestAt, which "freeze and pick" relies on.
        if (
          !trace ||
          trace.rateHz !== chunk.sampleRateHz ||
          trace.streamId !== chunk.streamId ||
          trace.nextSample !== chunk.firstSample
        ) {
          trace = {
            signal,
            streamId: chunk.streamId,
            rateHz: chunk.sampleRateHz,
            values: new Float32Array(Math.round(chunk.sampleRateHz * WAVEFORM_SECONDS)),
            received: 0,
            newestAt: 0,
            nextSample: chunk.firstSample,
          };
          this.#traces.set(signal, trace);
        }
        for (let f = 0; f < frames; f++) {
          trace.values[trace.received % trace.values.length] =
            (chunk.samples[f * n + s]! - chunk.baseline) / chunk.gain;
          trace.received += 1;
        }
        trace.newestAt = chunk.startTime + ((frames - 1) / chunk.sampleRateHz) * 1000;
        trace.nextSample = chunk.firstSample + frames;
      });
    }
    this.#snapshot = this.#make();
    this.emit('changed', this.#snapshot);
  }

  #make(): VitalsSnapshot {
    let heldBack = 0;
    for (const sourceId of this.#sources) heldBack += this.#inbox.heldBack(sourceId);
    return {
      latest: { ...this.#latest },
      history: { ...this.#history },
      traces: this.#traces,
      streams: this.#streams,
      heldBack,
      version: ++this.#version,
    };
  }
}
