import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * The patient-data access log (pasientjournalloven § 22). Append-only and
 * hash-chained: `seq` is assigned by the writer (gap-free, the primary key, so
 * a second writer that raced ours fails instead of forking the chain), and
 * `hash` covers every column plus `prev_hash`. Nothing ever updates or deletes
 * a row; the verifier finds any row that was.
 */
export function accessLogMigration(engine: Engine): Migration {
  const integer = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('access_log')
        .addColumn('seq', integer, (c) => c.primaryKey())
        .addColumn('at', integer, (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('user_role', 'text', (c) => c.notNull())
        .addColumn('workplace_id', 'text')
        .addColumn('patient_national_id', 'text')
        .addColumn('patient_description', 'text')
        .addColumn('consult_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('reason', 'text')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      // The patient's log (the listing) and the consult's.
      await db.schema
        .createIndex('access_log_patient')
        .on('access_log')
        .columns(['patient_national_id', 'seq'])
        .execute();
      // Also answers "was this patient already shown to this doctor in the queue?".
      await db.schema
        .createIndex('access_log_consult_user')
        .on('access_log')
        .columns(['consult_id', 'user_id', 'action'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('access_log').execute();
    },
  };
}
