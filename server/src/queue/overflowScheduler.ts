import type { Consult } from '@legevakt/shared';
import type { Clock, TimerHandle } from '../clock.ts';
import type { ConsultService } from '../consults/consultService.ts';
import type { Logger } from '../logger.ts';
import type { Storage } from '../storage/storage.ts';

/**
 * Offers a request to the other LVS sites of the virtual LVS when its home
 * sites have not taken it within `overflowAfterMs` (default 30 s). Timers are
 * rebuilt from storage at start, so a restart neither loses nor delays overflow.
 */
export class OverflowScheduler {
  readonly #timers = new Map<string, TimerHandle>();
  readonly #storage: Storage;
  readonly #consults: ConsultService;
  readonly #clock: Clock;
  readonly #overflowAfterMs: number;
  readonly #log: Logger;
  readonly #onChanged = (consult: Consult): void => this.#track(consult);

  constructor(storage: Storage, consults: ConsultService, clock: Clock, overflowAfterMs: number, log: Logger) {
    this.#storage = storage;
    this.#consults = consults;
    this.#clock = clock;
    this.#overflowAfterMs = overflowAfterMs;
    this.#log = log.child({ component: 'overflow' });
  }

  async start(): Promise<void> {
    this.#consults.on('changed', this.#onChanged);
    for (const consult of await this.#storage.consults.listByStatus(['waiting'])) this.#track(consult);
  }

  stop(): void {
    this.#consults.off('changed', this.#onChanged);
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle);
    this.#timers.clear();
  }

  get scheduled(): number {
    return this.#timers.size;
  }

  #track(consult: Consult): void {
    const existing = this.#timers.get(consult.id);
    if (consult.status !== 'waiting' || consult.overflowedAt !== null) {
      if (existing) this.#clock.clearTimeout(existing);
      this.#timers.delete(consult.id);
      return;
    }
    if (existing) return;
    // A request put back in the queue keeps its original time, so it may be due at once.
    const dueIn = consult.requestedAt + this.#overflowAfterMs - this.#clock.now();
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(consult.id);
      this.#consults.overflow(consult.id).catch((error: unknown) => {
        this.#log.error({ err: error, consultId: consult.id }, 'overflow failed');
      });
    }, dueIn);
    this.#timers.set(consult.id, handle);
  }
}
