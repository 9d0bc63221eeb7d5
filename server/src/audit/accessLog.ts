import { createHash } from 'node:crypto';
import type { Consult, Workplace } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { AccessLogEntry, AccessLogRepository } from '../storage/accessLogRepository.ts';
import type { ConsultRepository } from '../storage/consultRepository.ts';
import type { Repositories, Storage } from '../storage/storage.ts';
import type { AccessEvent, AccessRecorder } from './accessEvents.ts';
import { deferDurability } from '../storage/walDurability.ts';
import { audited, type AuditedAccess } from './audited.ts';

/**
 * What the access log reads and writes: its own table, consults (for the patient of a consult shown by id),
 * and transactions (a write and its entry commit together, see writeLogged).
 */
export interface AccessLogStorage {
  readonly accessLog: AccessLogRepository;
  readonly consults: Pick<ConsultRepository, 'get'>;
  readonly transaction: Storage['transaction'];
}

/**
 * Runs a storage write together with its 'allowed' access-log entry, in one
 * transaction: the entry is for the consult `consultOf` picks from the write's
 * result; null (the write found nothing to do, e.g. a request a colleague took
 * first) writes no entry. `write` must use only the repositories it is given.
 */
export type LoggedWrite = <T>(
  write: (tx: Repositories) => Promise<T>,
  consultOf: (result: T) => Pick<Consult, 'id' | 'patient'> | null,
) => Promise<T>;

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
    case 'station':
      return workplace.stationId;
    case 'administration':
      return workplace.districtId;
    case 'guest':
      return workplace.consultId;
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
  /** recordOnce calls under way, by key: a second caller for the same key waits for the first. */
  readonly #pendingOnce = new Map<string, Promise<boolean>>();
  static readonly #SEEN_LIMIT = 50_000;

  readonly #transaction: Storage['transaction'];

  constructor(storage: AccessLogStorage, clock: Clock, log: Logger) {
    this.#repo = storage.accessLog;
    this.#transaction = storage.transaction;
    this.#consults = storage.consults;
    this.#clock = clock;
    this.#log = log;
  }

  record(event: AccessEvent): Promise<void> {
    return this.#serialisedDurable(async () => {
      await this.#append(event);
    });
  }

  /**
   * A patient-data write and its access-log entry in ONE transaction, for the
   * write routes (intake, claim): the change and the record of it commit
   * together or not at all, with one commit (one fsync) instead of two, and the
   * entry is never missing for a change that happened. Otherwise as `audited`:
   * `run` gets the LoggedWrite to do its write with; a refusal (AccessDeniedError,
   * NOT_FOUND) is logged 'denied'; if `run` returns without having written
   * through it, the 'allowed' entry is written afterwards as `audited` does, so
   * every request still gets exactly one entry.
   */
  async auditedWrite<T>(
    what: AuditedAccess,
    run: (within: LoggedWrite) => Promise<T>,
    consultOf: (result: T) => Pick<Consult, 'id' | 'patient'>,
  ): Promise<T> {
    const { within, logged } = this.loggedWriter(what);
    // The entry written with the change stands for the request's 'allowed' entry; a refusal is still logged.
    const recorder: AccessRecorder = {
      record: (event) => (event.outcome === 'allowed' && logged() ? Promise.resolve() : this.record(event)),
    };
    return audited(recorder, what, () => run(within), consultOf);
  }

  /**
   * The LoggedWrite of one request: each write through `within` commits with
   * its 'allowed' entry (see auditedWrite); `logged` tells whether that
   * happened, so the request's own 'allowed' entry is not written twice.
   */
  loggedWriter(what: AuditedAccess): { within: LoggedWrite; logged: () => boolean } {
    let logged = false;
    const within: LoggedWrite = (write, loggedConsultOf) =>
      this.#serialisedDurable(async () => {
        try {
          const { written, entry } = await this.#transaction(async (tx) => {
            const result = await write(tx);
            const consult = loggedConsultOf(result);
            const appended = consult
              ? await this.#appendWith(tx.accessLog, {
                  ...what,
                  reason: what.reason ?? null,
                  consult,
                  outcome: 'allowed',
                })
              : null;
            return { written: result, entry: appended };
          });
          // Committed: the chain's tail moves only now (a rolled-back entry never existed).
          if (entry) {
            this.#tail = { seq: entry.seq, hash: entry.hash };
            logged = true;
          }
          return written;
        } catch (error) {
          // Re-read the tail next time: the transaction may have failed after its entry was inserted.
          this.#tail = undefined;
          this.#log.error(
            { err: error, action: what.action, userId: what.user.sub },
            'a logged write failed: neither the change nor its access-log entry was stored',
          );
          throw error;
        }
      });
    return { within, logged: () => logged };
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
    // The same patient shown again before its entry is on disk (the doctor's screen and the live snapshot, or
    // quick reloads): wait for that entry rather than queue another lookup behind it.
    const pending = this.#pendingOnce.get(key);
    if (pending) return pending.then(() => false);
    const written = this.#serialisedDurable(async () => {
      if (this.#seen.has(key)) return false;
      const already = await this.#repo.exists(event.consult.id, event.user.sub, event.action, event.outcome);
      if (!already) await this.#append(event);
      return !already;
    }).then(
      (wrote) => {
        // Remembered only once durable: a caller that found the key seen sends the patient at once.
        this.#remember(key);
        this.#pendingOnce.delete(key);
        return wrote;
      },
      (error: unknown) => {
        this.#pendingOnce.delete(key);
        throw error;
      },
    );
    this.#pendingOnce.set(key, written);
    return written;
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
    const pending: Promise<boolean>[] = [];
    for (const item of shown) {
      const id = typeof item === 'string' ? item : item.id;
      if (this.#seen.has(seenKey(id, user.sub, action, 'allowed'))) continue;
      const consult = typeof item === 'string' ? await this.#consults.get(item) : item;
      if (!consult) continue;
      // Queued at once, in order: the entries are chained one after another, but wait for disk together.
      pending.push(this.recordOnce({ user, action, consult, outcome: 'allowed', address }));
    }
    const results = await Promise.allSettled(pending);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.filter((r) => r.status === 'fulfilled' && r.value).length;
  }

  /** Resolves when every append queued so far has finished (shutdown, tests). */
  async settled(): Promise<void> {
    await this.#queue;
  }

  /**
   * Serialised as the chain needs, but only up to the commit: the next entry
   * is written as soon as this one is committed, while this one's caller waits
   * for it to be on disk (deferDurability), so entries share their fsyncs
   * instead of queueing one fsync after another. A commit that cannot be made
   * durable fails its caller (and the database refuses every later write).
   */
  async #serialisedDurable<T>(fn: () => Promise<T>): Promise<T> {
    const { result, durable } = await this.#serialised(() => deferDurability(fn));
    try {
      await durable;
    } catch (error) {
      this.#log.error({ err: error }, 'access log entry not confirmed on disk: the access is refused');
      throw error;
    }
    return result;
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
      const entry = await this.#appendWith(this.#repo, event);
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

  /** Builds the next entry of the chain and inserts it with `repo` (the table, or a transaction's); the caller moves the tail once it is committed. */
  async #appendWith(repo: AccessLogRepository, event: AccessEvent): Promise<AccessLogEntry> {
    const prev = this.#tail === undefined ? await repo.tail() : this.#tail;
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
    await repo.insert(entry);
    return entry;
  }
}
