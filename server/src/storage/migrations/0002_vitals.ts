import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * Vital signs on the consult record. Every message from a source is kept as it
 * arrived (the encoded bytes, base64) under its sequence number, which makes a
 * resend idempotent and lets a viewer fetch a gap; numeric samples are also
 * unpacked into rows for trends and exports.
 */
export function vitalsMigration(engine: Engine): Migration {
  const timestamp = engine === 'postgres' ? 'bigint' : 'integer';
  const real = engine === 'postgres' ? 'double precision' : 'real';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('vitals_messages')
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('seq', timestamp, (c) => c.notNull())
        .addColumn('received_at', timestamp, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('vitals_messages_pk', ['consult_id', 'source_id', 'seq'])
        .execute();

      await db.schema
        .createTable('vital_samples')
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('seq', timestamp, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', real, (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('measured_at', timestamp, (c) => c.notNull())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('quality_json', 'text', (c) => c.notNull())
        .addColumn('site', 'text')
        .execute();
      await db.schema
        .createIndex('vital_samples_consult_time')
        .on('vital_samples')
        .columns(['consult_id', 'measured_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('vital_samples').execute();
      await db.schema.dropTable('vitals_messages').execute();
    },
  };
}
