import type { SimulatorRecording, VitalSample, VitalsMessage } from '@legevakt/shared';

const CHUNK_MS = 100;
const NUMERICS_EVERY_MS = 2000;
/** A bedside NIBP cuff cycles every few minutes; the demo takes one a minute. */
const NIBP_EVERY_MS = 60_000;

interface StreamPlayer {
  readonly streamId: string;
  readonly signals: SimulatorRecording['streams'][number]['signals'];
  readonly rate: number;
  readonly gain: number;
  readonly baseline: number;
  readonly samples: Int16Array;
  readonly frames: number;
  /** Samples sent so far: the next chunk's firstSample. */
  sent: number;
}

/**
 * Plays a real recording in real time as a bedside monitor would export it:
 * waveform chunks every 100 ms (looping the recording, sample indices running
 * on), and plausible numerics around the recording's profile with small drift.
 */
export class MonitorSimulator {
  readonly #recording: SimulatorRecording;
  readonly #emit: (message: VitalsMessage) => void;
  readonly #streams: StreamPlayer[];
  readonly #device: string;
  #timer: ReturnType<typeof setInterval> | null = null;
  #startedAt = 0;
  #lastNumerics = 0;
  #lastNibp = -Infinity;
  #drift = { heartRate: 0, spo2: 0, respirationRate: 0 };

  constructor(recording: SimulatorRecording, emit: (message: VitalsMessage) => void) {
    this.#recording = recording;
    this.#emit = emit;
    this.#device = `Simulator (${recording.id})`;
    this.#streams = recording.streams.map((s) => {
      const bytes = Uint8Array.from(atob(s.samples), (c) => c.charCodeAt(0));
      const samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      return {
        streamId: s.streamId,
        signals: s.signals,
        rate: s.sampleRateHz,
        gain: s.gain,
        baseline: s.baseline,
        samples,
        frames: samples.length / s.signals.length,
        sent: 0,
      };
    });
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  /** The sample a stream would carry at index i (the recording loops): for checking what arrived. */
  sampleAt(streamId: string, index: number): Int16Array {
    const stream = this.#streams.find((s) => s.streamId === streamId);
    if (!stream) throw new Error(`no stream ${streamId}`);
    const frame = index % stream.frames;
    const n = stream.signals.length;
    return stream.samples.slice(frame * n, frame * n + n);
  }

  start(now = Date.now()): void {
    if (this.#timer) return;
    this.#startedAt = now;
    this.#timer = setInterval(() => this.tick(Date.now()), CHUNK_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Emits everything due up to `now` (called by the timer; tests call it directly). */
  tick(now: number): void {
    for (const stream of this.#streams) {
      const due = Math.floor(((now - this.#startedAt) / 1000) * stream.rate);
      if (due <= stream.sent) continue;
      const count = due - stream.sent;
      const n = stream.signals.length;
      const chunk = new Int16Array(count * n);
      for (let i = 0; i < count; i++) {
        const frame = (stream.sent + i) % stream.frames;
        chunk.set(stream.samples.subarray(frame * n, frame * n + n), i * n);
      }
      this.#emit({
        type: 'waveform',
        chunk: {
          streamId: stream.streamId,
          signals: stream.signals,
          sampleRateHz: stream.rate,
          gain: stream.gain,
          baseline: stream.baseline,
          firstSample: stream.sent,
          startTime: this.#startedAt + (stream.sent / stream.rate) * 1000,
          samples: chunk,
        },
      });
      stream.sent = due;
    }
    if (now - this.#lastNumerics >= NUMERICS_EVERY_MS) {
      this.#lastNumerics = now;
      this.#emit({ type: 'numerics', samples: this.#numerics(now) });
    }
  }

  #numerics(now: number): VitalSample[] {
    const profile = this.#recording.numerics;
    const walk = (value: number, step: number, limit: number): number =>
      Math.max(-limit, Math.min(limit, value + (Math.random() - 0.5) * step));
    this.#drift = {
      heartRate: walk(this.#drift.heartRate, 2, 6),
      spo2: walk(this.#drift.spo2, 0.6, 1.5),
      respirationRate: walk(this.#drift.respirationRate, 0.8, 3),
    };
    const sample = (
      kind: VitalSample['kind'],
      value: number,
      unit: string,
      extra: Partial<VitalSample> = {},
    ): VitalSample => ({
      kind,
      value,
      unit,
      measuredAt: now,
      device: this.#device,
      source: 'simulator',
      quality: [],
      ...extra,
    });
    const samples = [
      sample('heartRateEcg', Math.round(profile.heartRate + this.#drift.heartRate), '/min'),
      sample('spo2', Math.min(100, Math.round(profile.spo2 + this.#drift.spo2)), '%'),
      sample('pulseRateOximetry', Math.round(profile.heartRate + this.#drift.heartRate + 1), '/min'),
      sample('respirationRate', Math.round(profile.respirationRate + this.#drift.respirationRate), '/min'),
      sample('temperature', profile.temperature, 'Cel', { site: 'ear' }),
    ];
    if (now - this.#lastNibp >= NIBP_EVERY_MS) {
      this.#lastNibp = now;
      const mean = Math.round(profile.diastolic + (profile.systolic - profile.diastolic) / 3);
      samples.push(
        sample('systolic', profile.systolic, 'mm[Hg]'),
        sample('diastolic', profile.diastolic, 'mm[Hg]'),
        sample('meanPressure', mean, 'mm[Hg]'),
      );
    }
    return samples;
  }
}
