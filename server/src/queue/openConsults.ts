import type { Consult, ConsultStatus } from '@legevakt/shared';
import type { ConsultService } from '../consults/consultService.ts';
import type { Storage } from '../storage/storage.ts';

const OPEN: readonly ConsultStatus[] = ['waiting', 'active', 'documentation'];

/**
 * The consults that are still open (waiting, in a call, or being documented),
 * kept in memory. Every doctor's screen reads the queue many times a minute;
 * answering those reads from storage meant a query, a JSON parse and a schema
 * check per row per read, and every read queued behind the synchronous SQLite
 * commits of intakes and claims. A district has tens of open consults, so all
 * of them fit in memory many times over.
 *
 * Storage stays the truth: the set is loaded from it at start and follows
 * ConsultService's 'changed' event, which fires after every committed
 * transition (the only way consults change in this single-process server).
 * Closed and cancelled consults leave the set.
 */
export class OpenConsults {
  readonly #byId = new Map<string, Consult>();
  readonly #consults: ConsultService;
  readonly #onChanged = (consult: Consult): void => this.apply(consult);
  /** Bumped when a consult is answered: the expected-wait estimates read the recent answer times. */
  #answersVersion = 0;
  /** Bumped on every change taken in: what was computed from the set at an older version may be stale. */
  #version = 0;

  private constructor(consults: ConsultService) {
    this.#consults = consults;
  }

  static async load(storage: Storage, consults: ConsultService): Promise<OpenConsults> {
    const model = new OpenConsults(consults);
    // Subscribe before reading so a change committed meanwhile is not missed;
    // a row read afterwards never overwrites a newer version (see apply).
    consults.on('changed', model.#onChanged);
    for (const consult of await storage.consults.listByStatus([...OPEN])) model.apply(consult);
    return model;
  }

  stop(): void {
    this.#consults.off('changed', this.#onChanged);
  }

  /** Takes in a consult's new state; an older version than the one held is ignored. */
  apply(consult: Consult): void {
    const held = this.#byId.get(consult.id);
    if (held && held.version > consult.version) return;
    if ((held?.claimedAt ?? null) !== consult.claimedAt) this.#answersVersion += 1;
    this.#version += 1;
    if (OPEN.includes(consult.status)) this.#byId.set(consult.id, consult);
    else this.#byId.delete(consult.id);
  }

  get version(): number {
    return this.#version;
  }

  get answersVersion(): number {
    return this.#answersVersion;
  }

  /** The open consult with this id, if it is open. */
  get(id: string): Consult | undefined {
    return this.#byId.get(id);
  }

  waiting(): Consult[] {
    return this.#where((c) => c.status === 'waiting');
  }

  claimedBy(doctorId: string): Consult[] {
    return this.#where((c) => c.claimedBy === doctorId && c.status !== 'waiting');
  }

  forSatellite(satelliteId: string): Consult[] {
    return this.#where((c) => c.satelliteId === satelliteId);
  }

  forStation(stationId: string): Consult[] {
    return this.#where((c) => c.stationId === stationId);
  }

  forAmbulanceUnit(unitId: string): Consult[] {
    return this.#where((c) => c.ambulanceUnitId === unitId);
  }

  #where(keep: (consult: Consult) => boolean): Consult[] {
    const out: Consult[] = [];
    for (const consult of this.#byId.values()) if (keep(consult)) out.push(consult);
    // Storage lists oldest first; keep that order so views do not reshuffle.
    return out.sort((a, b) => a.requestedAt - b.requestedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
