import { VitalSample, type VitalsMessage } from '@legevakt/shared';
import { inTransaction, parseJsonColumn, type Executor } from './executor.ts';

export interface StoredVitalsMessage {
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** A consult's vital signs: the messages as they arrived, and the numeric samples unpacked. */
export class VitalsRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  /**
   * Stores one message and its numeric samples in one transaction. A message
   * already stored (a resend) is ignored: returns false.
   */
  async append(args: {
    consultId: string;
    sourceId: string;
    seq: number;
    receivedAt: number;
    message: VitalsMessage;
    payload: Uint8Array;
  }): Promise<boolean> {
    return inTransaction(this.#db, async (trx) => {
      const inserted = await trx
        .insertInto('vitals_messages')
        .values({
          consult_id: args.consultId,
          source_id: args.sourceId,
          seq: args.seq,
          received_at: args.receivedAt,
          type: args.message.type,
          payload: Buffer.from(args.payload).toString('base64'),
        })
        .onConflict((oc) => oc.columns(['consult_id', 'source_id', 'seq']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      if (args.message.type === 'numerics' && args.message.samples.length > 0) {
        await trx
          .insertInto('vital_samples')
          .values(
            args.message.samples.map((s) => ({
              consult_id: args.consultId,
              source_id: args.sourceId,
              seq: args.seq,
              kind: s.kind,
              value: s.value,
              unit: s.unit,
              measured_at: s.measuredAt,
              device: s.device,
              source: s.source,
              quality_json: JSON.stringify(s.quality),
              site: s.site ?? null,
            })),
          )
          .execute();
      }
      return true;
    });
  }

  /** Stored messages of a source in [fromSeq, toSeq], in order (at most `limit`). */
  async range(
    consultId: string,
    sourceId: string,
    fromSeq: number,
    toSeq: number,
    limit = 2000,
  ): Promise<StoredVitalsMessage[]> {
    const rows = await this.#db
      .selectFrom('vitals_messages')
      .select(['seq', 'payload'])
      .where('consult_id', '=', consultId)
      .where('source_id', '=', sourceId)
      .where('seq', '>=', fromSeq)
      .where('seq', '<=', toSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: r.seq, payload: new Uint8Array(Buffer.from(r.payload, 'base64')) }));
  }

  /** Sequence numbers stored for a source above `afterSeq`, ascending: to rebuild the acknowledged edge. */
  async seqsAfter(consultId: string, sourceId: string, afterSeq: number, limit = 10_000): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('vitals_messages')
      .select('seq')
      .where('consult_id', '=', consultId)
      .where('source_id', '=', sourceId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => r.seq);
  }

  /** Every numeric sample of a consult, in measurement order: trends, documentation, exports. */
  async samples(consultId: string): Promise<VitalSample[]> {
    const rows = await this.#db
      .selectFrom('vital_samples')
      .selectAll()
      .where('consult_id', '=', consultId)
      .orderBy('measured_at')
      .orderBy('seq')
      .execute();
    return rows.map((r) =>
      VitalSample.parse({
        kind: r.kind,
        value: r.value,
        unit: r.unit,
        measuredAt: r.measured_at,
        device: r.device,
        source: r.source,
        quality: parseJsonColumn(r.quality_json, 'vital_samples.quality_json'),
        ...(r.site ? { site: r.site } : {}),
      }),
    );
  }

  /** The sources that sent vitals on a consult, in order of their ids. */
  async sourceIds(consultId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('vitals_messages')
      .select('source_id')
      .distinct()
      .where('consult_id', '=', consultId)
      .orderBy('source_id')
      .execute();
    return rows.map((r) => r.source_id);
  }

  async messageCount(consultId: string, sourceId?: string): Promise<number> {
    let query = this.#db
      .selectFrom('vitals_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consult_id', '=', consultId);
    if (sourceId !== undefined) query = query.where('source_id', '=', sourceId);
    const row = await query.executeTakeFirstOrThrow();
    return row.n;
  }
}
