import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * An ambulance request's location (geolocation fix and the crew's description),
 * urgency and 12-lead flag, as one JSON column beside the intake's other JSON
 * (checklist, measurements): validated by the shared schema on the way in and
 * out, and null for a satellite's request and every consult made before.
 * Adding a nullable column is the same DDL on both engines.
 */
export const ambulanceLocationMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('consults').addColumn('ambulance_json', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('consults').dropColumn('ambulance_json').execute();
  },
};
