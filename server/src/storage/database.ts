import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { migrateToLatest } from './migrator.ts';
import { NodeSqliteDialect } from './nodeSqliteDialect.ts';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, CheckpointWorker } from './walDurability.ts';
import { WalSyncThread } from './walSyncThread.ts';
import type { DatabaseSchema, Engine } from './schema.ts';

export interface OpenDatabaseOptions {
  /** A postgres:// (or postgresql://) URL selects PostgreSQL; null or absent means embedded SQLite. */
  readonly url?: string | null;
  /** The SQLite database file, created (with its directory) when missing. */
  readonly sqliteFile: string;
  readonly log: Logger;
  /** PostgreSQL connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long SQLite waits for another process's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

export interface DatabaseHandle {
  readonly db: Kysely<DatabaseSchema>;
  readonly engine: Engine;
  /** Closes the pool or the file; later calls return the first call's promise. */
  readonly close: () => Promise<void>;
}

/** Where the embedded database lives in a data directory. */
export function defaultSqliteFile(dataDir: string): string {
  return path.join(dataDir, 'legevakt.sqlite');
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

const INT8_OID = 20;

/**
 * Timestamps are epoch milliseconds in BIGINT columns, and COUNT(*) is BIGINT:
 * read them as JS numbers (exact up to 2^53, i.e. the year 287396).
 * Set per pool, not on pg's global type registry.
 */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID && format !== 'binary') {
      return (value: string) => {
        const n = Number(value);
        if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is beyond Number.MAX_SAFE_INTEGER`);
        return n;
      };
    }
    const builtin: unknown = (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
    return builtin;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function openSqlite(file: string, busyTimeoutMs: number): DatabaseSync {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new DatabaseSync(file, { enableForeignKeyConstraints: true });
  try {
    // WAL: readers never block the writer. NORMAL: a commit does not fsync on this (the only) thread; the driver
    // acknowledges it after an fsync of the WAL on the thread pool instead (walDurability.ts), as durable as FULL.
    // Checkpoints run on a worker thread; SQLite's own only as a backstop, at a large WAL.
    database.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    const row = database.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: unknown } | undefined;
    if (row?.journal_mode !== 'wal')
      throw new Error(`could not switch ${file} to WAL (got ${String(row?.journal_mode)})`);
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    database.exec('PRAGMA foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

/**
 * Opens the database and brings its schema up to date. PostgreSQL when a URL
 * is given, else the embedded SQLite file. Same schema, same queries.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { url, sqliteFile, log } = options;
  let db: Kysely<DatabaseSchema>;
  let engine: Engine;
  let sqliteConnection: DatabaseSync | undefined;
  if (url !== undefined && url !== null && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`unsupported database URL ${redactUrl(url)}: expected postgres://…`);
    }
    engine = 'postgres';
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: pgTypes });
    // An idle client's error (e.g. the server restarted) must not crash the process.
    pool.on('error', (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed'));
    db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    log.info({ engine, url: redactUrl(url) }, 'opening database');
  } else {
    engine = 'sqlite';
    const database = openSqlite(sqliteFile, options.busyTimeoutMs ?? 5000);
    sqliteConnection = database;
    const sync = new WalSyncThread(sqliteFile, log);
    const checkpoints = new CheckpointWorker(sqliteFile, log);
    db = new Kysely<DatabaseSchema>({
      dialect: new NodeSqliteDialect({
        database,
        durable: () => sync.sync(),
        onCommit: () => checkpoints.committed(),
        beforeClose: async () => {
          await sync.close();
          await checkpoints.close();
        },
      }),
    });
    log.info({ engine, file: sqliteFile }, 'opening database');
  }

  try {
    await migrateToLatest(db, engine, log, sqliteConnection);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  let closed: Promise<void> | null = null;
  return {
    db,
    engine,
    close: () => (closed ??= db.destroy()),
  };
}
