import { parseJsonColumn, type Executor } from './executor.ts';

/** What happened to a consult; the repository's transitions write the first six and call_ended, the services the rest. */
export const CONSULT_EVENT_KINDS = [
  'requested',
  'claimed',
  'transferred',
  'returned',
  'overflowed',
  'cancelled',
  'call_started',
  'call_ended',
  'closed',
  /** A doctor added an addendum to the closed consult's record (data: addendumId). */
  'addendum',
] as const;
export type ConsultEventKind = (typeof CONSULT_EVENT_KINDS)[number];

export type ConsultEventData = Record<string, unknown>;

function eventData(value: unknown, where: string): ConsultEventData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: event data must be a JSON object`);
  }
  return value as ConsultEventData;
}

export interface ConsultEvent {
  /** Increasing in insertion order (one sequence for all consults). */
  readonly id: number;
  readonly consultId: string;
  readonly at: number;
  /** One of CONSULT_EVENT_KINDS when written by this version; read back as stored. */
  readonly kind: string;
  readonly actorUserId: string | null;
  readonly data: ConsultEventData;
}

export interface NewConsultEvent {
  readonly consultId: string;
  readonly at: number;
  readonly kind: ConsultEventKind;
  readonly actorUserId: string | null;
  readonly data?: ConsultEventData;
}

/** The consult timeline: append-only. */
export class ConsultEventRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  async append(event: NewConsultEvent): Promise<ConsultEvent> {
    // Stored as written and read back as parsed: a round trip through JSON.
    const dataJson = JSON.stringify(eventData(event.data ?? {}, 'append'));
    const data = eventData(JSON.parse(dataJson), 'append');
    const row = await this.#db
      .insertInto('consult_events')
      .values({
        consult_id: event.consultId,
        at: event.at,
        kind: event.kind,
        actor_user_id: event.actorUserId,
        data_json: dataJson,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      consultId: event.consultId,
      at: event.at,
      kind: event.kind,
      actorUserId: event.actorUserId,
      data,
    };
  }

  /** The consult's timeline, oldest first. */
  async list(consultId: string): Promise<ConsultEvent[]> {
    const rows = await this.#db
      .selectFrom('consult_events')
      .selectAll()
      .where('consult_id', '=', consultId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      consultId: r.consult_id,
      at: r.at,
      kind: r.kind,
      actorUserId: r.actor_user_id,
      data: eventData(parseJsonColumn(r.data_json, `consult_events ${r.id}.data_json`), `consult_events ${r.id}`),
    }));
  }

  async countByKind(consultId: string, kind: ConsultEventKind): Promise<number> {
    const row = await this.#db
      .selectFrom('consult_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consult_id', '=', consultId)
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return row.n;
  }
}
