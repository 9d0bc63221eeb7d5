import type { Kysely } from 'kysely';
import type { DatabaseSync } from 'node:sqlite';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Logger } from '../logger.ts';
import { initialMigration } from './migrations/0001_initial.ts';
import { vitalsMigration } from './migrations/0002_vitals.ts';
import { claimedByIndexMigration } from './migrations/0003_claimed_by_index.ts';
import { ecgStripsMigration } from './migrations/0005_ecg_strips.ts';
import { consultNotesMigration } from './migrations/0004_consult_notes.ts';
import { accessLogMigration } from './migrations/0006_access_log.ts';
import { invitesMigration } from './migrations/0007_invites.ts';
import { consultPhotosMigration } from './migrations/0008_consult_photos.ts';
import { ambulanceLocationMigration } from './migrations/0009_ambulance_location.ts';
import { legevaktStationsMigration } from './migrations/0010_legevakt_stations.ts';
import { answeredIndexMigration } from './migrations/0011_answered_index.ts';
import type { Engine } from './schema.ts';

/**
 * Every migration, in order. Names sort lexically (Kysely applies them in name
 * order and refuses a database that has run one this list lacks). `sqlite` is
 * the raw connection of an SQLite database: 0010 needs it to widen CHECK
 * constraints SQLite cannot ALTER (see that migration).
 */
export function migrations(engine: Engine, sqlite?: DatabaseSync): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(engine),
    '0002_vitals': vitalsMigration(engine),
    '0003_claimed_by_index': claimedByIndexMigration,
    '0005_ecg_strips': ecgStripsMigration(engine),
    '0004_consult_notes': consultNotesMigration(engine),
    '0006_access_log': accessLogMigration(engine),
    '0007_invites': invitesMigration(engine),
    '0008_consult_photos': consultPhotosMigration(engine),
    '0009_ambulance_location': ambulanceLocationMigration,
    '0010_legevakt_stations': legevaktStationsMigration(engine, sqlite),
    '0011_answered_index': answeredIndexMigration,
  };
}

class StaticMigrationProvider implements MigrationProvider {
  readonly #migrations: Record<string, Migration>;

  constructor(list: Record<string, Migration>) {
    this.#migrations = list;
  }

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.#migrations);
  }
}

/**
 * Brings the schema up to date; a no-op when it already is. Each migration runs
 * in its own transaction on both engines (PostgreSQL and SQLite both have
 * transactional DDL), so a failure leaves the previous version intact.
 * Returns the names of the migrations it applied.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  engine: Engine,
  log: Logger,
  sqlite?: DatabaseSync,
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(migrations(engine, sqlite)) });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied: string[] = [];
  for (const result of results) {
    if (result.status === 'Success') {
      applied.push(result.migrationName);
      log.info({ migration: result.migrationName, engine }, 'database migration applied');
    } else if (result.status === 'Error') {
      log.error({ migration: result.migrationName, engine }, 'database migration failed');
    }
  }
  if (error !== undefined) {
    throw new Error(`database migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, {
      cause: error,
    });
  }
  return applied;
}
