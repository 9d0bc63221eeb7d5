import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '../logger.ts';

export interface WorkerPoolOptions {
  numWorkers: number;
  workerBin: string | undefined;
  logLevel: types.WorkerLogLevel;
  listenIp: string;
  announcedAddress: string;
  webRtcServerBasePort: number;
}

/** One mediasoup worker process (one core) and the WebRtcServer its transports share. */
export interface MediaWorker {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
}

export interface WorkerPoolEvents {
  /** A worker process died; its routers are already closed. */
  workerDied: [index: number, pid: number, error: Error];
  workerReplaced: [index: number, pid: number];
}

/**
 * One worker per core. Each worker has its own WebRtcServer on one UDP and one
 * TCP port (base + index), so a site firewall needs a rule for a small fixed
 * port range instead of the ephemeral range. A worker that dies is logged and
 * replaced on the same port; routers are placed on the least-loaded worker.
 */
export class MediaWorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #log: Logger;
  readonly #slots: (MediaWorker | null)[];
  /** Routers per worker index: placement load and the census. */
  readonly #routers: Set<types.Router>[];
  #closed = false;

  private constructor(options: WorkerPoolOptions, log: Logger) {
    super();
    this.#options = options;
    this.#log = log;
    this.#slots = new Array<MediaWorker | null>(options.numWorkers).fill(null);
    this.#routers = Array.from({ length: options.numWorkers }, () => new Set<types.Router>());
  }

  static async start(options: WorkerPoolOptions, log: Logger): Promise<MediaWorkerPool> {
    if (options.numWorkers < 1) throw new Error('at least one media worker is needed');
    const pool = new MediaWorkerPool(options, log);
    try {
      for (let index = 0; index < options.numWorkers; index++) await pool.#spawn(index);
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** The worker with the fewest routers, for a new consult room. */
  leastLoaded(): MediaWorker {
    let best: MediaWorker | null = null;
    for (const slot of this.#slots) {
      if (slot && (!best || this.#routers[slot.index]!.size < this.#routers[best.index]!.size)) best = slot;
    }
    if (!best) throw new Error('no media worker is running');
    return best;
  }

  async createRouter(
    mediaCodecs: types.RouterRtpCodecCapability[],
  ): Promise<{ router: types.Router; host: MediaWorker }> {
    const host = this.leastLoaded();
    const router = await host.worker.createRouter({ mediaCodecs });
    const routers = this.#routers[host.index]!;
    routers.add(router);
    router.observer.once('close', () => routers.delete(router));
    return { router, host };
  }

  /** Live mediasoup objects per worker: what tests and /api/health use to see leaks. */
  async census(): Promise<
    { pid: number; routers: number; transports: number; producers: number; consumers: number }[]
  > {
    const result = [];
    for (const slot of this.#slots) {
      if (!slot) continue;
      // Ask the worker process itself, not our bookkeeping: a leak would be invisible otherwise.
      const dump = await slot.worker.dump();
      let transports = 0;
      let producers = 0;
      let consumers = 0;
      for (const router of this.#routers[slot.index]!) {
        const routerDump = await router.dump();
        transports += routerDump.transportIds.length;
        producers += routerDump.mapProducerIdConsumerIds.length;
        consumers += routerDump.mapConsumerIdProducerId.length;
      }
      result.push({ pid: slot.worker.pid, routers: dump.routerIds.length, transports, producers, consumers });
    }
    return result;
  }

  workers(): MediaWorker[] {
    return this.#slots.filter((slot): slot is MediaWorker => slot !== null);
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
    this.#slots.fill(null);
  }

  async #spawn(index: number): Promise<MediaWorker> {
    const { workerBin, logLevel, listenIp, announcedAddress, webRtcServerBasePort } = this.#options;
    const worker = await mediasoup.createWorker({
      logLevel,
      ...(workerBin ? { workerBin } : {}),
      appData: { index },
    });
    // Base port 0 (tests) lets the worker pick free ports.
    const port = webRtcServerBasePort > 0 ? webRtcServerBasePort + index : undefined;
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: listenIp, announcedAddress, ...(port ? { port } : {}) },
          { protocol: 'tcp', ip: listenIp, announcedAddress, ...(port ? { port } : {}) },
        ],
      });
    } catch (error) {
      worker.close();
      throw new Error(`media worker ${index}: cannot listen on UDP/TCP port ${port ?? '(any)'}`, { cause: error });
    }
    const slot: MediaWorker = { index, worker, webRtcServer };
    this.#slots[index] = slot;
    this.#routers[index]!.clear();
    worker.on('died', (error) => this.#onDied(slot, error));
    this.#log.info({ index, pid: worker.pid, port, announcedAddress }, 'media worker started');
    return slot;
  }

  #onDied(slot: MediaWorker, error: Error): void {
    this.#log.error({ index: slot.index, pid: slot.worker.pid, err: error }, 'media worker died; replacing it');
    this.#slots[slot.index] = null;
    this.emit('workerDied', slot.index, slot.worker.pid, error);
    if (this.#closed) return;
    void this.#respawn(slot.index, 0);
  }

  async #respawn(index: number, attempt: number): Promise<void> {
    try {
      const slot = await this.#spawn(index);
      if (this.#closed) {
        slot.worker.close();
        return;
      }
      this.emit('workerReplaced', index, slot.worker.pid);
    } catch (error) {
      // The dead process may still hold its port for a moment; retry with backoff.
      const delayMs = Math.min(5000, 100 * 2 ** attempt);
      this.#log.error({ index, attempt, err: error, delayMs }, 'media worker restart failed; retrying');
      setTimeout(() => void this.#respawn(index, attempt + 1), delayMs).unref();
    }
  }
}
