import { EcgStrip, WaveformSignal } from '@legevakt/shared';
import { z } from 'zod';
import { parseJsonColumn, type Executor } from './executor.ts';

/** A strip as the service cut it, before it is stored. */
export interface NewEcgStrip {
  readonly id: string;
  readonly consultId: string;
  readonly capturedAt: number;
  readonly capturedBy: string;
  /** Where it was cut from: the vitals source and the stream's sample index of its first sample. */
  readonly sourceId: string;
  readonly firstSample: number;
  readonly streamId: string;
  readonly signals: readonly WaveformSignal[];
  readonly sampleRateHz: number;
  readonly gain: number;
  readonly baseline: number;
  readonly startTime: number;
  readonly length: number;
  /** Interleaved: samples[i * signals.length + s]. */
  readonly samples: Int16Array;
}

/** A vitals source of a consult that has sent waveforms. */
export interface WaveformSource {
  readonly sourceId: string;
  readonly maxSeq: number;
  /** When the server stored its newest message (server time): the newest source is searched first. */
  readonly lastReceivedAt: number;
}

const Signals = z.array(WaveformSignal).min(1);

/** Int16 samples as little-endian bytes, whatever the host's byte order. */
export function int16ToBase64(samples: Int16Array): string {
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, i * 2);
  return bytes.toString('base64');
}

export function base64ToInt16(text: string): Int16Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 2 !== 0) throw new Error('strip samples: odd byte count');
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

/**
 * Captured ECG strips of a consult: append-only (a strip is part of the
 * record). Also answers which of the consult's vitals sources carry
 * waveforms, the starting point for cutting a strip out of the stored
 * messages (the messages themselves are read through VitalsRepository.range).
 */
export class EcgStripRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  async add(strip: NewEcgStrip): Promise<void> {
    if (strip.samples.length !== strip.length * strip.signals.length) {
      throw new RangeError(
        `strip ${strip.id}: ${strip.samples.length} samples for ${strip.length} × ${strip.signals.length} signals`,
      );
    }
    await this.#db
      .insertInto('ecg_strips')
      .values({
        id: strip.id,
        consult_id: strip.consultId,
        captured_at: strip.capturedAt,
        captured_by: strip.capturedBy,
        source_id: strip.sourceId,
        stream_id: strip.streamId,
        signals_json: JSON.stringify(strip.signals),
        sample_rate_hz: strip.sampleRateHz,
        gain: strip.gain,
        baseline: strip.baseline,
        first_sample: strip.firstSample,
        start_time: strip.startTime,
        length: strip.length,
        samples: int16ToBase64(strip.samples),
      })
      .execute();
  }

  /** The consult's strips in capture order, with the capturing user's name. */
  async list(consultId: string): Promise<EcgStrip[]> {
    const rows = await this.#select()
      .where('s.consult_id', '=', consultId)
      .orderBy('s.captured_at')
      .orderBy('s.id')
      .execute();
    return rows.map(toStrip);
  }

  async get(id: string): Promise<EcgStrip | null> {
    const row = await this.#select().where('s.id', '=', id).executeTakeFirst();
    return row ? toStrip(row) : null;
  }

  /** Where a strip was cut from (for audits: compare with the stored messages). */
  async provenance(id: string): Promise<{ sourceId: string; firstSample: number } | null> {
    const row = await this.#db
      .selectFrom('ecg_strips')
      .select(['source_id', 'first_sample'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { sourceId: row.source_id, firstSample: row.first_sample } : null;
  }

  /** The consult's sources that have sent waveform messages, the most recently heard first. */
  async waveformSources(consultId: string): Promise<WaveformSource[]> {
    const rows = await this.#db
      .selectFrom('vitals_messages')
      .select((eb) => ['source_id', eb.fn.max('seq').as('max_seq'), eb.fn.max('received_at').as('last_received_at')])
      .where('consult_id', '=', consultId)
      .where('type', '=', 'waveform')
      .groupBy('source_id')
      .execute();
    return rows
      .map((r) => ({ sourceId: r.source_id, maxSeq: r.max_seq, lastReceivedAt: r.last_received_at }))
      .sort((a, b) => b.lastReceivedAt - a.lastReceivedAt || a.sourceId.localeCompare(b.sourceId));
  }

  #select() {
    return this.#db
      .selectFrom('ecg_strips as s')
      .innerJoin('users as u', 'u.id', 's.captured_by')
      .select([
        's.id',
        's.consult_id',
        's.captured_at',
        's.captured_by',
        'u.display_name',
        's.stream_id',
        's.signals_json',
        's.sample_rate_hz',
        's.gain',
        's.baseline',
        's.start_time',
        's.length',
        's.samples',
      ]);
  }
}

function toStrip(r: {
  id: string;
  consult_id: string;
  captured_at: number;
  captured_by: string;
  display_name: string;
  stream_id: string;
  signals_json: string;
  sample_rate_hz: number;
  gain: number;
  baseline: number;
  start_time: number;
  length: number;
  samples: string;
}): EcgStrip {
  return EcgStrip.parse({
    id: r.id,
    consultId: r.consult_id,
    capturedAt: r.captured_at,
    capturedBy: r.captured_by,
    capturedByName: r.display_name,
    streamId: r.stream_id,
    signals: Signals.parse(parseJsonColumn(r.signals_json, `ecg_strips.signals_json of ${r.id}`)),
    sampleRateHz: r.sample_rate_hz,
    gain: r.gain,
    baseline: r.baseline,
    startTime: r.start_time,
    length: r.length,
    samplesBase64: r.samples,
  });
}
