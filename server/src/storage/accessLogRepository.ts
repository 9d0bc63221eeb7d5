import type { Selectable } from 'kysely';
import type { Executor } from './executor.ts';
import type { AccessLogTable } from './schema.ts';

/** One access-log entry as stored (see audit/accessLog.ts for what the fields mean and how they are hashed). */
export interface AccessLogEntry {
  readonly seq: number;
  /** Epoch ms. */
  readonly at: number;
  readonly userId: string;
  readonly userName: string;
  readonly userRole: string;
  readonly workplaceId: string | null;
  readonly patientNationalId: string | null;
  readonly patientDescription: string | null;
  readonly consultId: string | null;
  readonly action: string;
  readonly outcome: 'allowed' | 'denied';
  readonly address: string | null;
  readonly reason: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

function fromRow(r: Selectable<AccessLogTable>): AccessLogEntry {
  return {
    seq: r.seq,
    at: r.at,
    userId: r.user_id,
    userName: r.user_name,
    userRole: r.user_role,
    workplaceId: r.workplace_id,
    patientNationalId: r.patient_national_id,
    patientDescription: r.patient_description,
    consultId: r.consult_id,
    action: r.action,
    outcome: r.outcome,
    address: r.address,
    reason: r.reason,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * The access_log table. Insert and read only: there is deliberately no update
 * or delete here (the chain would show it anyway).
 */
export class AccessLogRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  /** The newest entry's seq and hash, or null for an empty log. */
  async tail(): Promise<{ seq: number; hash: string } | null> {
    const row = await this.#db
      .selectFrom('access_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Inserts one entry; fails (primary key) if its seq is taken, so two writers can never fork the chain. */
  async insert(e: AccessLogEntry): Promise<void> {
    await this.#db
      .insertInto('access_log')
      .values({
        seq: e.seq,
        at: e.at,
        user_id: e.userId,
        user_name: e.userName,
        user_role: e.userRole,
        workplace_id: e.workplaceId,
        patient_national_id: e.patientNationalId,
        patient_description: e.patientDescription,
        consult_id: e.consultId,
        action: e.action,
        outcome: e.outcome,
        address: e.address,
        reason: e.reason,
        prev_hash: e.prevHash,
        hash: e.hash,
      })
      .execute();
  }

  /** Entries with seq > afterSeq, ascending, at most `limit`: the verifier walks the chain in pages. */
  async after(afterSeq: number, limit: number): Promise<AccessLogEntry[]> {
    const rows = await this.#db
      .selectFrom('access_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /** Every entry about the patient with this national id, oldest first. */
  async forPatient(nationalId: string, limit = 10_000): Promise<AccessLogEntry[]> {
    const rows = await this.#db
      .selectFrom('access_log')
      .selectAll()
      .where('patient_national_id', '=', nationalId)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /** Every entry about one consult, oldest first. */
  async forConsult(consultId: string, limit = 10_000): Promise<AccessLogEntry[]> {
    const rows = await this.#db
      .selectFrom('access_log')
      .selectAll()
      .where('consult_id', '=', consultId)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /** Whether the user already has an entry of this action (and outcome) for the consult. */
  async exists(consultId: string, userId: string, action: string, outcome: 'allowed' | 'denied'): Promise<boolean> {
    const row = await this.#db
      .selectFrom('access_log')
      .select('seq')
      .where('consult_id', '=', consultId)
      .where('user_id', '=', userId)
      .where('action', '=', action)
      .where('outcome', '=', outcome)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('access_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  }
}
