import { createHash } from 'node:crypto';
import type { Consult, Workplace } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { AccessLogEntry, AccessLogRepository } from '../storage/accessLogRepository.ts';
import type { ConsultRepository } from '../storage/consultRepository.ts';
import type { AccessEvent, AccessRecorder } from './accessEvents.ts';

/** What the access log reads: its own table, and consults (for the patient of a consult shown by id). */
export interface AccessLogStorage {
  readonly accessLog: AccessLogRepository;
  readonly consults: Pick<ConsultRepository, 'get'>;
}

/** prev_hash of the first entry: fixed, so a verifier needs nothing but the table. */
export const GENESIS_HASH = '0'.repeat(64);

/** A break-the-glass reason longer than this is cut (it is free text typed by a user). */
const MAX_REASON_LENGTH = 500;

/** The fields an entry's hash covers (everything but the hash itself). */
export type HashedFields = Omit<AccessLogEntry, 'hash'>;

/**
 * The canonical serialisation: a JSON array of every field in a fixed order,
 * tagged with a format version. JSON.stringify of strings, integers and null
 * is deterministic, and an array (not an object) leaves no key order to vary.
 */
export function canonicalEntry(e: HashedFields): string {
  return JSON.stringify([
    'access-log/v1',
    e.seq,
    e.at,
    e.userId,
    e.userName,
    e.userRole,
    e.workplaceId,
    e.patientNationalId,
    e.patientDescription,
    e.consultId,
    e.action,
    e.outcome,
    e.address,
    e.reason,
    e.prevHash,
  ]);
}

export function entryHash(e: HashedFields): string {
  return createHash('sha256').update(canonicalEntry(e), 'utf8').digest('hex');
}

/** The id of the user's workplace (satellite, ambulance unit, LVS site, or the admin's district; null = all). */
export function workplaceIdOf(workplace: Workplace): string | null {
  switch (workplace.kind) {
    case 'satellite':
      return workplace.satelliteId;
    case 'ambulance':
      return workplace.ambulanceUnitId;
    case 'lvs':
      return workplace.lvsSiteId;
    case 'administration':
      return workplace.districtId;
  }
}

const SEX_WORDS: Record<'female' | 'male' | 'unknown', string> = {
  female: 'kvinne',
  male: 'mann',
  unknown: 'ukjent kjønn',
};

/**
 * Who the patient is, as the log keeps it: the national id, or for a patient
 * without one a description that stays the same for every entry of the consult.
 */
export function patientOf(consult: Pick<Consult, 'patient'> | null): {
  nationalId: string | null;
  description: string | null;
} {
  if (!consult) return { nationalId: null, description: null };
  const p = consult.patient;
  if (p.kind === 'known') return { nationalId: p.nationalId, description: null };
  const known = p.description ? `: ${p.description}` : '';
  return {
    nationalId: null,
    description: `ukjent pasient (${SEX_WORDS[p.sex]}, ca. ${p.approximateAgeYears} år)${known}`,
  };
}

function seenKey(consultId: string, userId: string, action: string, outcome: string): string {
  return `${consultId}|${userId}|${action}|${outcome}`;
}

/**
 * The tamper-evident patient-data access log (pasientjournalloven § 22).
 *
 * Every entry carries a gap-free sequence number and the SHA-256 of its own
 * fields plus the previous entry's hash, so an edited, deleted or inserted row
 * breaks the chain (verifyAccessLog finds the first one).
 *
 * One writer: appends are serialised through an in-process promise queue, so
 * two concurrent requests never read the same tail and fork the chain. The
 * seq is the table's primary key as well, so a second server process writing
 * to the same database makes its own insert fail rather than fork.
 *
 * Failure policy: `record` rejects when the entry cannot be written, and the
 * callers await it before answering. An access that cannot be logged is not
 * granted: the request fails with 500 and no patient data leaves the server.
 */
export class AccessLog implements AccessRecorder {
  readonly #repo: AccessLogRepository;
  readonly #consults: Pick<ConsultRepository, 'get'>;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** The last append in flight (never rejects): the next one waits for it. */
  #queue: Promise<void> = Promise.resolve();
  /** The chain's tail as last written by us; undefined = read it from the table. */
  #tail: { seq: number; hash: string } | null | undefined;
  /** `consult|user|action` keys known to be logged already (recordOnce), bounded. */
  readonly #seen = new Set<string>();
  static readonly #SEEN_LIMIT = 50_000;

  constructor(storage: AccessLogStorage, clock: Clock, log: Logger) {
    this.#repo = storage.accessLog;
    this.#consults = storage.consults;
    this.#clock = clock;
    this.#log = log;
  }

  record(event: AccessEvent): Promise<void> {
    return this.#serialised(async () => {
      await this.#append(event);
    });
  }

  /**
   * Records the event unless this user already has an entry of this action
   * and outcome for this consult (in this process, or found in the table
   * after a restart). For the work queue, which pushes the same patients to
   * every doctor of the district on every change: the first time a patient
   * is shown to a doctor is what matters, not every snapshot. Returns whether
   * it wrote an entry.
   */
  recordOnce(event: AccessEvent & { consult: Pick<Consult, 'id' | 'patient'> }): Promise<boolean> {
    const key = seenKey(event.consult.id, event.user.sub, event.action, event.outcome);
    if (this.#seen.has(key)) return Promise.resolve(false);
    return this.#serialised(async () => {
      if (this.#seen.has(key)) return false;
      const already = await this.#repo.exists(event.consult.id, event.user.sub, event.action, event.outcome);
      if (!already) await this.#append(event);
      this.#remember(key);
      return !already;
    });
  }

  /**
   * Lists that show patients again and again (the doctor's work queue, pushed
   * on every change and every 15 s; the station's own consults): logs each
   * consult the first time it is shown to this user (recordOnce), awaited
   * before the list goes out. A consult given by id is read from storage only
   * when it has not been logged yet. Returns how many entries were written.
   */
  async recordShown(
    user: AccessEvent['user'],
    action: 'queue.view' | 'consult.view',
    shown: readonly (string | Pick<Consult, 'id' | 'patient'>)[],
    address: string | null,
  ): Promise<number> {
    let written = 0;
    for (const item of shown) {
      const id = typeof item === 'string' ? item : item.id;
      if (this.#seen.has(seenKey(id, user.sub, action, 'allowed'))) continue;
      const consult = typeof item === 'string' ? await this.#consults.get(item) : item;
      if (!consult) continue;
      if (await this.recordOnce({ user, action, consult, outcome: 'allowed', address })) written++;
    }
    return written;
  }

  /** Resolves when every append queued so far has finished (shutdown, tests). */
  async settled(): Promise<void> {
    await this.#queue;
  }

  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #remember(key: string): void {
    if (this.#seen.size >= AccessLog.#SEEN_LIMIT) {
      // Forget the oldest half: a forgotten key costs one indexed lookup, never a duplicate entry.
      let drop = AccessLog.#SEEN_LIMIT / 2;
      for (const old of this.#seen) {
        if (drop-- <= 0) break;
        this.#seen.delete(old);
      }
    }
    this.#seen.add(key);
  }

  async #append(event: AccessEvent): Promise<void> {
    try {
      if (this.#tail === undefined) this.#tail = await this.#repo.tail();
      const prev = this.#tail;
      const patient = event.consult
        ? patientOf(event.consult)
        : { nationalId: event.patientNationalId ?? null, description: null };
      const reason = event.reason?.trim() ? event.reason.trim().slice(0, MAX_REASON_LENGTH) : null;
      const fields: HashedFields = {
        seq: (prev?.seq ?? 0) + 1,
        at: this.#clock.now(),
        userId: event.user.sub,
        userName: event.user.name,
        userRole: event.user.role,
        workplaceId: workplaceIdOf(event.user.workplace),
        patientNationalId: patient.nationalId,
        patientDescription: patient.description,
        consultId: event.consult?.id ?? null,
        action: event.action,
        outcome: event.outcome,
        address: event.address,
        reason,
        prevHash: prev?.hash ?? GENESIS_HASH,
      };
      const entry: AccessLogEntry = { ...fields, hash: entryHash(fields) };
      await this.#repo.insert(entry);
      this.#tail = { seq: entry.seq, hash: entry.hash };
    } catch (error) {
      // Re-read the tail next time: another writer may have moved it, or the insert may be in doubt.
      this.#tail = undefined;
      this.#log.error(
        { err: error, action: event.action, consultId: event.consult?.id ?? null, userId: event.user.sub },
        'access log write failed: the access is refused',
      );
      throw error;
    }
  }
}
