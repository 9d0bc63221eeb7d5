import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Every queue read lists the doctor's own open consults: index them by doctor. */
export const claimedByIndexMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('consults_claimed_by_status')
      .on('consults')
      .columns(['claimed_by', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('consults_claimed_by_status').execute();
  },
};
