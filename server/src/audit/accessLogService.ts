import {
  AccessLogQuery,
  describeIssues,
  type AccessLogEntryView,
  type AccessLogListing,
  type AccessLogVerification,
  type AccessTokenClaims,
  type Consult,
} from '@legevakt/shared';
import { doctorsOfConsult } from '../consults/recordAccess.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { AccessLogEntry } from '../storage/accessLogRepository.ts';
import type { Storage } from '../storage/storage.ts';
import type { AccessLog } from './accessLog.ts';
import { verifyAccessLog } from './verifyAccessLog.ts';

/** At most this many entries per listing (oldest first); `truncated` says when there are more. */
export const MAX_LISTED_ENTRIES = 10_000;

export type ParsedAccessLogQuery = ReturnType<typeof AccessLogQuery.parse>;

/**
 * Reading the access log: a patient's (by national id) or a consult's
 * entries, and the chain's verification.
 *
 * Who may read it: an admin (of every district, or of the district of the
 * consults concerned: a district admin sees the entries of that district's
 * consults), and a doctor who was responsible for a consult of the patient
 * (held it: claimed or was transferred it), for the entries of the consults
 * he was responsible for. Everyone else is refused.
 *
 * Looking the log up is itself logged ('accesslog.view', one entry per
 * lookup, allowed or denied): the listing reveals that the person was a
 * patient here and who treated them, and the patient's own insight into the
 * log should show who looked. One entry per request, never per row shown, so
 * it cannot storm; verification shows no patient data and is not logged.
 */
export class AccessLogService {
  readonly #storage: Storage;
  readonly #org: OrganisationDirectory;
  readonly #access: AccessLog;
  readonly #log: Logger;

  constructor(storage: Storage, org: OrganisationDirectory, access: AccessLog, log: Logger) {
    this.#storage = storage;
    this.#org = org;
    this.#access = access;
    this.#log = log.child({ component: 'access-log' });
  }

  /** Validates the query string; bad input is a 400 naming the problem. */
  parseQuery(raw: unknown): ParsedAccessLogQuery {
    const parsed = AccessLogQuery.safeParse(raw);
    if (!parsed.success) {
      this.#log.warn({ issues: describeIssues(parsed.error) }, 'bad access-log query');
      throw new DomainError('BAD_REQUEST', 'invalid access-log query', describeIssues(parsed.error));
    }
    return parsed.data;
  }

  async list(user: AccessTokenClaims, query: ParsedAccessLogQuery, address: string | null): Promise<AccessLogListing> {
    if (query.consultId !== undefined) return this.#listConsult(user, query.consultId, address);
    if (query.nationalId !== undefined) return this.#listPatient(user, query.nationalId, address);
    throw new DomainError('BAD_REQUEST', 'give either nationalId or consultId');
  }

  /** The whole chain checked; for admins (it shows sequence numbers and hashes, no patient data). */
  async verify(user: AccessTokenClaims): Promise<AccessLogVerification> {
    if (user.role !== 'admin') throw this.#refused(user, 'verify the access log');
    const started = Date.now();
    const result = await verifyAccessLog(this.#storage);
    this.#log.info(
      { userId: user.sub, ok: result.ok, entries: result.entries, ms: Date.now() - started },
      'access log verified',
    );
    if (!result.ok) this.#log.error({ problem: result.problem }, 'access log chain is broken');
    return result;
  }

  async #listConsult(user: AccessTokenClaims, consultId: string, address: string | null): Promise<AccessLogListing> {
    const consult = await this.#storage.consults.get(consultId);
    const base = { user, action: 'accesslog.view' as const, address };
    if (!consult) {
      await this.#access.record({ ...base, consult: null, outcome: 'denied' });
      throw notFound(`consult ${consultId}`);
    }
    if (!(await this.#mayRead(user, consult))) {
      await this.#access.record({ ...base, consult, outcome: 'denied' });
      throw this.#refused(user, 'the access log of this consult');
    }
    // Written before the entries are read: the listing shows this lookup too.
    await this.#access.record({ ...base, consult, outcome: 'allowed' });
    const entries = await this.#storage.accessLog.forConsult(consultId, MAX_LISTED_ENTRIES + 1);
    return this.#listing(entries, null, consultId);
  }

  async #listPatient(user: AccessTokenClaims, nationalId: string, address: string | null): Promise<AccessLogListing> {
    const base = { user, action: 'accesslog.view' as const, address, consult: null, patientNationalId: nationalId };
    const consults = await this.#storage.consults.listForPatientNationalId(nationalId);
    const allDistricts =
      user.role === 'admin' && user.workplace.kind === 'administration' && !user.workplace.districtId;
    let readable: Set<string> | null = null; // null: every entry of the patient
    if (!allDistricts) {
      readable = new Set<string>();
      for (const consult of consults) if (await this.#mayRead(user, consult)) readable.add(consult.id);
      if (readable.size === 0) {
        await this.#access.record({ ...base, outcome: 'denied' });
        throw this.#refused(user, "this patient's access log");
      }
    }
    await this.#access.record({ ...base, outcome: 'allowed' });
    const all = await this.#storage.accessLog.forPatient(nationalId, MAX_LISTED_ENTRIES + 1);
    // A restricted reader sees his consults' entries, and the lookups of the patient's log (no consult).
    const scoped = readable === null ? all : all.filter((e) => e.consultId === null || readable.has(e.consultId));
    return this.#listing(scoped, nationalId, null);
  }

  async #mayRead(user: AccessTokenClaims, consult: Consult): Promise<boolean> {
    const place = user.workplace;
    if (user.role === 'admin' && place.kind === 'administration') {
      return place.districtId === null || place.districtId === consult.districtId;
    }
    if (user.role === 'doctor' && place.kind === 'lvs') {
      if (consult.claimedBy === user.sub) return true;
      const events = await this.#storage.consultEvents.list(consult.id);
      return doctorsOfConsult(consult, events).has(user.sub);
    }
    return false;
  }

  #refused(user: AccessTokenClaims, what: string): DomainError {
    this.#log.warn({ userId: user.sub, role: user.role, workplace: user.workplace, action: what }, 'access denied');
    return new DomainError('FORBIDDEN', `not allowed: ${what}`);
  }

  #listing(entries: AccessLogEntry[], nationalId: string | null, consultId: string | null): AccessLogListing {
    const truncated = entries.length > MAX_LISTED_ENTRIES;
    return {
      nationalId,
      consultId,
      entries: entries.slice(0, MAX_LISTED_ENTRIES).map((e) => this.#view(e)),
      truncated,
    };
  }

  #view(e: AccessLogEntry): AccessLogEntryView {
    return {
      seq: e.seq,
      at: e.at,
      userId: e.userId,
      userName: e.userName,
      userRole: e.userRole,
      workplaceId: e.workplaceId,
      workplaceName: this.#workplaceName(e.workplaceId),
      patientNationalId: e.patientNationalId,
      patientDescription: e.patientDescription,
      consultId: e.consultId,
      action: e.action,
      outcome: e.outcome,
      address: e.address,
      reason: e.reason,
    };
  }

  #workplaceName(id: string | null): string | null {
    if (id === null) return null;
    return (
      this.#org.site(id)?.name ??
      this.#org.satellite(id)?.name ??
      this.#org.ambulanceUnit(id)?.name ??
      this.#org.district(id)?.name ??
      id
    );
  }
}
