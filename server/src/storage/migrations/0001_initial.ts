import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../schema.ts';

/**
 * The organisation, users, refresh tokens, consults and their timeline.
 * One definition for both engines; the only differences are the integer type
 * of a millisecond timestamp and how the event table numbers its rows.
 */
export function initialMigration(engine: Engine): Migration {
  // SQLite's INTEGER is 64-bit; PostgreSQL's is 32-bit, too small for epoch milliseconds.
  const timestamp = engine === 'postgres' ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('virtual_lvs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('districts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('lvs_sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('district_id', 'text', (c) => c.notNull().references('districts.id'))
        .addColumn('virtual_lvs_id', 'text', (c) => c.references('virtual_lvs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lvs_sites_district').on('lvs_sites').column('district_id').execute();
      await db.schema.createIndex('lvs_sites_virtual_lvs').on('lvs_sites').column('virtual_lvs_id').execute();

      await db.schema
        .createTable('satellites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('district_id', 'text', (c) => c.notNull().references('districts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('municipality', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('satellites_district').on('satellites').column('district_id').execute();

      await db.schema
        .createTable('ambulance_units')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('district_id', 'text', (c) => c.notNull().references('districts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('call_sign', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ambulance_units_district').on('ambulance_units').column('district_id').execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('nurse', 'ambulance', 'doctor', 'admin')`))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('satellite_id', 'text', (c) => c.references('satellites.id'))
        .addColumn('ambulance_unit_id', 'text', (c) => c.references('ambulance_units.id'))
        .addColumn('lvs_site_id', 'text', (c) => c.references('lvs_sites.id'))
        .addColumn('district_id', 'text', (c) => c.references('districts.id'))
        .addColumn('disabled_at', timestamp)
        .addColumn('created_at', timestamp, (c) => c.notNull())
        // Exactly the binding the role needs: the workplace is derived from it.
        .addCheckConstraint(
          'users_workplace',
          sql`(role = 'nurse' and satellite_id is not null and ambulance_unit_id is null and lvs_site_id is null and district_id is null)
           or (role = 'ambulance' and ambulance_unit_id is not null and satellite_id is null and lvs_site_id is null and district_id is null)
           or (role = 'doctor' and lvs_site_id is not null and satellite_id is null and ambulance_unit_id is null and district_id is null)
           or (role = 'admin' and satellite_id is null and ambulance_unit_id is null and lvs_site_id is null)`,
        )
        .execute();

      await db.schema
        .createTable('refresh_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('issued_at', timestamp, (c) => c.notNull())
        .addColumn('expires_at', timestamp, (c) => c.notNull())
        .addColumn('revoked_at', timestamp)
        .addColumn('replaced_by', 'text', (c) => c.references('refresh_tokens.id'))
        .execute();
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();
      await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();

      await db.schema
        .createTable('consults')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('district_id', 'text', (c) => c.notNull().references('districts.id'))
        .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('satellite', 'ambulance')`))
        .addColumn('satellite_id', 'text', (c) => c.references('satellites.id'))
        .addColumn('ambulance_unit_id', 'text', (c) => c.references('ambulance_units.id'))
        .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('patient_json', 'text', (c) => c.notNull())
        .addColumn('patient_national_id', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('triage', 'text', (c) => c.notNull().check(sql`triage in ('red', 'yellow', 'green')`))
        .addColumn('pathway_id', 'text')
        .addColumn('checklist_json', 'text', (c) => c.notNull())
        .addColumn('measurements_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('waiting', 'active', 'documentation', 'closed', 'cancelled')`),
        )
        .addColumn('requested_at', timestamp, (c) => c.notNull())
        .addColumn('claimed_at', timestamp)
        .addColumn('claimed_by', 'text', (c) => c.references('users.id'))
        .addColumn('claimed_site_id', 'text', (c) => c.references('lvs_sites.id'))
        .addColumn('overflowed_at', timestamp)
        .addColumn('call_ended_at', timestamp)
        .addColumn('cancelled_at', timestamp)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addCheckConstraint(
          'consults_origin_place',
          sql`(origin = 'satellite' and satellite_id is not null and ambulance_unit_id is null)
           or (origin = 'ambulance' and ambulance_unit_id is not null and satellite_id is null)`,
        )
        .execute();
      await db.schema
        .createIndex('consults_status_district')
        .on('consults')
        .columns(['status', 'district_id'])
        .execute();
      await db.schema
        .createIndex('consults_district_requested')
        .on('consults')
        .columns(['district_id', 'requested_at'])
        .execute();
      await db.schema
        .createIndex('consults_satellite_requested')
        .on('consults')
        .columns(['satellite_id', 'requested_at'])
        .execute();
      await db.schema
        .createIndex('consults_ambulance_unit_requested')
        .on('consults')
        .columns(['ambulance_unit_id', 'requested_at'])
        .execute();
      await db.schema.createIndex('consults_requested').on('consults').column('requested_at').execute();
      await db.schema
        .createIndex('consults_patient_national_id')
        .on('consults')
        .column('patient_national_id')
        .execute();

      await db.schema
        .createTable('consult_events')
        .addColumn('id', engine === 'postgres' ? 'bigint' : 'integer', (c) =>
          // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT never reuses a number, even after a delete.
          engine === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id').onDelete('cascade'))
        .addColumn('at', timestamp, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text', (c) => c.references('users.id'))
        .addColumn('data_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('consult_events_consult')
        .on('consult_events')
        .columns(['consult_id', 'id'])
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'consult_events',
        'consults',
        'refresh_tokens',
        'users',
        'ambulance_units',
        'satellites',
        'lvs_sites',
        'districts',
        'virtual_lvs',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
