import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * Still photos on a consult (wounds, rashes, eyes), taken by the nurse side.
 * The image bytes live in the row itself (BLOB / BYTEA) with their SHA-256:
 * a photo and its metadata commit in one transaction, so a crash (SIGKILL,
 * power) leaves either the whole photo or nothing, with no orphaned file and
 * no row pointing at a file that was never flushed; backups and the
 * PostgreSQL replica carry them with the rest of the record. Photos are
 * bounded in size (8 MiB by default) and few per consult, well within what
 * both engines store inline.
 *
 * Part of the record, so append-only like the notes: the database refuses
 * UPDATE and DELETE. The checks make the stored size and hash match the bytes.
 */
export function consultPhotosMigration(engine: Engine): Migration {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  const blob = engine === 'postgres' ? 'bytea' : 'blob';
  const byteLength = engine === 'postgres' ? sql`octet_length(data)` : sql`length(data)`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('consult_photos')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('taken_at', bigint, (c) => c.notNull())
        .addColumn('taken_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('mime_type', 'text', (c) => c.notNull().check(sql`mime_type in ('image/jpeg', 'image/png')`))
        .addColumn('width', 'integer', (c) => c.notNull().check(sql`width > 0`))
        .addColumn('height', 'integer', (c) => c.notNull().check(sql`height > 0`))
        .addColumn('caption', 'text', (c) => c.notNull())
        .addColumn('byte_size', 'integer', (c) => c.notNull().check(sql`byte_size > 0`))
        // Lower-case hex.
        .addColumn('sha256', 'text', (c) => c.notNull().check(sql`length(sha256) = 64`))
        .addColumn('data', blob, (c) => c.notNull())
        .addCheckConstraint('consult_photos_size_matches', sql`${byteLength} = byte_size`)
        .execute();
      await db.schema
        .createIndex('consult_photos_consult')
        .on('consult_photos')
        .columns(['consult_id', 'taken_at'])
        .execute();

      if (engine === 'postgres') {
        await sql`
          create function consult_photos_append_only() returns trigger language plpgsql as $$
          begin
            raise exception 'consult_photos is append-only (% refused)', tg_op;
          end;
          $$`.execute(db);
        await sql`
          create trigger consult_photos_append_only before update or delete on consult_photos
          for each row execute function consult_photos_append_only()`.execute(db);
      } else {
        await sql`
          create trigger consult_photos_no_update before update on consult_photos
          begin select raise(abort, 'consult_photos is append-only (UPDATE refused)'); end`.execute(db);
        await sql`
          create trigger consult_photos_no_delete before delete on consult_photos
          begin select raise(abort, 'consult_photos is append-only (DELETE refused)'); end`.execute(db);
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('consult_photos').execute();
      if (engine === 'postgres') await sql`drop function if exists consult_photos_append_only()`.execute(db);
    },
  };
}
