import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * Invitations of a third party into a running consult's call
 * (server/src/invites/inviteService.ts). Only hashes of the link token and the
 * PIN are stored: a copy of the database lets nobody in. `failed_attempts`
 * counts wrong PINs (the invite dies at the limit); `redeemed_at` makes it
 * single-use; `guest_session_id` is the `sid` of the guest's access token, which
 * is refused once `revoked_at` is set (the host removed the guest).
 */
export function invitesMigration(engine: Engine): Migration {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('invites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('link')`))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('pin_salt', 'text', (c) => c.notNull())
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('redeemed_at', bigint)
        .addColumn('guest_session_id', 'text', (c) => c.unique())
        .addColumn('session_expires_at', bigint)
        .addColumn('revoked_at', bigint)
        .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
        .execute();
      await db.schema.createIndex('invites_consult').on('invites').columns(['consult_id', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('invites').execute();
    },
  };
}
