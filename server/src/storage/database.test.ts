import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { migrateToLatest, migrations } from './migrator.ts';
import { BACKSTOP_AUTOCHECKPOINT_PAGES } from './walDurability.ts';
import {
  createTestDatabase,
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  silentLog,
  type TestDatabaseLocation,
} from './testing/storageHarness.ts';

describe.each(ENGINES)('database on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let location: TestDatabaseLocation | null = null;
  afterEach(async () => {
    await location?.dispose();
    location = null;
  });

  it('applies the migrations once, creates every table, and a second open changes nothing', async () => {
    location = await createTestDatabase(engine);
    const first = await openDatabase({ url: location.url, sqliteFile: location.sqliteFile, log: silentLog });
    expect(first.engine).toBe(engine);
    const tables = (await first.db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(
      expect.arrayContaining([
        'ambulance_units',
        'consult_events',
        'consults',
        'districts',
        'lvs_sites',
        'refresh_tokens',
        'satellites',
        'users',
        'virtual_lvs',
      ]),
    );
    // Already at the latest version: migrating again applies nothing.
    expect(await migrateToLatest(first.db, engine, silentLog)).toEqual([]);
    await first.close();

    const second = await openDatabase({ url: location.url, sqliteFile: location.sqliteFile, log: silentLog });
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.db);
    expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations(engine)).sort());
    expect(applied.rows[0]?.name).toBe('0001_initial');
    await second.close();
  });

  it('enforces the foreign keys and check constraints', async () => {
    location = await createTestDatabase(engine);
    const { db, close } = await openDatabase({ url: location.url, sqliteFile: location.sqliteFile, log: silentLog });
    try {
      await expect(
        db
          .insertInto('lvs_sites')
          .values({ id: 's', district_id: 'nowhere', virtual_lvs_id: null, name: 'x' })
          .execute(),
      ).rejects.toThrow();
      await db.insertInto('districts').values({ id: 'd', name: 'D' }).execute();
      await db.insertInto('lvs_sites').values({ id: 's', district_id: 'd', virtual_lvs_id: null, name: 'S' }).execute();
      // A doctor must be bound to an LVS site, and to nothing else.
      const doctor = {
        id: 'u',
        username: 'u',
        display_name: 'U',
        role: 'doctor' as const,
        password_hash: 'x',
        satellite_id: null,
        ambulance_unit_id: null,
        lvs_site_id: null,
        district_id: null,
        disabled_at: null,
        created_at: 1,
      };
      await expect(db.insertInto('users').values(doctor).execute()).rejects.toThrow();
      await expect(
        db
          .insertInto('users')
          .values({ ...doctor, lvs_site_id: 's', district_id: 'd' })
          .execute(),
      ).rejects.toThrow();
      await db
        .insertInto('users')
        .values({ ...doctor, lvs_site_id: 's' })
        .execute();
      await expect(
        db
          .insertInto('users')
          .values({ ...doctor, id: 'u2' })
          .execute(),
      ).rejects.toThrow(); // username taken (and no site)
    } finally {
      await close();
    }
  });

  it('stores epoch milliseconds beyond 32 bits and reads them back as numbers', async () => {
    location = await createTestDatabase(engine);
    const { db, close } = await openDatabase({ url: location.url, sqliteFile: location.sqliteFile, log: silentLog });
    try {
      await db.insertInto('districts').values({ id: 'd', name: 'D' }).execute();
      await db.insertInto('satellites').values({ id: 's', district_id: 'd', name: 'S', municipality: 'M' }).execute();
      const at = 4_102_444_800_123; // 2100-01-01
      await db
        .insertInto('users')
        .values({
          id: 'n',
          username: 'n',
          display_name: 'N',
          role: 'nurse',
          password_hash: 'x',
          satellite_id: 's',
          ambulance_unit_id: null,
          lvs_site_id: null,
          district_id: null,
          disabled_at: null,
          created_at: at,
        })
        .execute();
      const row = await db.selectFrom('users').select('created_at').executeTakeFirstOrThrow();
      expect(row.created_at).toBe(at);
      const count = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
    } finally {
      await close();
    }
  });
});

describe('SQLite specifics', () => {
  it('opens in WAL mode with synchronous=NORMAL (fsync by the driver), foreign keys and a busy timeout', async () => {
    const location = await createTestDatabase('sqlite');
    const { db, close } = await openDatabase({ sqliteFile: location.sqliteFile, log: silentLog });
    try {
      const pragma = async (name: string): Promise<unknown> =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      // NORMAL: commits do not fsync on the event loop; the driver acknowledges them after its own fsync.
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('wal_autocheckpoint')).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
    } finally {
      await close();
      await location.dispose();
    }
  });

  it('runs transactions one at a time on its single connection, and rolls back on error', async () => {
    const location = await createTestDatabase('sqlite');
    const { db, close } = await openDatabase({ sqliteFile: location.sqliteFile, log: silentLog });
    try {
      const order: string[] = [];
      const tx = (label: string, fail: boolean) =>
        db.transaction().execute(async (trx) => {
          order.push(`${label}:begin`);
          await trx.insertInto('districts').values({ id: label, name: label }).execute();
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push(`${label}:end`);
          if (fail) throw new Error('rollback please');
        });
      const results = await Promise.allSettled([tx('a', false), tx('b', true), tx('c', false)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(order).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
      const ids = (await db.selectFrom('districts').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(ids).toEqual(['a', 'c']);
      // Writes report what they did.
      const result = await db.updateTable('districts').set({ name: 'x' }).executeTakeFirst();
      expect(result.numUpdatedRows).toBe(2n);
      const inserted = await db
        .insertInto('consult_events')
        .values({ consult_id: 'none', at: 1, kind: 'requested', actor_user_id: null, data_json: '{}' })
        .executeTakeFirst()
        .catch((error: unknown) => error);
      expect(inserted).toBeInstanceOf(Error); // foreign key: no such consult
    } finally {
      await close();
      await location.dispose();
    }
  });
});
