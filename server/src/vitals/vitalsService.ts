import { decodeVitalsMessage, VitalsDecodeError, type VitalSample } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Room } from '../media/room.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';
import type { Storage } from '../storage/storage.ts';
import type { StoredVitalsMessage } from '../storage/vitalsRepository.ts';

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

  async #advance(consultId: string, sourceId: string, seq: number): Promise<number> {
    const key = `${consultId}\u0000${sourceId}`;
    let state = this.#acked.get(key);
    if (!state) {
      // First message from this source since start: what is already stored counts.
      state = { edge: 0, ahead: new Set(await this.#storage.vitals.seqsAfter(consultId, sourceId, 0)) };
      this.#acked.set(key, state);
    }
    if (seq > state.edge) state.ahead.add(seq);
    while (state.ahead.has(state.edge + 1)) {
      state.ahead.delete(state.edge + 1);
      state.edge += 1;
    }
    return state.edge;
  }
}
