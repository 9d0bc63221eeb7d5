import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * ECG strips captured on a consult. A strip is a copy of the stored waveform
 * samples of one window (int16, interleaved, base64 like vitals_messages), so
 * the record and its exports never depend on re-cutting the raw messages.
 * `source_id` and `first_sample` say where in the stored stream it was cut,
 * which lets an audit check the copy against the original messages.
 */
export function ecgStripsMigration(engine: Engine): Migration {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  const real = engine === 'postgres' ? 'double precision' : 'real';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('ecg_strips')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('captured_at', bigint, (c) => c.notNull())
        .addColumn('captured_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('signals_json', 'text', (c) => c.notNull())
        .addColumn('sample_rate_hz', real, (c) => c.notNull())
        .addColumn('gain', real, (c) => c.notNull())
        .addColumn('baseline', 'integer', (c) => c.notNull())
        .addColumn('first_sample', bigint, (c) => c.notNull())
        .addColumn('start_time', bigint, (c) => c.notNull())
        .addColumn('length', 'integer', (c) => c.notNull())
        .addColumn('samples', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ecg_strips_consult')
        .on('ecg_strips')
        .columns(['consult_id', 'captured_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('ecg_strips').execute();
    },
  };
}
