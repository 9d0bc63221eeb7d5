import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createLogger } from '../../logger.ts';
import type { Engine } from '../schema.ts';
import { createStorage, type Storage } from '../storage.ts';

/**
 * Test storages on both engines: SQLite in a fresh temporary directory, and
 * PostgreSQL in a fresh database (random name, dropped again) on the server
 * LEGEVAKT_TEST_PG_URL names or, when unset, the throwaway cluster that
 * scripts/postgres.sh starts (and installs if need be).
 */
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

export const silentLog = createLogger('silent');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const postgresScript = path.join(repoRoot, 'scripts', 'postgres.sh');

let adminUrl: Promise<string> | null = null;

/** The URL of a database we may CREATE DATABASE from. */
export function postgresAdminUrl(): Promise<string> {
  adminUrl ??= (async () => {
    const fromEnv = process.env['LEGEVAKT_TEST_PG_URL'];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    try {
      const { stdout } = await promisify(execFile)('bash', [postgresScript], { timeout: 600_000 });
      const url = stdout.trim().split('\n').at(-1) ?? '';
      if (!url.startsWith('postgres://')) throw new Error(`unexpected output: ${stdout}`);
      return url;
    } catch (error) {
      const detail = error instanceof Error ? error.message : JSON.stringify(error);
      throw new Error(
        `the PostgreSQL storage tests need a server: scripts/postgres.sh failed (${detail}). ` +
          'Run `bash scripts/postgres.sh` by hand to see why, or set LEGEVAKT_TEST_PG_URL to a postgres:// URL ' +
          'of a database whose user may CREATE DATABASE.',
        { cause: error },
      );
    }
  })();
  return adminUrl;
}

/**
 * For a beforeAll with PREPARE_TIMEOUT_MS: the first run on a fresh machine may
 * install PostgreSQL and create its cluster, longer than a test's own timeout.
 */
export async function prepareEngine(engine: Engine): Promise<void> {
  if (engine === 'postgres') await postgresAdminUrl();
}
export const PREPARE_TIMEOUT_MS = 600_000;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: await postgresAdminUrl() });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

/** A place for a database: SQLite file or PostgreSQL URL, removed by dispose(). */
export interface TestDatabaseLocation {
  readonly engine: Engine;
  readonly url: string | null;
  readonly sqliteFile: string;
  dispose(): Promise<void>;
}

export async function createTestDatabase(engine: Engine): Promise<TestDatabaseLocation> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-storage-'));
    return {
      engine,
      url: null,
      sqliteFile: path.join(dir, 'legevakt.sqlite'),
      dispose: async () => fs.promises.rm(dir, { recursive: true, force: true }),
    };
  }
  const name = `legevakt_t_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return {
    engine,
    url: withDatabase(await postgresAdminUrl(), name),
    sqliteFile: '/nonexistent/unused.sqlite',
    dispose: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

export interface TestStorage {
  readonly storage: Storage;
  readonly location: TestDatabaseLocation;
  /** Opens the same database again (a second Storage; close it yourself). */
  reopen(options?: { poolSize?: number }): Promise<Storage>;
  dispose(): Promise<void>;
}

export async function openTestStorage(engine: Engine, options: { poolSize?: number } = {}): Promise<TestStorage> {
  const location = await createTestDatabase(engine);
  const open = (o: { poolSize?: number }) =>
    createStorage({ url: location.url, sqliteFile: location.sqliteFile, log: silentLog, ...o });
  const storage = await open(options);
  return {
    storage,
    location,
    reopen: (o = {}) => open(o),
    dispose: async () => {
      await storage.close();
      await location.dispose();
    },
  };
}
