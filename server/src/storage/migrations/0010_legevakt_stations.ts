import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DatabaseSync } from 'node:sqlite';
import type { Engine } from '../schema.ts';

/**
 * Legevakt stations (level 2: a legevakt with its own on-duty doctor) and their
 * doctors, who may ask the LVS doctor for back-up through the same queue: a
 * station doctor's account (role 'station_doctor', bound to a station) and a
 * consult whose origin is 'station' (its station_id names the station).
 *
 * Widening the CHECK constraints of 0001 (the role list, the user's workplace
 * binding, the consult's origin and place) is one ALTER on PostgreSQL. SQLite
 * cannot alter a constraint, and its table rebuild is no option here: with
 * foreign keys on (always, and the pragma is a no-op inside the migration's
 * transaction) renaming users or consults rewrites every child's reference and
 * dropping them cascades. So the SQLite path edits the stored CREATE TABLE text
 * (SQLite's documented procedure for loosening constraints, lang_altertable.html
 * §7), which is safe because every existing row satisfies the wider check. It
 * needs the raw connection to lift the defensive flag for those statements.
 *
 * Also here (one migration number for this work): an invitation of kind
 * 'colleague' (a district doctor asked into a running call: no link, no PIN)
 * names the invited account in invitee_user_id.
 */

/** The text 0001 generated on SQLite, and what it becomes. Each must be found exactly once. */
const SQLITE_EDITS: Readonly<Record<'users' | 'consults' | 'invites', readonly (readonly [string, string])[]>> = {
  users: [
    [
      "role in ('nurse', 'ambulance', 'doctor', 'admin')",
      "role in ('nurse', 'ambulance', 'doctor', 'admin', 'station_doctor')",
    ],
    [
      "or (role = 'admin' and satellite_id is null and ambulance_unit_id is null and lvs_site_id is null)",
      "or (role = 'admin' and satellite_id is null and ambulance_unit_id is null and lvs_site_id is null)\n           or (role = 'station_doctor' and satellite_id is null and ambulance_unit_id is null and lvs_site_id is null and district_id is null)",
    ],
  ],
  consults: [
    ["origin in ('satellite', 'ambulance')", "origin in ('satellite', 'ambulance', 'station')"],
    [
      "or (origin = 'ambulance' and ambulance_unit_id is not null and satellite_id is null)",
      "or (origin = 'ambulance' and ambulance_unit_id is not null and satellite_id is null)\n           or (origin = 'station' and satellite_id is null and ambulance_unit_id is null)",
    ],
  ],
  invites: [["kind in ('link')", "kind in ('link', 'colleague')"]],
};

function widenSqliteChecks(raw: DatabaseSync): void {
  const version = (raw.prepare('PRAGMA schema_version').get() as { schema_version: number }).schema_version;
  raw.enableDefensive(false);
  try {
    raw.exec('PRAGMA writable_schema = ON');
    for (const [table, edits] of Object.entries(SQLITE_EDITS)) {
      const row = raw.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) as
        { sql: string } | undefined;
      if (row === undefined) throw new Error(`0010: table ${table} missing`);
      let text = row.sql;
      for (const [from, to] of edits) {
        if (text.split(from).length !== 2)
          throw new Error(`0010: unexpected definition of ${table}: "${from}" not found once`);
        text = text.replace(from, to);
      }
      raw.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?").run(text, table);
    }
    // A new schema cookie makes SQLite re-read the definitions on this and every other connection.
    raw.exec(`PRAGMA schema_version = ${version + 1}`);
    raw.exec('PRAGMA writable_schema = OFF');
  } finally {
    raw.enableDefensive(true);
  }
  const check = raw.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
  if (check.length !== 1 || check[0]?.integrity_check !== 'ok') {
    throw new Error(`0010: integrity check failed after widening constraints: ${JSON.stringify(check)}`);
  }
}

export function legevaktStationsMigration(engine: Engine, sqlite: DatabaseSync | undefined): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('legevakt_stations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('district_id', 'text', (c) => c.notNull().references('districts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('municipality', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('legevakt_stations_district').on('legevakt_stations').column('district_id').execute();

      if (engine === 'postgres') {
        await sql`alter table users drop constraint users_role_check`.execute(db);
        await sql`alter table users add constraint users_role_check
          check (role in ('nurse', 'ambulance', 'doctor', 'admin', 'station_doctor'))`.execute(db);
        await sql`alter table users drop constraint users_workplace`.execute(db);
        await sql`alter table users add constraint users_workplace check (
             (role = 'nurse' and satellite_id is not null and ambulance_unit_id is null and lvs_site_id is null and district_id is null)
          or (role = 'ambulance' and ambulance_unit_id is not null and satellite_id is null and lvs_site_id is null and district_id is null)
          or (role = 'doctor' and lvs_site_id is not null and satellite_id is null and ambulance_unit_id is null and district_id is null)
          or (role = 'admin' and satellite_id is null and ambulance_unit_id is null and lvs_site_id is null)
          or (role = 'station_doctor' and satellite_id is null and ambulance_unit_id is null and lvs_site_id is null and district_id is null))`.execute(
          db,
        );
        await sql`alter table invites drop constraint invites_kind_check`.execute(db);
        await sql`alter table invites add constraint invites_kind_check check (kind in ('link', 'colleague'))`.execute(
          db,
        );
        await sql`alter table consults drop constraint consults_origin_check`.execute(db);
        await sql`alter table consults add constraint consults_origin_check
          check (origin in ('satellite', 'ambulance', 'station'))`.execute(db);
        await sql`alter table consults drop constraint consults_origin_place`.execute(db);
        await sql`alter table consults add constraint consults_origin_place check (
             (origin = 'satellite' and satellite_id is not null and ambulance_unit_id is null)
          or (origin = 'ambulance' and ambulance_unit_id is not null and satellite_id is null)
          or (origin = 'station' and satellite_id is null and ambulance_unit_id is null))`.execute(db);
      } else {
        if (sqlite === undefined)
          throw new Error('0010 needs the raw SQLite connection to widen the CHECK constraints');
        widenSqliteChecks(sqlite);
      }

      // The station binding, each in step with the role or origin that needs it (SQLite and
      // PostgreSQL both accept a column check that reads another column of the row).
      await db.schema
        .alterTable('users')
        .addColumn('station_id', 'text', (c) =>
          c.references('legevakt_stations.id').check(sql`(role = 'station_doctor') = (station_id is not null)`),
        )
        .execute();
      await db.schema
        .alterTable('consults')
        .addColumn('station_id', 'text', (c) =>
          c.references('legevakt_stations.id').check(sql`(origin = 'station') = (station_id is not null)`),
        )
        .execute();
      // A colleague invitation (a district doctor asked into a running call) names the invited account.
      await db.schema
        .alterTable('invites')
        .addColumn('invitee_user_id', 'text', (c) =>
          c.references('users.id').check(sql`(kind = 'colleague') = (invitee_user_id is not null)`),
        )
        .execute();
      await db.schema.createIndex('invites_invitee').on('invites').columns(['consult_id', 'invitee_user_id']).execute();
      await db.schema
        .createIndex('consults_station_requested')
        .on('consults')
        .columns(['station_id', 'requested_at'])
        .execute();
    },
    down(): Promise<void> {
      // Narrowing the checks back would refuse the station rows: this migration is not undone in place.
      return Promise.reject(new Error('0010_legevakt_stations cannot be rolled back'));
    },
  };
}
