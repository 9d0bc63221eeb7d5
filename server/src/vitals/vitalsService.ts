import { decodeVitalsMessage, VitalsDecodeError, type VitalSample } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Room } from '../media/room.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';
import type { Storage } from '../storage/storage.ts';
import type { StoredVitalsMessage } from '../storage/vitalsRepository.ts';

/** seqsAfter's page size. */
const SEQ_PAGE = 10_000;

/**
 * Stores every vitals message that crosses a consult's room and acknowledges
 * it to its source. The acknowledgement is cumulative ("everything up to seq is
 * stored"), so a source numbers its messages from 1 and may forget all it has
 * had acknowledged; what it resends after a drop is stored once.
 */
export class VitalsService {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Highest contiguous stored seq per consult+source (rebuilt from storage on first sight). */
  readonly #acked = new Map<string, { edge: number; ahead: Set<number> }>();
  /** Messages of one source are stored one after another, in arrival order. */
  readonly #queues = new Map<string, Promise<void>>();

  constructor(storage: Storage, rooms: RoomRegistry, clock: Clock, log: Logger) {
    this.#storage = storage;
    this.#clock = clock;
    this.#log = log.child({ component: 'vitals' });
    rooms.on('roomOpened', (room) => this.#follow(room));
  }

  range(consultId: string, sourceId: string, fromSeq: number, toSeq: number): Promise<StoredVitalsMessage[]> {
    return this.#storage.vitals.range(consultId, sourceId, fromSeq, toSeq);
  }

  samples(consultId: string): Promise<VitalSample[]> {
    return this.#storage.vitals.samples(consultId);
  }

  /**
   * The source's messages 1..n are all stored: what a source that reconnects
   * (the monitor bridge after a restart) no longer needs to send. Waits for the
   * source's messages already received to be stored first.
   */
  async storedEdge(consultId: string, sourceId: string): Promise<number> {
    await this.#queues.get(`${consultId}\u0000${sourceId}`);
    return (await this.#ackState(consultId, sourceId)).edge;
  }

  /** Resolves when every message received so far is stored (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.#queues.values());
  }

  #follow(room: Room): void {
    room.on('dataMessage', ({ peerId, sourceId, payload }) => {
      const key = `${room.consultId}\u0000${sourceId}`;
      const previous = this.#queues.get(key) ?? Promise.resolve();
      const next = previous
        .then(() => this.#store(room, peerId, sourceId, payload))
        .catch((error: unknown) => {
          this.#log.error({ err: error, consultId: room.consultId, sourceId }, 'vitals message not stored');
        });
      this.#queues.set(key, next);
    });
  }

  async #store(room: Room, peerId: string, sourceId: string, payload: Buffer): Promise<void> {
    let decoded;
    try {
      decoded = decodeVitalsMessage(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
    } catch (error) {
      // Broken monitor data: logged and dropped; nothing stored, nothing acknowledged.
      const reason = error instanceof VitalsDecodeError || error instanceof Error ? error.message : String(error);
      this.#log.warn(
        { consultId: room.consultId, sourceId, bytes: payload.byteLength, reason },
        'malformed vitals message',
      );
      return;
    }
    const { seq, message } = decoded;
    if (!Number.isSafeInteger(seq) || seq < 1) {
      this.#log.warn({ consultId: room.consultId, sourceId, seq }, 'vitals message with an invalid sequence number');
      return;
    }
    await this.#storage.vitals.append({
      consultId: room.consultId,
      sourceId,
      seq,
      receivedAt: this.#clock.now(),
      message,
      payload: new Uint8Array(payload),
    });
    const edge = await this.#advance(room.consultId, sourceId, seq);
    if (edge > 0) room.notifyPeer(peerId, 'vitalsAck', { sourceId, seq: edge });
  }

  async #ackState(consultId: string, sourceId: string): Promise<{ edge: number; ahead: Set<number> }> {
    const key = `${consultId}\u0000${sourceId}`;
    let state = this.#acked.get(key);
    if (!state) {
      // First message from this source since start: what is already stored counts,
      // read in pages (a monitor bridge stores tens of thousands per consult).
      const fresh = { edge: 0, ahead: new Set<number>() };
      for (let after = 0; ;) {
        const page = await this.#storage.vitals.seqsAfter(consultId, sourceId, after, SEQ_PAGE);
        for (const seq of page) {
          if (seq === fresh.edge + 1 && fresh.ahead.size === 0) fresh.edge = seq;
          else fresh.ahead.add(seq);
        }
        if (page.length < SEQ_PAGE) break;
        after = page[page.length - 1]!;
      }
      while (fresh.ahead.has(fresh.edge + 1)) fresh.ahead.delete(++fresh.edge);
      state = this.#acked.get(key); // another caller may have filled it meanwhile
      if (!state) {
        state = fresh;
        this.#acked.set(key, state);
      }
    }
    return state;
  }

  async #advance(consultId: string, sourceId: string, seq: number): Promise<number> {
    const state = await this.#ackState(consultId, sourceId);
    if (seq > state.edge) state.ahead.add(seq);
    while (state.ahead.has(state.edge + 1)) {
      state.ahead.delete(state.edge + 1);
      state.edge += 1;
    }
    return state.edge;
  }
}
