import crypto from 'node:crypto';
import {
  ByteReader,
  CaptureStripRequest,
  ConsultId,
  decodeVitalsMessage,
  ECG_LEADS,
  utf8Decode,
  VITALS_MESSAGE_TYPE,
  WAVEFORM_MAGIC,
  type AccessTokenClaims,
  type Consult,
  type EcgStrip,
  type WaveformChunk,
  type WaveformSignal,
} from '@legevakt/shared';
import type { AccessAction, AccessRecorder } from '../audit/accessEvents.ts';
import { isRequestingSide } from '../consults/consultAccess.ts';
import type { Clock } from '../clock.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { WaveformSource } from '../storage/ecgStripRepository.ts';
import type { StoredVitalsMessage } from '../storage/vitalsRepository.ts';
import type { Storage } from '../storage/storage.ts';

/**
 * Why a strip could not be cut; sent as the error's single `issues` entry so
 * the client can say it in the user's language.
 */
export type StripRefusal =
  /** No waveform has been stored on the consult at all. */
  | 'no-waveform'
  /** No stored waveform message belongs to the requested stream. */
  | 'unknown-stream'
  /** The stream carries no ECG lead (a plethysmogram on its own). */
  | 'not-ecg'
  /** The window ends after the newest stored sample (not received yet). */
  | 'not-stored-yet'
  /** The window starts before the recording (of this source) began. */
  | 'not-recorded'
  /** Samples inside the window are missing from the record (a message not stored yet, or lost). */
  | 'missing-samples'
  /** Rate, gain, baseline or leads change inside the window. */
  | 'stream-changed';

function refuse(reason: StripRefusal, message: string): DomainError {
  const code = reason === 'unknown-stream' || reason === 'not-ecg' ? 'BAD_REQUEST' : 'CONFLICT';
  return new DomainError(code, message, [reason]);
}

/** A window cut out of the stored messages, before it becomes a stored strip. */
export interface CutStrip {
  readonly sourceId: string;
  readonly streamId: string;
  /** Stream sample index of the strip's first sample (counted per source). */
  readonly firstSample: number;
  readonly signals: readonly WaveformSignal[];
  readonly sampleRateHz: number;
  readonly gain: number;
  readonly baseline: number;
  /** Device time of the first sample, epoch ms (rounded). */
  readonly startTime: number;
  readonly length: number;
  readonly samples: Int16Array;
}

/** What cutting reads: the consult's waveform sources and their stored messages by sequence number. */
export interface StoredWaveformReader {
  waveformSources(consultId: string): Promise<WaveformSource[]>;
  range(
    consultId: string,
    sourceId: string,
    fromSeq: number,
    toSeq: number,
    limit?: number,
  ): Promise<StoredVitalsMessage[]>;
}

/** Messages read per query while scanning a source backwards (≈ 50 s of one stream at 10 chunks/s). */
const PAGE = 500;
/** Guard for floating-point device times: a boundary within a microsecond counts as reached. */
const EPSILON = 1e-6;

/**
 * The stream id of a stored vitals message without decoding its samples, or
 * null for a numerics message. Reads the fixed prefix of the frame
 * (vitalsMessage.ts: seq u64, type u8; waveformCodec.ts: magic, version,
 * id length, id); a frame that is not what it claims is fully decoded later
 * and rejected there.
 */
export function peekStreamId(payload: Uint8Array): string | null {
  const r = new ByteReader(payload);
  r.take(8, 'seq');
  if (r.u8('type') !== VITALS_MESSAGE_TYPE.waveform) return null;
  if (r.u8('magic') !== WAVEFORM_MAGIC) return null;
  r.u8('version');
  const length = r.u8('stream id length');
  return utf8Decode(r.take(length, 'stream id'));
}

const isEcgLead = (s: WaveformSignal): boolean => (ECG_LEADS as readonly string[]).includes(s);
const frames = (c: WaveformChunk): number => c.samples.length / c.signals.length;
const sameFormat = (a: WaveformChunk, b: WaveformChunk): boolean =>
  a.sampleRateHz === b.sampleRateHz &&
  a.gain === b.gain &&
  a.baseline === b.baseline &&
  a.signals.length === b.signals.length &&
  a.signals.every((s, i) => b.signals[i] === s);

type SourceResult =
  | { kind: 'cut'; strip: CutStrip }
  /** The stream is not in this source. */
  | { kind: 'absent' }
  /** All of this source's samples of the stream lie at or after the window's end. */
  | { kind: 'after' }
  /** The window's end lies after this source's newest stored sample of the stream. */
  | { kind: 'before' };

/**
 * Cuts `seconds` of one stream ending at `endTime` (device time, exclusive;
 * default: just after the newest stored sample) out of the consult's STORED
 * waveform messages, so a strip always holds exactly what the record holds.
 *
 * Sample indices, not clock times, define the window: the last sample is the
 * newest with a device time before endTime, and the strip is the
 * round(seconds × rate) samples up to it, of one source (a source's sample
 * indices run on without restarting; another source, e.g. the simulator
 * started again, is another recording and never joined to this one).
 *
 * A window with any sample missing is REFUSED ('missing-samples'), never
 * patched: a gap filled with a flat line reads as asystole, and interpolation
 * would put invented beats in the record. The doctor picks another window or
 * waits for the source to resend what is missing (it keeps every
 * unacknowledged message). Stored messages that no longer decode count as
 * missing, and are logged.
 *
 * Sources are searched most recently heard first, each backwards from its
 * newest message, and the scan stops once the window's first sample is
 * reached: a strip of the last seconds reads one page of messages.
 */
export async function cutStrip(
  reader: StoredWaveformReader,
  consultId: string,
  request: { streamId: string; endTime?: number | undefined; seconds: number },
  log?: Logger,
): Promise<CutStrip> {
  const sources = await reader.waveformSources(consultId);
  if (sources.length === 0) throw refuse('no-waveform', 'no waveform is stored on this consult');
  const outcomes = new Set<SourceResult['kind']>();
  for (const source of sources) {
    const result = await cutFromSource(reader, consultId, source, request, log);
    if (result.kind === 'cut') return result.strip;
    outcomes.add(result.kind);
  }
  if (!outcomes.has('after') && !outcomes.has('before')) {
    throw refuse('unknown-stream', `no waveform of stream ${request.streamId} is stored on this consult`);
  }
  // Recorded after the window (another source, or later in this one): the window fell in a pause.
  if (outcomes.has('after')) throw refuse('not-recorded', 'nothing of the stream was recorded in the window');
  throw refuse('not-stored-yet', 'the end of the window has not been stored yet');
}

async function cutFromSource(
  reader: StoredWaveformReader,
  consultId: string,
  source: WaveformSource,
  request: { streamId: string; endTime?: number | undefined; seconds: number },
  log: Logger | undefined,
): Promise<SourceResult> {
  let format: WaveformChunk | null = null;
  let sawStream = false;
  /** A chunk of the stream starting at or after endTime was passed over. */
  let sawLater = false;
  /** The window as stream sample indices [start, end), once its end is found. */
  let window: { start: number; end: number } | null = null;
  const collected: WaveformChunk[] = [];

  for (let to = source.maxSeq; to >= 1;) {
    const from = Math.max(1, to - PAGE + 1);
    const page = await reader.range(consultId, source.sourceId, from, to, PAGE);
    for (let i = page.length - 1; i >= 0; i--) {
      const chunk = decodeStored(page[i]!, request.streamId, consultId, source.sourceId, log);
      if (!chunk || frames(chunk) === 0) continue;
      if (!sawStream) {
        sawStream = true;
        if (!chunk.signals.some(isEcgLead)) {
          throw refuse('not-ecg', `stream ${request.streamId} carries no ECG lead (${chunk.signals.join(', ')})`);
        }
      }
      if (!window) {
        const end = windowEnd(chunk, request.endTime, sawLater);
        if (end === 'later') {
          sawLater = true;
          continue;
        }
        if (end === 'before') return { kind: 'before' };
        window = { start: end - Math.round(request.seconds * chunk.sampleRateHz), end };
        format = chunk;
      }
      if (chunk.firstSample >= window.end) continue;
      if (!sameFormat(chunk, format!)) {
        throw refuse('stream-changed', `stream ${request.streamId} changes its format inside the window`);
      }
      collected.push(chunk);
      if (chunk.firstSample <= window.start) return { kind: 'cut', strip: assemble(source, collected, window) };
    }
    to = from - 1;
  }
  if (!sawStream) return { kind: 'absent' };
  if (!window || !format) return { kind: 'after' };
  // The source ran out before the window's first sample.
  const oldest = collected.length > 0 ? Math.min(...collected.map((c) => c.firstSample)) : window.end;
  if (window.start < 0 || oldest === 0) {
    const seconds = (window.end - Math.max(0, Math.min(oldest, window.end))) / format.sampleRateHz;
    throw refuse(
      'not-recorded',
      `only ${seconds.toFixed(1)} s of stream ${request.streamId} are recorded before the window’s end`,
    );
  }
  // The stream began (at sample 0) before the window, but those messages are not in the record.
  throw refuse('missing-samples', `samples ${window.start}–${oldest - 1} of stream ${request.streamId} are not stored`);
}

/**
 * The window's exclusive end as a sample index, from the newest chunk that
 * starts before endTime: 'later' when the chunk starts at or after endTime
 * (look further back), 'before' when the source's newest chunk ends before
 * endTime (the end is not stored yet). When newer chunks were passed over,
 * an end beyond this chunk means samples between are missing; the index is
 * still returned, and assembling the window refuses it.
 */
function windowEnd(chunk: WaveformChunk, endTime: number | undefined, sawLater: boolean): number | 'later' | 'before' {
  const n = frames(chunk);
  if (endTime === undefined) return chunk.firstSample + n;
  if (chunk.startTime >= endTime - EPSILON) return 'later';
  const reach = Math.ceil((endTime - chunk.startTime) * (chunk.sampleRateHz / 1000) - EPSILON);
  if (reach <= n) return chunk.firstSample + reach;
  return sawLater ? chunk.firstSample + reach : 'before';
}

function decodeStored(
  stored: StoredVitalsMessage,
  streamId: string,
  consultId: string,
  sourceId: string,
  log: Logger | undefined,
): WaveformChunk | null {
  try {
    if (peekStreamId(stored.payload) !== streamId) return null;
    const { message } = decodeVitalsMessage(stored.payload);
    return message.type === 'waveform' ? message.chunk : null;
  } catch (error) {
    // A stored row that no longer decodes is treated as missing: any window over it is refused.
    log?.error(
      { consultId, sourceId, seq: stored.seq, reason: error instanceof Error ? error.message : String(error) },
      'stored vitals message does not decode',
    );
    return null;
  }
}

/** Copies the window out of the collected chunks (newest first); refuses any missing sample. */
function assemble(source: WaveformSource, chunks: WaveformChunk[], window: { start: number; end: number }): CutStrip {
  const format = chunks[0]!;
  const n = format.signals.length;
  const length = window.end - window.start;
  const samples = new Int16Array(length * n);
  const ordered = [...chunks].sort((a, b) => a.firstSample - b.firstSample);
  let cursor = window.start;
  for (const chunk of ordered) {
    const first = Math.max(chunk.firstSample, window.start);
    const last = Math.min(chunk.firstSample + frames(chunk), window.end);
    if (first > cursor) {
      throw refuse(
        'missing-samples',
        `samples ${cursor}–${first - 1} of stream ${format.streamId} are missing from the record`,
      );
    }
    if (last <= first) continue;
    samples.set(
      chunk.samples.subarray((first - chunk.firstSample) * n, (last - chunk.firstSample) * n),
      (first - window.start) * n,
    );
    cursor = Math.max(cursor, last);
  }
  if (cursor < window.end) {
    throw refuse('missing-samples', `samples ${cursor}–${window.end - 1} of stream ${format.streamId} are missing`);
  }
  const firstChunk = ordered.find((c) => c.firstSample <= window.start && c.firstSample + frames(c) > window.start)!;
  const startTime = firstChunk.startTime + ((window.start - firstChunk.firstSample) * 1000) / format.sampleRateHz;
  return {
    sourceId: source.sourceId,
    streamId: format.streamId,
    firstSample: window.start,
    signals: [...format.signals],
    sampleRateHz: format.sampleRateHz,
    gain: format.gain,
    baseline: format.baseline,
    startTime: Math.round(startTime),
    length,
    samples,
  };
}

const CAPTURE_STATUSES: readonly Consult['status'][] = ['active', 'documentation'];

/**
 * ECG strips on the consult record. Only the consult's doctor captures, while
 * the consult is active or in documentation; the consult's participants (its
 * doctor and the requesting nurses or crew) read.
 *
 * Every call writes exactly one access-log entry, the authorization decision,
 * before any patient data is read: allowed, or denied (with the consult, or
 * null when there is no such consult). A refused cut after an allowed
 * decision (a gap, a bad body) leaves the allowed entry: the server did read
 * the patient's stored waveform on the user's behalf.
 */
export class StripService {
  readonly #storage: Storage;
  readonly #access: AccessRecorder;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(storage: Storage, access: AccessRecorder, clock: Clock, log: Logger) {
    this.#storage = storage;
    this.#access = access;
    this.#clock = clock;
    this.#log = log.child({ component: 'strips' });
  }

  async capture(user: AccessTokenClaims, consultId: string, body: unknown, address: string | null): Promise<EcgStrip> {
    const consult = await this.#authorize(user, consultId, address, 'strip.capture', (c) => {
      if (user.role !== 'doctor' || c.claimedBy !== user.sub) {
        return new DomainError('FORBIDDEN', 'only the consult’s doctor captures strips');
      }
      if (!CAPTURE_STATUSES.includes(c.status)) return new DomainError('CONFLICT', `the consult is ${c.status}`);
      return null;
    });
    const parsed = CaptureStripRequest.safeParse(body);
    if (!parsed.success) {
      throw new DomainError(
        'BAD_REQUEST',
        'invalid strip request',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      );
    }
    let cut: CutStrip;
    try {
      cut = await cutStrip(
        {
          waveformSources: (id) => this.#storage.strips.waveformSources(id),
          range: (...a) => this.#storage.vitals.range(...a),
        },
        consult.id,
        parsed.data,
        this.#log,
      );
    } catch (error) {
      if (error instanceof DomainError) {
        this.#log.warn(
          { consultId: consult.id, userId: user.sub, request: parsed.data, reason: error.message },
          'strip not captured',
        );
      }
      throw error;
    }
    const id = crypto.randomUUID();
    await this.#storage.strips.add({
      id,
      consultId: consult.id,
      capturedAt: this.#clock.now(),
      capturedBy: user.sub,
      ...cut,
    });
    this.#log.info(
      { consultId: consult.id, stripId: id, streamId: cut.streamId, sourceId: cut.sourceId, length: cut.length },
      'ECG strip captured',
    );
    const strip = await this.#storage.strips.get(id);
    if (!strip) throw new Error(`strip ${id} vanished after it was stored`);
    return strip;
  }

  async list(user: AccessTokenClaims, consultId: string, address: string | null): Promise<EcgStrip[]> {
    const consult = await this.#authorize(user, consultId, address, 'record.view', (c) =>
      isParticipant(user, c) ? null : new DomainError('FORBIDDEN', 'only the consult’s participants see its strips'),
    );
    return this.#storage.strips.list(consult.id);
  }

  /** Finds the consult and writes the one access entry of the request; throws on a denial. */
  async #authorize(
    user: AccessTokenClaims,
    consultId: string,
    address: string | null,
    action: AccessAction,
    denial: (consult: Consult) => DomainError | null,
  ): Promise<Consult> {
    // An id that is not a consult id names no consult: the same answer (and access entry) as an unknown one.
    const consult = ConsultId.safeParse(consultId).success ? await this.#storage.consults.get(consultId) : null;
    const refusal = consult ? denial(consult) : new DomainError('NOT_FOUND', 'no such consult');
    if (refusal) {
      await this.#access.record({ user, action, consult, outcome: 'denied', address });
      this.#log.warn(
        { userId: user.sub, role: user.role, consultId, action, reason: refusal.message },
        'access denied',
      );
      throw refusal;
    }
    if (!consult) throw new Error('unreachable: no consult and no refusal');
    await this.#access.record({ user, action, consult, outcome: 'allowed', address });
    return consult;
  }
}

/** The consult's doctor, or the nurses / crew of the place that asked. */
function isParticipant(user: AccessTokenClaims, consult: Consult): boolean {
  return isRequestingSide(user, consult) || (user.role === 'doctor' && consult.claimedBy === user.sub);
}
