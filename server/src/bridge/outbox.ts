import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeVitalsMessage, type VitalsMessage } from '@legevakt/shared';
import type { Logger } from '../logger.ts';
import type { StreamState } from './hl7ToVitals.ts';

/**
 * The bridge's durable outbox: every vitals message the bridge has accepted from
 * the monitor (and answered AA for) stays here until the server acknowledges it
 * as stored, across network outages and bridge restarts.
 *
 * Why on disk rather than in memory with the ACK held back until the server has
 * stored the data: an HL7 AA hands responsibility for the message to us, and the
 * gateway then forgets it. Holding the AA for a round trip to the server would
 * stall the monitor's feed during every outage (gateways send one message at a
 * time and time out, resend or raise an alarm after some seconds), and a bridge
 * restart would still lose what was in memory. With the outbox the AA costs one
 * fdatasync (~0.5 ms on this machine's disk) and a 10-minute outage is absorbed.
 *
 * One append-only file per consult, `<dir>/<consultId>.outbox`, of records
 *
 *   u32 body length, u32 CRC-32 of the body, body
 *   body[0] = 1 META   JSON: version, sourceId, consultId, nextSeq, ackedSeq, recent keys, stream states
 *           = 2 BATCH  u16 key length, key (UTF-8), u32 JSON length, stream states touched (JSON),
 *                      u16 count, count × (u32 length, encoded vitals message with its seq)
 *           = 3 ACK    f64 seq: the server has stored 1..seq
 *
 * A batch is one HL7 message's worth, written and fsynced before its AA: a torn
 * record at the end (a crash mid-write) fails its CRC and is cut off on open,
 * and its HL7 message was never acknowledged, so the gateway sends it again.
 * ACK records are not fsynced: losing one only means resending messages the
 * server already has, which it stores once. When the file grows past
 * `compactAtBytes` it is rewritten (META + what is still pending) to a
 * temporary file, fsynced and renamed over the old one.
 *
 * The source id is made when the file is created and kept in it: the server
 * stores each (consult, source, seq) once, so a bridge that restarts continues
 * the same numbering, and a lost outbox file can never reuse old numbers under
 * the same source id.
 */

export interface PendingMessage {
  readonly seq: number;
  readonly payload: Uint8Array;
}

export class OutboxFullError extends Error {
  constructor(pendingBytes: number, limit: number) {
    super(`the outbox holds ${pendingBytes} unsent bytes (limit ${limit}): the server has been unreachable too long`);
    this.name = 'OutboxFullError';
  }
}

export interface OutboxOptions {
  dir: string;
  consultId: string;
  log: Logger;
  /** Refuse new messages (the monitor gets AE and retries) above this many unacknowledged bytes. Default 256 MiB. */
  maxPendingBytes?: number;
  /** Rewrite the file when it grows past this. Default 8 MiB. */
  compactAtBytes?: number;
  /** How many HL7 message keys are remembered to drop a gateway's resend of a message we already took. */
  recentKeys?: number;
  /** Coalesce ACK records: at most one write per this many ms. Default 200. */
  ackWriteDelayMs?: number;
}

const FORMAT_VERSION = 1;
const HEADER_BYTES = 8;
const TYPE_META = 1;
const TYPE_BATCH = 2;
const TYPE_ACK = 3;
/** A record larger than this is corruption, not data (a batch is one HL7 message of at most a few hundred KiB). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

interface Meta {
  version: number;
  sourceId: string;
  consultId: string;
  nextSeq: number;
  ackedSeq: number;
  recentKeys: string[];
  streams: Record<string, StreamState>;
  createdAt: string;
}

export function outboxFile(dir: string, consultId: string): string {
  return path.join(dir, `${consultId}.outbox`);
}

/** A source id for a new outbox: stable for its life, unique across bridges and reinstalls. */
export function newSourceId(): string {
  return `hl7-${crypto.randomUUID()}`;
}

export class DurableOutbox {
  readonly file: string;
  readonly consultId: string;
  readonly #log: Logger;
  readonly #maxPendingBytes: number;
  readonly #compactAtBytes: number;
  readonly #recentLimit: number;
  readonly #ackWriteDelayMs: number;
  #sourceId: string;
  #nextSeq: number;
  #ackedSeq: number;
  /** Unacknowledged messages; their seqs are always the contiguous run ackedSeq+1 .. nextSeq-1. */
  readonly #pending = new Map<number, Uint8Array>();
  #pendingBytes = 0;
  readonly #recent: Set<string>;
  readonly #streams: Map<string, StreamState>;
  #handle: fs.promises.FileHandle;
  #fileBytes: number;
  /** Appends, ack records and compaction run one after another. */
  #chain: Promise<void> = Promise.resolve();
  #ackTimer: NodeJS.Timeout | null = null;
  #ackWritten: number;
  #closed = false;

  private constructor(
    file: string,
    meta: Meta,
    handle: fs.promises.FileHandle,
    fileBytes: number,
    options: OutboxOptions,
  ) {
    this.file = file;
    this.consultId = meta.consultId;
    this.#log = options.log;
    this.#maxPendingBytes = options.maxPendingBytes ?? 256 * 1024 * 1024;
    this.#compactAtBytes = options.compactAtBytes ?? 8 * 1024 * 1024;
    this.#recentLimit = options.recentKeys ?? 4096;
    this.#ackWriteDelayMs = options.ackWriteDelayMs ?? 200;
    this.#sourceId = meta.sourceId;
    this.#nextSeq = meta.nextSeq;
    this.#ackedSeq = meta.ackedSeq;
    this.#ackWritten = meta.ackedSeq;
    this.#recent = new Set(meta.recentKeys);
    this.#streams = new Map(Object.entries(meta.streams));
    this.#handle = handle;
    this.#fileBytes = fileBytes;
  }

  /** Opens (or creates) the consult's outbox, repairing a torn tail. */
  static async open(options: OutboxOptions): Promise<DurableOutbox> {
    await fs.promises.mkdir(options.dir, { recursive: true, mode: 0o700 });
    const file = outboxFile(options.dir, options.consultId);
    const log = options.log;
    let bytes: Buffer | null = null;
    try {
      bytes = await fs.promises.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (bytes === null || bytes.length === 0) {
      return DurableOutbox.#create(file, options);
    }
    const replay = replayLog(bytes);
    if (replay.meta === null || replay.meta.consultId !== options.consultId) {
      // Unreadable from the start: keep it for inspection, never delete data.
      const aside = `${file}.unreadable-${Date.now()}`;
      await fs.promises.rename(file, aside);
      log.error(
        { file, aside, reason: replay.meta === null ? 'no valid header' : 'header names another consult' },
        'outbox unreadable, set aside; starting a new one',
      );
      return DurableOutbox.#create(file, options);
    }
    if (replay.goodBytes < bytes.length) {
      log.warn(
        { file, keptBytes: replay.goodBytes, droppedBytes: bytes.length - replay.goodBytes, reason: replay.stopReason },
        'outbox tail was torn (a crash mid-write); cut off — that HL7 message was never acknowledged',
      );
      await fs.promises.truncate(file, replay.goodBytes);
    }
    const handle = await fs.promises.open(file, 'a', 0o600);
    const outbox = new DurableOutbox(file, replay.meta, handle, replay.goodBytes, options);
    for (const [seq, payload] of replay.pending) {
      if (seq > outbox.#ackedSeq) {
        outbox.#pending.set(seq, payload);
        outbox.#pendingBytes += payload.byteLength;
      }
    }
    outbox.#nextSeq = Math.max(outbox.#nextSeq, replay.nextSeq);
    outbox.#ackedSeq = Math.max(outbox.#ackedSeq, replay.ackedSeq);
    for (const seq of [...outbox.#pending.keys()]) {
      if (seq <= outbox.#ackedSeq) outbox.#drop(seq);
    }
    for (const key of replay.keys) outbox.#remember(key);
    for (const [id, state] of replay.streams) outbox.#streams.set(id, state);
    log.info(
      {
        file,
        sourceId: outbox.sourceId,
        nextSeq: outbox.#nextSeq,
        ackedSeq: outbox.#ackedSeq,
        pending: outbox.pendingCount,
      },
      'outbox opened',
    );
    return outbox;
  }

  static async #create(file: string, options: OutboxOptions): Promise<DurableOutbox> {
    const meta: Meta = {
      version: FORMAT_VERSION,
      sourceId: newSourceId(),
      consultId: options.consultId,
      nextSeq: 1,
      ackedSeq: 0,
      recentKeys: [],
      streams: {},
      createdAt: new Date().toISOString(),
    };
    const record = frame(metaBody(meta));
    await writeDurably(file, [record]);
    const handle = await fs.promises.open(file, 'a', 0o600);
    options.log.info({ file, sourceId: meta.sourceId }, 'outbox created');
    return new DurableOutbox(file, meta, handle, record.length, options);
  }

  get sourceId(): string {
    return this.#sourceId;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** The first unacknowledged seq (= nextSeq when nothing is pending). */
  get firstPendingSeq(): number {
    return this.#ackedSeq + 1;
  }

  /** The persisted waveform stream states (for firstSample continuity across restarts). */
  get streams(): ReadonlyMap<string, StreamState> {
    return this.#streams;
  }

  pending(seq: number): Uint8Array | undefined {
    return this.#pending.get(seq);
  }

  /** Was a message with this key (sending application + MSH-10) already taken? */
  hasKey(key: string): boolean {
    return this.#recent.has(key);
  }

  /**
   * Numbers the messages, writes them as one record and fsyncs it. Resolves with
   * their seqs once they are on disk; only then may the HL7 message be ACKed.
   */
  append(
    key: string,
    messages: readonly VitalsMessage[],
    streams: Record<string, StreamState> = {},
  ): Promise<number[]> {
    return this.#serial(async () => {
      if (this.#closed) throw new Error('outbox closed');
      if (this.#pendingBytes > this.#maxPendingBytes)
        throw new OutboxFullError(this.#pendingBytes, this.#maxPendingBytes);
      const seqs: number[] = [];
      const payloads: Uint8Array[] = [];
      let seq = this.#nextSeq;
      for (const message of messages) {
        payloads.push(encodeVitalsMessage(seq, message));
        seqs.push(seq++);
      }
      const record = frame(batchBody(key, streams, payloads));
      await this.#handle.write(record);
      await this.#handle.datasync();
      this.#fileBytes += record.length;
      // Only now is it ours: memory follows the disk.
      this.#nextSeq = seq;
      payloads.forEach((payload, i) => {
        this.#pending.set(seqs[i]!, payload);
        this.#pendingBytes += payload.byteLength;
      });
      this.#remember(key);
      for (const [id, state] of Object.entries(streams)) this.#streams.set(id, state);
      return seqs;
    });
  }

  /** The server has stored everything up to and including `seq`. */
  acknowledge(seq: number): void {
    if (seq <= this.#ackedSeq) return;
    const upTo = Math.min(seq, this.#nextSeq - 1);
    for (let s = this.#ackedSeq + 1; s <= upTo; s++) this.#drop(s);
    this.#ackedSeq = upTo;
    this.#ackTimer ??= setTimeout(() => {
      this.#ackTimer = null;
      void this.#serial(() => this.#writeAck()).catch((error: unknown) => {
        this.#log.warn({ err: error }, 'outbox ack record not written (the messages will be resent once; harmless)');
      });
    }, this.#ackWriteDelayMs);
  }

  /**
   * Replaces a pending message (same seq) with another: used when the server
   * refuses one for good, so the numbering keeps no hole the ack could not pass.
   * In memory only: after a restart the server refuses it again and it is
   * replaced again.
   */
  replace(seq: number, message: VitalsMessage): void {
    const old = this.#pending.get(seq);
    if (old === undefined) return;
    const payload = encodeVitalsMessage(seq, message);
    this.#pending.set(seq, payload);
    this.#pendingBytes += payload.byteLength - old.byteLength;
  }

  /**
   * Starts a new source id and renumbers what is pending from 1: for an outbox
   * whose numbering the server contradicts (restored from an old backup).
   */
  rotateSource(): Promise<void> {
    return this.#serial(async () => {
      const old = this.#sourceId;
      const entries = [...this.#pending.values()];
      this.#pending.clear();
      this.#pendingBytes = 0;
      this.#sourceId = newSourceId();
      this.#ackedSeq = 0;
      this.#ackWritten = 0;
      let seq = 1;
      for (const payload of entries) {
        const copy = new Uint8Array(payload);
        new DataView(copy.buffer).setBigUint64(0, BigInt(seq), true);
        this.#pending.set(seq++, copy);
        this.#pendingBytes += copy.byteLength;
      }
      this.#nextSeq = seq;
      await this.#compact();
      this.#log.warn({ oldSourceId: old, sourceId: this.#sourceId, pending: entries.length }, 'outbox source rotated');
    });
  }

  /** Writes the pending ack record and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#ackTimer) {
      clearTimeout(this.#ackTimer);
      this.#ackTimer = null;
    }
    await this.#serial(() => this.#writeAck()).catch(() => undefined);
    this.#closed = true;
    await this.#chain.catch(() => undefined);
    await this.#handle.close();
  }

  #drop(seq: number): void {
    const payload = this.#pending.get(seq);
    if (payload === undefined) return;
    this.#pending.delete(seq);
    this.#pendingBytes -= payload.byteLength;
  }

  #remember(key: string): void {
    if (key === '') return;
    this.#recent.delete(key);
    this.#recent.add(key);
    if (this.#recent.size > this.#recentLimit) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #writeAck(): Promise<void> {
    if (this.#closed || this.#ackedSeq <= this.#ackWritten) return;
    const acked = this.#ackedSeq;
    const body = Buffer.alloc(9);
    body[0] = TYPE_ACK;
    body.writeDoubleLE(acked, 1);
    const record = frame(body);
    await this.#handle.write(record);
    this.#fileBytes += record.length;
    this.#ackWritten = acked;
    if (this.#fileBytes > this.#compactAtBytes && this.#fileBytes > 2 * this.#pendingBytes) {
      await this.#compact();
    }
  }

  /** Rewrites the file as META + what is pending, atomically (temp file, fsync, rename, fsync dir). */
  async #compact(): Promise<void> {
    const meta: Meta = {
      version: FORMAT_VERSION,
      sourceId: this.#sourceId,
      consultId: this.consultId,
      nextSeq: this.#nextSeq,
      ackedSeq: this.#ackedSeq,
      recentKeys: [...this.#recent],
      streams: Object.fromEntries(this.#streams),
      createdAt: new Date().toISOString(),
    };
    const records = [frame(metaBody(meta))];
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    for (const payload of this.#pending.values()) {
      batch.push(payload);
      batchBytes += payload.byteLength;
      if (batch.length >= 1000 || batchBytes >= 4 * 1024 * 1024) {
        records.push(frame(batchBody('', {}, batch)));
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) records.push(frame(batchBody('', {}, batch)));
    const before = this.#fileBytes;
    await this.#handle.close();
    await writeDurably(this.file, records);
    this.#handle = await fs.promises.open(this.file, 'a', 0o600);
    this.#fileBytes = records.reduce((n, r) => n + r.length, 0);
    this.#ackWritten = this.#ackedSeq;
    this.#log.info(
      { file: this.file, before, after: this.#fileBytes, pending: this.#pending.size },
      'outbox compacted',
    );
  }
}

/** Writes a whole file atomically: temp file, fsync, rename, fsync the directory. */
async function writeDurably(file: string, records: readonly Uint8Array[]): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fs.promises.open(tmp, 'w', 0o600);
  try {
    for (const record of records) await handle.write(record);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
  const dir = await fs.promises.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function frame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  out.set(body, HEADER_BYTES);
  return out;
}

function metaBody(meta: Meta): Buffer {
  return Buffer.concat([Buffer.from([TYPE_META]), Buffer.from(JSON.stringify(meta), 'utf8')]);
}

function batchBody(key: string, streams: Record<string, StreamState>, payloads: readonly Uint8Array[]): Buffer {
  const keyBytes = Buffer.from(key, 'utf8').subarray(0, 65535);
  const streamBytes = Buffer.from(JSON.stringify(streams), 'utf8');
  const head = Buffer.alloc(1 + 2 + keyBytes.length + 4 + streamBytes.length + 2);
  let o = 0;
  head[o++] = TYPE_BATCH;
  head.writeUInt16LE(keyBytes.length, o);
  o += 2;
  keyBytes.copy(head, o);
  o += keyBytes.length;
  head.writeUInt32LE(streamBytes.length, o);
  o += 4;
  streamBytes.copy(head, o);
  o += streamBytes.length;
  head.writeUInt16LE(payloads.length, o);
  const parts: Uint8Array[] = [head];
  for (const payload of payloads) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(payload.byteLength, 0);
    parts.push(len, payload);
  }
  return Buffer.concat(parts);
}

interface Replay {
  meta: Meta | null;
  pending: Map<number, Uint8Array>;
  keys: string[];
  streams: Map<string, StreamState>;
  nextSeq: number;
  ackedSeq: number;
  goodBytes: number;
  stopReason: string | null;
}

/** Reads records until the first that is incomplete or fails its CRC. */
export function replayLog(bytes: Buffer): Replay {
  const replay: Replay = {
    meta: null,
    pending: new Map(),
    keys: [],
    streams: new Map(),
    nextSeq: 1,
    ackedSeq: 0,
    goodBytes: 0,
    stopReason: null,
  };
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) {
      replay.stopReason = 'incomplete record header';
      break;
    }
    const length = bytes.readUInt32LE(offset);
    const crc = bytes.readUInt32LE(offset + 4);
    if (length === 0 || length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > bytes.length) {
      replay.stopReason = 'incomplete record';
      break;
    }
    const body = bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(body) !== crc) {
      replay.stopReason = 'CRC mismatch';
      break;
    }
    try {
      applyRecord(replay, body);
    } catch (error) {
      replay.stopReason = `unreadable record: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }
    offset += HEADER_BYTES + length;
    replay.goodBytes = offset;
  }
  return replay;
}

function applyRecord(replay: Replay, body: Buffer): void {
  const type = body[0];
  if (replay.meta === null && type !== TYPE_META) throw new Error('the first record is not a header');
  if (type === TYPE_META) {
    const meta = JSON.parse(body.subarray(1).toString('utf8')) as Meta;
    if (meta.version !== FORMAT_VERSION || typeof meta.sourceId !== 'string' || !Number.isSafeInteger(meta.nextSeq)) {
      throw new Error(`header version ${String(meta.version)} is not supported`);
    }
    replay.meta = meta;
    replay.nextSeq = meta.nextSeq;
    replay.ackedSeq = meta.ackedSeq;
    return;
  }
  if (type === TYPE_ACK) {
    replay.ackedSeq = Math.max(replay.ackedSeq, body.readDoubleLE(1));
    return;
  }
  if (type !== TYPE_BATCH) throw new Error(`unknown record type ${String(type)}`);
  let o = 1;
  const keyLength = body.readUInt16LE(o);
  o += 2;
  const key = body.subarray(o, o + keyLength).toString('utf8');
  o += keyLength;
  const streamLength = body.readUInt32LE(o);
  o += 4;
  const streams = JSON.parse(body.subarray(o, o + streamLength).toString('utf8')) as Record<string, StreamState>;
  o += streamLength;
  const count = body.readUInt16LE(o);
  o += 2;
  for (let i = 0; i < count; i++) {
    const length = body.readUInt32LE(o);
    o += 4;
    if (o + length > body.length) throw new Error('message runs past its record');
    const payload = new Uint8Array(body.subarray(o, o + length));
    o += length;
    const seq = Number(new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getBigUint64(0, true));
    replay.pending.set(seq, payload);
    replay.nextSeq = Math.max(replay.nextSeq, seq + 1);
  }
  if (key !== '') replay.keys.push(key);
  for (const [id, state] of Object.entries(streams)) replay.streams.set(id, state);
}
