import { EventEmitter } from 'node:events';
import type { RtpCapabilities } from '@legevakt/shared';
import type { Logger } from '../logger.ts';
import { mediaCodecs } from './codecs.ts';
import { Room, type RoomOptions } from './room.ts';
import type { MediaWorkerPool } from './workerPool.ts';

/**
 * The open consult rooms by consult id. Two peers joining the same consult at
 * the same moment must land in one room, so creation in flight is shared.
 */
export interface RoomRegistryEvents {
  /** A consult's room opened: services that follow rooms (vitals) attach here. */
  roomOpened: [room: Room];
}

export class RoomRegistry extends EventEmitter<RoomRegistryEvents> {
  readonly #rooms = new Map<string, Room>();
  readonly #creating = new Map<string, Promise<Room>>();
  readonly #pool: MediaWorkerPool;
  readonly #options: RoomOptions;
  readonly #log: Logger;
  #capabilities: Promise<RtpCapabilities> | null = null;

  constructor(pool: MediaWorkerPool, options: RoomOptions, log: Logger) {
    super();
    this.#pool = pool;
    this.#options = options;
    this.#log = log;
  }

  /**
   * What every consult router can do. A client needs this before it joins, but
   * asking must not open a room (a room nobody joins would never close), so it
   * is learned once from a short-lived router: all rooms share one codec list.
   */
  routerRtpCapabilities(): Promise<RtpCapabilities> {
    this.#capabilities ??= this.#pool.createRouter(mediaCodecs).then(({ router }) => {
      const capabilities = router.rtpCapabilities;
      router.close();
      return capabilities;
    });
    this.#capabilities.catch(() => {
      this.#capabilities = null;
    });
    return this.#capabilities;
  }

  get(consultId: string): Room | undefined {
    return this.#rooms.get(consultId);
  }

  async getOrCreate(consultId: string): Promise<Room> {
    const open = this.#rooms.get(consultId);
    if (open && !open.closed) return open;
    const pending = this.#creating.get(consultId);
    if (pending) return pending;
    const creation = Room.create(consultId, this.#pool, this.#options, this.#log)
      .then((room) => {
        this.#rooms.set(consultId, room);
        this.emit('roomOpened', room);
        room.once('closed', () => {
          if (this.#rooms.get(consultId) === room) this.#rooms.delete(consultId);
        });
        return room;
      })
      .finally(() => this.#creating.delete(consultId));
    this.#creating.set(consultId, creation);
    return creation;
  }

  get size(): number {
    return this.#rooms.size;
  }

  closeAll(reason: 'server-shutdown'): void {
    for (const room of [...this.#rooms.values()]) room.close(reason);
  }
}
