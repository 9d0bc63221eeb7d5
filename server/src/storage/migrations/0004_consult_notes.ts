import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * The doctor's documentation: the signed note (one per consult, signing it
 * closes the consult) and later addenda. Append-only: the database itself
 * refuses UPDATE and DELETE on the table, so a signed note cannot be changed
 * by any code path; a correction is a new addendum row.
 */
export function consultNotesMigration(engine: Engine): Migration {
  const timestamp = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('consult_notes')
        .addColumn('seq', engine === 'postgres' ? 'bigint' : 'integer', (c) =>
          // As consult_events: a number that only grows, so addenda list in the order they were stored.
          engine === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('note', 'addendum')`))
        .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('signed_at', timestamp, (c) => c.notNull())
        // The note's structured fields; null on an addendum.
        .addColumn('findings', 'text')
        .addColumn('assessment', 'text')
        .addColumn('plan', 'text')
        .addColumn('decision', 'text')
        .addColumn('decision_detail', 'text')
        // The addendum's free text; null on a note.
        .addColumn('text', 'text')
        .addCheckConstraint(
          'consult_notes_kind_fields',
          sql`(kind = 'note' and findings is not null and assessment is not null and plan is not null
                and decision is not null and decision_detail is not null and text is null)
           or (kind = 'addendum' and text is not null and findings is null and assessment is null and plan is null
                and decision is null and decision_detail is null)`,
        )
        .execute();
      // Exactly one signed note per consult, whatever races the service loses.
      await db.schema
        .createIndex('consult_notes_one_note')
        .on('consult_notes')
        .column('consult_id')
        .unique()
        .where(sql.ref('kind'), '=', 'note')
        .execute();
      await db.schema
        .createIndex('consult_notes_consult_signed')
        .on('consult_notes')
        .columns(['consult_id', 'signed_at'])
        .execute();

      if (engine === 'postgres') {
        await sql`
          create function consult_notes_append_only() returns trigger language plpgsql as $$
          begin
            raise exception 'consult_notes is append-only (% refused)', tg_op;
          end;
          $$`.execute(db);
        await sql`
          create trigger consult_notes_append_only before update or delete on consult_notes
          for each row execute function consult_notes_append_only()`.execute(db);
      } else {
        await sql`
          create trigger consult_notes_no_update before update on consult_notes
          begin select raise(abort, 'consult_notes is append-only (UPDATE refused)'); end`.execute(db);
        await sql`
          create trigger consult_notes_no_delete before delete on consult_notes
          begin select raise(abort, 'consult_notes is append-only (DELETE refused)'); end`.execute(db);
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('consult_notes').execute();
      if (engine === 'postgres') await sql`drop function if exists consult_notes_append_only()`.execute(db);
    },
  };
}
