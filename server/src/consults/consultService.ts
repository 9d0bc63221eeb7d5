import { EventEmitter } from 'node:events';
import {
  IntakeRequest,
  pathwayById,
  validateNationalId,
  type AccessTokenClaims,
  type Consult,
  type ConsultChange,
} from '@legevakt/shared';
import { AccessDeniedError } from '../audit/accessDenied.ts';
import { MIN_ACCESS_REASON_LENGTH } from '../audit/audited.ts';
import type { Clock } from '../clock.ts';
import { conflict, DomainError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { Repositories, Storage } from '../storage/storage.ts';
import { canViewConsult, isRequestingSide } from './consultAccess.ts';

/**
 * How a write reaches storage: by default alone; the routes pass
 * AccessLog.auditedWrite's, which commits it together with its access-log
 * entry. `write` must use only the repositories it is given (on SQLite a
 * transaction holds the only connection).
 */
export type WriteWith = <T>(
  write: (tx: Repositories) => Promise<T>,
  consultOf: (result: T) => Pick<Consult, 'id' | 'patient'> | null,
) => Promise<T>;

export interface ConsultServiceEvents {
  /** A consult changed state; the live layer recomputes queues and tells the participants. */
  changed: [consult: Consult, change: ConsultChange];
}

/**
 * The consult's life in the queue: intake by the satellite or ambulance, claim
 * by a doctor, transfer, return to the queue, cancellation, end of the call.
 * Every state change is an atomic conditional update in storage, so two doctors
 * taking the same request at once cannot both get it.
 */
export class ConsultService extends EventEmitter<ConsultServiceEvents> {
  readonly #storage: Storage;
  readonly #org: OrganisationDirectory;
  readonly #clock: Clock;
  readonly #log: Logger;

  /** A write on its own (no entry written with it: the caller logs the access, see audited()). */
  readonly #alone: WriteWith = (write) => write(this.#storage);

  constructor(storage: Storage, org: OrganisationDirectory, clock: Clock, log: Logger) {
    super();
    this.#storage = storage;
    this.#org = org;
    this.#clock = clock;
    this.#log = log.child({ component: 'consults' });
  }

  async request(user: AccessTokenClaims, input: unknown, writeWith: WriteWith = this.#alone): Promise<Consult> {
    const place = user.workplace;
    if (place.kind !== 'satellite' && place.kind !== 'ambulance' && place.kind !== 'station') {
      throw this.#denied(
        user,
        null,
        'request',
        'only a satellite nurse, an ambulance crew or a legevakt station doctor requests the LVS doctor',
      );
    }
    const parsed = IntakeRequest.safeParse(input);
    if (!parsed.success) {
      throw new DomainError(
        'BAD_REQUEST',
        'invalid intake',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      );
    }
    const intake = parsed.data;
    if (intake.patient.kind === 'known') {
      const check = validateNationalId(intake.patient.nationalId);
      if (!check.ok) {
        throw new DomainError('BAD_REQUEST', 'invalid intake', [`patient.nationalId: invalid (${check.reason})`]);
      }
    }
    if (intake.triage === 'red' && !intake.redAcknowledged) {
      throw new DomainError('BAD_REQUEST', 'invalid intake', [
        'redAcknowledged: a red patient belongs to AMK 113 or the central legevakt; confirm the warning first',
      ]);
    }
    if (intake.ambulance && place.kind !== 'ambulance') {
      throw new DomainError('BAD_REQUEST', 'invalid intake', [
        'ambulance: location and urgency belong to an ambulance crew’s request',
      ]);
    }
    if (intake.pathwayId !== null && !pathwayById(intake.pathwayId)) {
      throw new DomainError('BAD_REQUEST', 'invalid intake', [`pathwayId: unknown pathway "${intake.pathwayId}"`]);
    }
    const newConsult = {
      districtId: place.districtId,
      origin: place.kind,
      satelliteId: place.kind === 'satellite' ? place.satelliteId : null,
      ambulanceUnitId: place.kind === 'ambulance' ? place.ambulanceUnitId : null,
      stationId: place.kind === 'station' ? place.stationId : null,
      requestedBy: user.sub,
      patient: intake.patient,
      reason: intake.reason,
      triage: intake.triage,
      pathwayId: intake.pathwayId,
      checklist: intake.checklist,
      measurements: intake.measurements,
      ...(intake.ambulance ? { ambulance: intake.ambulance } : {}),
      requestedAt: this.#clock.now(),
    };
    const consult = await writeWith(
      (tx) => tx.consults.create(newConsult),
      (c) => c,
    );
    this.#log.info({ consultId: consult.id, triage: consult.triage, origin: consult.origin }, 'consult requested');
    this.emit('changed', consult, 'requested');
    return consult;
  }

  /**
   * The consult if this user may see it; a refusal is a logged 403.
   * Break-the-glass: an LVS doctor outside the consult's district may read it
   * anyway with a typed reason (`breakGlassReason`, ≥ 10 characters), which
   * the caller writes to the access log; see `breaksGlass`.
   */
  /**
   * Colleague invitations (InviteService.invitedToCall): a doctor invited into a
   * running call may read the consult to join it, though it is not his to see.
   */
  useCallInvitations(invited: (user: AccessTokenClaims, consult: Consult) => Promise<boolean>): void {
    this.#invitedToCall = invited;
  }

  #invitedToCall: ((user: AccessTokenClaims, consult: Consult) => Promise<boolean>) | null = null;

  /** Whether this user stands invited into the consult's running call (false when invitations are not wired). */
  async invitedToCall(user: AccessTokenClaims, consult: Consult): Promise<boolean> {
    return (await this.#invitedToCall?.(user, consult)) ?? false;
  }

  async get(
    user: AccessTokenClaims,
    id: string,
    action = 'view',
    breakGlassReason: string | null = null,
  ): Promise<Consult> {
    const consult = await this.#storage.consults.get(id);
    if (!consult) throw notFound(`consult ${id}`);
    if (
      action === 'join-call' &&
      !canViewConsult(user, consult, this.#org) &&
      (await this.invitedToCall(user, consult))
    ) {
      return consult;
    }
    if (!canViewConsult(user, consult, this.#org)) {
      if (!this.breaksGlass(user, consult)) throw this.#denied(user, consult, action, 'not your consult');
      const reason = breakGlassReason?.trim() ?? '';
      if (reason.length < MIN_ACCESS_REASON_LENGTH) {
        throw this.#denied(
          user,
          consult,
          action,
          `not your consult: to open it anyway, give a reason of at least ${MIN_ACCESS_REASON_LENGTH} characters`,
        );
      }
      this.#log.warn({ userId: user.sub, consultId: id, action, reason }, 'break-the-glass access');
    }
    return consult;
  }

  /** Whether this user reads the consult only by breaking the glass (an LVS doctor outside its district). */
  breaksGlass(user: AccessTokenClaims, consult: Consult): boolean {
    return user.role === 'doctor' && user.workplace.kind === 'lvs' && !canViewConsult(user, consult, this.#org);
  }

  async claim(user: AccessTokenClaims, id: string, writeWith: WriteWith = this.#alone): Promise<Consult> {
    const place = user.workplace;
    if (user.role !== 'doctor' || place.kind !== 'lvs') {
      throw this.#denied(user, null, 'claim', 'only an LVS doctor takes requests');
    }
    const current = await this.get(user, id, 'claim');
    const claim = { doctorId: user.sub, siteId: place.lvsSiteId, at: this.#clock.now() };
    // A lost race (null) changed nothing and writes no entry: the 409 reveals no more than the queue did.
    const claimed = await writeWith(
      (tx) => tx.consults.claim(id, claim),
      (c) => c,
    );
    if (!claimed) {
      const now = (await this.#storage.consults.get(id)) ?? current;
      const by = now.claimedBy ? await this.#storage.users.findById(now.claimedBy) : null;
      throw conflict(by ? `already taken by ${by.displayName}` : `no longer waiting (${now.status})`);
    }
    this.#log.info(
      { consultId: id, doctorId: user.sub, waitedMs: claimed.claimedAt! - claimed.requestedAt },
      'consult claimed',
    );
    this.emit('changed', claimed, 'claimed');
    return claimed;
  }

  async cancel(user: AccessTokenClaims, id: string): Promise<Consult> {
    const current = await this.get(user, id, 'cancel');
    if (!isRequestingSide(user, current))
      throw this.#denied(user, current, 'cancel', 'only the requesting side cancels');
    const cancelled = await this.#storage.consults.cancel(id, { at: this.#clock.now() });
    if (!cancelled) throw conflict(`a doctor has already taken it (${current.status})`);
    this.emit('changed', cancelled, 'cancelled');
    return cancelled;
  }

  async transfer(user: AccessTokenClaims, id: string, toDoctorId: string): Promise<Consult> {
    const current = await this.#ownActive(user, id, 'transfer');
    const target = await this.#storage.users.findById(toDoctorId);
    if (!target || target.role !== 'doctor' || target.workplace.kind !== 'lvs' || target.disabledAt !== null) {
      throw new DomainError('BAD_REQUEST', 'the transfer target is not an active LVS doctor');
    }
    const targetSite = target.workplace.lvsSiteId;
    const eligible =
      target.workplace.districtId === current.districtId ||
      this.#org.overflowSiteIds(current.districtId).includes(targetSite);
    if (!eligible) throw new DomainError('BAD_REQUEST', 'the target doctor does not serve this district');
    if (target.id === user.sub) throw new DomainError('BAD_REQUEST', 'the consult is already yours');
    const moved = await this.#storage.consults.transfer(id, {
      fromDoctorId: user.sub,
      toDoctorId: target.id,
      toSiteId: targetSite,
      at: this.#clock.now(),
    });
    if (!moved) throw conflict('the consult changed meanwhile');
    this.emit('changed', moved, 'transferred');
    return moved;
  }

  async returnToQueue(user: AccessTokenClaims, id: string): Promise<Consult> {
    await this.#ownActive(user, id, 'return');
    const returned = await this.#storage.consults.returnToQueue(id, { doctorId: user.sub, at: this.#clock.now() });
    if (!returned) throw conflict('the consult changed meanwhile');
    this.emit('changed', returned, 'returned');
    return returned;
  }

  /** The doctor hung up: the call is over, the consult stays open for documentation. */
  async endCall(user: AccessTokenClaims, id: string): Promise<Consult> {
    await this.#ownActive(user, id, 'end-call');
    const ended = await this.#storage.consults.endCall(id, this.#clock.now());
    if (!ended) throw conflict('the consult changed meanwhile');
    this.emit('changed', ended, 'call-ended');
    return ended;
  }

  /** Called by the overflow timer: offered to the other sites of the virtual LVS. */
  async overflow(id: string): Promise<Consult | null> {
    const overflowed = await this.#storage.consults.markOverflowed(id, this.#clock.now());
    if (overflowed) {
      this.#log.info({ consultId: id }, 'consult overflowed to the virtual LVS');
      this.emit('changed', overflowed, 'overflowed');
    }
    return overflowed;
  }

  async #ownActive(user: AccessTokenClaims, id: string, action: string): Promise<Consult> {
    const current = await this.get(user, id, action);
    if (current.status !== 'active' || current.claimedBy !== user.sub) {
      throw this.#denied(user, current, action, 'only the doctor who has the consult does that');
    }
    return current;
  }

  /** The caller writes the access-log entry of the refusal (it knows the address): AccessDeniedError carries the consult. */
  #denied(user: AccessTokenClaims, consult: Consult | null, action: string, reason: string): AccessDeniedError {
    this.#log.warn(
      { userId: user.sub, role: user.role, workplace: user.workplace, consultId: consult?.id, action, reason },
      'access denied',
    );
    return new AccessDeniedError(reason, consult);
  }
}
