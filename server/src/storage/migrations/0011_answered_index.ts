import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The expected wait shown to a nurse reads the district's most recently answered
 * consults (ConsultRepository.recentAnswerTimes) after every claim. Without this
 * index that read sorted every answered consult the district ever had: 0.7 ms
 * per claim on the event loop at a few thousand rows in the queue bench, and a
 * year of a district's consults is tens of thousands. With it, the newest
 * answers are read off the index in order. Both engines accept the descending key.
 */
export const answeredIndexMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create index consults_district_claimed on consults (district_id, claimed_at desc, id)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('consults_district_claimed').execute();
  },
};
