import crypto from 'node:crypto';
import { Consult, type ConsultStatus } from '@legevakt/shared';
import type { Selectable } from 'kysely';
import { ConsultEventRepository, type ConsultEventData, type ConsultEventKind } from './consultEventRepository.ts';
import { inTransaction, parseJsonColumn, type Executor } from './executor.ts';
import type { ConsultsTable } from './schema.ts';

/** What the intake stores; the queue state starts as waiting, unclaimed, version 1. */
export type NewConsult = Omit<
  Consult,
  | 'id'
  | 'status'
  | 'claimedAt'
  | 'claimedBy'
  | 'claimedSiteId'
  | 'overflowedAt'
  | 'callEndedAt'
  | 'cancelledAt'
  | 'version'
  | 'stationId'
> & {
  /** Generated (a UUID) when absent. */
  readonly id?: string;
  /** The requesting legevakt station of a back-up request (origin 'station'); null when absent. */
  readonly stationId?: string | null;
};

/** The columns SLA statistics need, one row per consult requested in the period. */
export interface SlaRow {
  readonly id: string;
  readonly districtId: string;
  readonly claimedSiteId: string | null;
  readonly requestedAt: number;
  readonly claimedAt: number | null;
  readonly status: ConsultStatus;
  readonly cancelledAt: number | null;
}

type ConsultRow = Selectable<ConsultsTable>;

/** The precondition of a transition, checked in the UPDATE's WHERE clause, never by reading first. */
interface Precondition {
  readonly status: ConsultStatus;
  readonly claimedBy?: string;
  readonly notOverflowed?: boolean;
}

type ConsultChanges = Partial<
  Pick<
    ConsultRow,
    'status' | 'claimed_at' | 'claimed_by' | 'claimed_site_id' | 'overflowed_at' | 'call_ended_at' | 'cancelled_at'
  >
>;

interface TransitionEvent {
  readonly kind: ConsultEventKind;
  readonly at: number;
  readonly actorUserId: string | null;
  readonly data?: ConsultEventData;
}

/**
 * Consults and the LVS work queue. Every state transition is one conditional
 * UPDATE … WHERE <precondition> RETURNING: of any number of concurrent callers
 * exactly one sees the row change, the others get null. The transition's
 * timeline event is written in the same transaction, and version goes up by one.
 */
export class ConsultRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  /** Stores a new waiting consult and its 'requested' event; throws if it does not validate. */
  async create(input: NewConsult): Promise<Consult> {
    const parsed = Consult.safeParse({
      ...input,
      id: input.id ?? crypto.randomUUID(),
      stationId: input.stationId ?? null,
      status: 'waiting',
      claimedAt: null,
      claimedBy: null,
      claimedSiteId: null,
      overflowedAt: null,
      callEndedAt: null,
      cancelledAt: null,
      version: 1,
    });
    if (!parsed.success) throw new Error(`invalid consult: ${parsed.error.message}`, { cause: parsed.error });
    const consult = parsed.data;
    return inTransaction(this.#db, async (trx) => {
      const row = await trx.insertInto('consults').values(toRow(consult)).returningAll().executeTakeFirstOrThrow();
      await new ConsultEventRepository(trx).append({
        consultId: consult.id,
        at: consult.requestedAt,
        kind: 'requested',
        actorUserId: consult.requestedBy,
        data: { origin: consult.origin, triage: consult.triage },
      });
      return toConsult(row);
    });
  }

  async get(id: string): Promise<Consult | null> {
    const row = await this.#db.selectFrom('consults').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toConsult(row) : null;
  }

  /** Consults in any of the statuses (and, if given, the districts), oldest request first. */
  async listByStatus(
    statuses: readonly ConsultStatus[],
    filter: { districtIds?: readonly string[] } = {},
  ): Promise<Consult[]> {
    if (statuses.length === 0) return [];
    if (filter.districtIds?.length === 0) return [];
    let query = this.#db.selectFrom('consults').selectAll().where('status', 'in', statuses);
    if (filter.districtIds !== undefined) query = query.where('district_id', 'in', filter.districtIds);
    const rows = await query.orderBy('requested_at').orderBy('id').execute();
    return rows.map(toConsult);
  }

  /** The consults a doctor has taken, in those statuses, oldest request first. */
  async listClaimedBy(doctorId: string, statuses: readonly ConsultStatus[]): Promise<Consult[]> {
    if (statuses.length === 0) return [];
    const rows = await this.#db
      .selectFrom('consults')
      .selectAll()
      .where('claimed_by', '=', doctorId)
      .where('status', 'in', statuses)
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
    return rows.map(toConsult);
  }

  /** A satellite's consults (optionally only those statuses), oldest request first. */
  async listForSatellite(satelliteId: string, statuses?: readonly ConsultStatus[]): Promise<Consult[]> {
    if (statuses?.length === 0) return [];
    let query = this.#db.selectFrom('consults').selectAll().where('satellite_id', '=', satelliteId);
    if (statuses !== undefined) query = query.where('status', 'in', statuses);
    const rows = await query.orderBy('requested_at').orderBy('id').execute();
    return rows.map(toConsult);
  }

  /** A legevakt station's back-up requests (optionally only those statuses), oldest request first. */
  async listForStation(stationId: string, statuses?: readonly ConsultStatus[]): Promise<Consult[]> {
    if (statuses?.length === 0) return [];
    let query = this.#db.selectFrom('consults').selectAll().where('station_id', '=', stationId);
    if (statuses !== undefined) query = query.where('status', 'in', statuses);
    const rows = await query.orderBy('requested_at').orderBy('id').execute();
    return rows.map(toConsult);
  }

  /** An ambulance unit's consults (optionally only those statuses), oldest request first. */
  async listForAmbulanceUnit(unitId: string, statuses?: readonly ConsultStatus[]): Promise<Consult[]> {
    if (statuses?.length === 0) return [];
    let query = this.#db.selectFrom('consults').selectAll().where('ambulance_unit_id', '=', unitId);
    if (statuses !== undefined) query = query.where('status', 'in', statuses);
    const rows = await query.orderBy('requested_at').orderBy('id').execute();
    return rows.map(toConsult);
  }

  /** Consults whose patient has this national id (known patients only), oldest first. */
  async listForPatientNationalId(nationalId: string): Promise<Consult[]> {
    const rows = await this.#db
      .selectFrom('consults')
      .selectAll()
      .where('patient_national_id', '=', nationalId)
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
    return rows.map(toConsult);
  }

  /** waiting → active, taken by the doctor at the site. Null unless it was waiting. */
  async claim(id: string, args: { doctorId: string; siteId: string; at: number }): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'waiting' },
      { status: 'active', claimed_at: args.at, claimed_by: args.doctorId, claimed_site_id: args.siteId },
      { kind: 'claimed', at: args.at, actorUserId: args.doctorId, data: { siteId: args.siteId } },
    );
  }

  /**
   * Hands an active consult to another doctor (claimed_at, the time it was first
   * taken, stays). Null unless it is active and held by fromDoctorId.
   */
  async transfer(
    id: string,
    args: { fromDoctorId: string; toDoctorId: string; toSiteId: string; at: number },
  ): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'active', claimedBy: args.fromDoctorId },
      { claimed_by: args.toDoctorId, claimed_site_id: args.toSiteId },
      {
        kind: 'transferred',
        at: args.at,
        actorUserId: args.fromDoctorId,
        data: { fromDoctorId: args.fromDoctorId, toDoctorId: args.toDoctorId, toSiteId: args.toSiteId },
      },
    );
  }

  /**
   * active → waiting: the doctor gives it back. requested_at is unchanged, so it
   * keeps its place in the queue. Null unless it is active and held by that doctor.
   */
  async returnToQueue(id: string, args: { doctorId: string; at: number }): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'active', claimedBy: args.doctorId },
      { status: 'waiting', claimed_at: null, claimed_by: null, claimed_site_id: null },
      { kind: 'returned', at: args.at, actorUserId: args.doctorId },
    );
  }

  /** waiting → cancelled (withdrawn before a doctor took it). Null unless it was waiting. */
  async cancel(id: string, args: { at: number; actorUserId?: string | null }): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'waiting' },
      { status: 'cancelled', cancelled_at: args.at },
      { kind: 'cancelled', at: args.at, actorUserId: args.actorUserId ?? null },
    );
  }

  /** Records that a waiting consult overflowed to the virtual LVS; once only. */
  async markOverflowed(id: string, at: number): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'waiting', notOverflowed: true },
      { overflowed_at: at },
      { kind: 'overflowed', at, actorUserId: null },
    );
  }

  /** active → documentation: the call is over, the doctor documents. Null unless it was active. */
  async endCall(id: string, at: number, actorUserId: string | null = null): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'active' },
      { status: 'documentation', call_ended_at: at },
      { kind: 'call_ended', at, actorUserId },
    );
  }

  /** documentation → closed by the doctor holding it. Null otherwise. */
  async close(id: string, args: { doctorId: string; at: number }): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'documentation', claimedBy: args.doctorId },
      { status: 'closed' },
      { kind: 'closed', at: args.at, actorUserId: args.doctorId },
    );
  }

  /**
   * active → closed in one step: the doctor signed during the call, which ends
   * it (call_ended_at is set; the timeline gets 'call_ended', then 'closed').
   * Null unless it is active and held by that doctor.
   */
  async endCallAndClose(id: string, args: { doctorId: string; at: number }): Promise<Consult | null> {
    return inTransaction(this.#db, async (trx) => {
      const repo = new ConsultRepository(trx);
      const ended = await repo.#transition(
        id,
        { status: 'active', claimedBy: args.doctorId },
        { status: 'documentation', call_ended_at: args.at },
        { kind: 'call_ended', at: args.at, actorUserId: args.doctorId },
      );
      // Same transaction, same holder: the close cannot fail once the end of the call succeeded.
      return ended ? repo.close(id, args) : null;
    });
  }

  /**
   * A closed consult's record gained an addendum: version goes up (clients
   * refetch the record) and the timeline gets 'addendum'. Null unless closed.
   */
  async noteAddendum(id: string, args: { authorId: string; addendumId: string; at: number }): Promise<Consult | null> {
    return this.#transition(
      id,
      { status: 'closed' },
      {},
      { kind: 'addendum', at: args.at, actorUserId: args.authorId, data: { addendumId: args.addendumId } },
    );
  }

  /**
   * How long the district's most recently answered consults waited (claimed_at −
   * requested_at, ms), newest answer first, at most `limit` of them. A consult
   * handed back to the queue counts when it is claimed again.
   */
  async recentAnswerTimes(districtId: string, limit: number): Promise<number[]> {
    if (limit <= 0) return [];
    const rows = await this.#db
      .selectFrom('consults')
      .select(['requested_at', 'claimed_at'])
      .where('district_id', '=', districtId)
      .where('claimed_at', 'is not', null)
      .orderBy('claimed_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => Math.max(0, (r.claimed_at ?? r.requested_at) - r.requested_at));
  }

  /** The consults requested in [fromMs, toMs), oldest first. */
  async slaRows(fromMs: number, toMs: number): Promise<SlaRow[]> {
    const rows = await this.#db
      .selectFrom('consults')
      .select(['id', 'district_id', 'claimed_site_id', 'requested_at', 'claimed_at', 'status', 'cancelled_at'])
      .where('requested_at', '>=', fromMs)
      .where('requested_at', '<', toMs)
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      districtId: r.district_id,
      claimedSiteId: r.claimed_site_id,
      requestedAt: r.requested_at,
      claimedAt: r.claimed_at,
      status: r.status,
      cancelledAt: r.cancelled_at,
    }));
  }

  async #transition(
    id: string,
    precondition: Precondition,
    changes: ConsultChanges,
    event: TransitionEvent,
  ): Promise<Consult | null> {
    return inTransaction(this.#db, async (trx) => {
      let update = trx
        .updateTable('consults')
        .set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('status', '=', precondition.status);
      if (precondition.claimedBy !== undefined) update = update.where('claimed_by', '=', precondition.claimedBy);
      if (precondition.notOverflowed === true) update = update.where('overflowed_at', 'is', null);
      const row = await update.returningAll().executeTakeFirst();
      if (!row) return null;
      await new ConsultEventRepository(trx).append({ consultId: id, ...event });
      return toConsult(row);
    });
  }
}

function toRow(c: Consult): ConsultRow {
  return {
    id: c.id,
    district_id: c.districtId,
    origin: c.origin,
    satellite_id: c.satelliteId,
    ambulance_unit_id: c.ambulanceUnitId,
    station_id: c.stationId,
    requested_by: c.requestedBy,
    patient_json: JSON.stringify(c.patient),
    patient_national_id: c.patient.kind === 'known' ? c.patient.nationalId : null,
    reason: c.reason,
    triage: c.triage,
    pathway_id: c.pathwayId,
    checklist_json: JSON.stringify(c.checklist),
    measurements_json: JSON.stringify(c.measurements),
    status: c.status,
    requested_at: c.requestedAt,
    claimed_at: c.claimedAt,
    claimed_by: c.claimedBy,
    claimed_site_id: c.claimedSiteId,
    overflowed_at: c.overflowedAt,
    call_ended_at: c.callEndedAt,
    cancelled_at: c.cancelledAt,
    version: c.version,
    ambulance_json: c.ambulance ? JSON.stringify(c.ambulance) : null,
  };
}

/** A row back to the domain type, validated: a row that does not validate is reported, not passed on. */
function toConsult(r: ConsultRow): Consult {
  const where = `consults ${r.id}`;
  const parsed = Consult.safeParse({
    id: r.id,
    districtId: r.district_id,
    origin: r.origin,
    satelliteId: r.satellite_id,
    ambulanceUnitId: r.ambulance_unit_id,
    stationId: r.station_id,
    requestedBy: r.requested_by,
    patient: parseJsonColumn(r.patient_json, `${where}.patient_json`),
    reason: r.reason,
    triage: r.triage,
    pathwayId: r.pathway_id,
    checklist: parseJsonColumn(r.checklist_json, `${where}.checklist_json`),
    measurements: parseJsonColumn(r.measurements_json, `${where}.measurements_json`),
    status: r.status,
    requestedAt: r.requested_at,
    claimedAt: r.claimed_at,
    claimedBy: r.claimed_by,
    claimedSiteId: r.claimed_site_id,
    overflowedAt: r.overflowed_at,
    callEndedAt: r.call_ended_at,
    cancelledAt: r.cancelled_at,
    version: r.version,
    ...(r.ambulance_json === null ? {} : { ambulance: parseJsonColumn(r.ambulance_json, `${where}.ambulance_json`) }),
  });
  if (!parsed.success) throw new Error(`${where} does not validate: ${parsed.error.message}`, { cause: parsed.error });
  return parsed.data;
}
