import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from './nodeSqliteDialect.ts';
import { createTestDatabase, silentLog, type TestDatabaseLocation } from './testing/storageHarness.ts';
import { CheckpointWorker, deferDurability } from './walDurability.ts';
import { WalSyncThread } from './walSyncThread.ts';

/**
 * A durability step the test finishes by hand: each call is one pending wait. Once one is
 * failed with `forGood`, every later call fails too, as the real sync thread does.
 */
function manualDurable(): {
  durable: () => Promise<void>;
  waits: { resolve: () => void; reject: (e: Error) => void }[];
  failForGood: (index: number, error: Error) => void;
} {
  const waits: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let failed: Error | null = null;
  const durable = () =>
    failed
      ? Promise.reject(failed)
      : new Promise<void>((resolve, reject) => {
          waits.push({ resolve, reject });
        });
  const failForGood = (index: number, error: Error) => {
    failed = error;
    waits[index]!.reject(error);
  };
  return { durable, waits, failForGood };
}

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function tracked(promise: Promise<void>): { state: () => 'pending' | 'resolved' | 'rejected' } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  return { state: () => state };
}

describe('the SQLite driver with an off-thread fsync', () => {
  let location: TestDatabaseLocation | null = null;
  afterEach(async () => {
    await location?.dispose();
    location = null;
  });

  async function open(durable: () => Promise<void>) {
    location = await createTestDatabase('sqlite');
    const database = new DatabaseSync(location.sqliteFile);
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec('create table t (id integer primary key, v text)');
    let commits = 0;
    const db = new Kysely<{ t: { id: number; v: string } }>({
      dialect: new NodeSqliteDialect({ database, durable, onCommit: () => (commits += 1) }),
    });
    return { db, commits: () => commits };
  }

  it('answers a commit only once durable() resolved, while the connection already serves the next query', async () => {
    const { durable, waits } = manualDurable();
    const { db, commits } = await open(durable);
    try {
      const tx = tracked(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('t').values({ id: 1, v: 'a' }).execute();
          await trx.insertInto('t').values({ id: 2, v: 'b' }).execute();
        }),
      );
      const autocommit = tracked(
        db
          .insertInto('t')
          .values({ id: 3, v: 'c' })
          .execute()
          .then(() => undefined),
      );
      await flush();
      expect(commits()).toBe(2);
      expect([tx.state(), autocommit.state()]).toEqual(['pending', 'pending']);
      // The connection is free: a read runs (and sees the committed rows) while the fsync is under way.
      const rows = await db.selectFrom('t').select('id').orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
      // A read commits nothing and waits for no fsync.
      expect(commits()).toBe(2);
      // One wait per commit, in commit order: each is answered by its own.
      expect(waits).toHaveLength(2);
      waits[0]!.resolve();
      await flush();
      expect(tx.state()).toBe('resolved');
      expect(autocommit.state()).toBe('pending');
      waits[1]!.resolve();
      await flush();
      expect(autocommit.state()).toBe('resolved');
    } finally {
      for (const w of waits) w.resolve();
      await db.destroy();
    }
  });

  it('inside deferDurability, resolves at the commit and hands the fsync wait to the caller', async () => {
    const { durable, waits, failForGood } = manualDurable();
    const { db } = await open(durable);
    try {
      const first = await deferDurability(() => db.insertInto('t').values({ id: 1, v: 'a' }).execute());
      // Committed and answered, though the fsync has not finished.
      expect(first.result).toHaveLength(1);
      const second = await deferDurability(() =>
        db.transaction().execute((trx) => trx.insertInto('t').values({ id: 2, v: 'b' }).execute()),
      );
      const pending = [tracked(first.durable), tracked(second.durable)];
      await flush();
      expect(pending.map((w) => w.state())).toEqual(['pending', 'pending']);
      waits[0]!.resolve();
      await flush();
      expect(pending.map((w) => w.state())).toEqual(['resolved', 'pending']);
      failForGood(1, new Error('could not be synced: EIO'));
      await flush();
      expect(pending.map((w) => w.state())).toEqual(['resolved', 'rejected']);
      // Outside deferDurability nothing is acknowledged any more.
      await expect(db.insertInto('t').values({ id: 3, v: 'c' }).execute()).rejects.toThrow(/could not be synced/);
    } finally {
      for (const w of waits) w.resolve();
      await db.destroy();
    }
  });

  it('fails the transaction whose fsync failed (its request must not be acknowledged)', async () => {
    const { db } = await open(() => Promise.reject(new Error('EIO')));
    try {
      await expect(db.insertInto('t').values({ id: 1, v: 'a' }).execute()).rejects.toThrow('EIO');
      // A rolled-back transaction syncs nothing and fails only for its own error.
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('t').values({ id: 2, v: 'b' }).execute();
          throw new Error('rollback please');
        }),
      ).rejects.toThrow('rollback please');
      await expect(db.selectFrom('t').select('id').execute()).resolves.toEqual([{ id: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it('syncs the real WAL file, and checkpoints it on a worker thread', async () => {
    location = await createTestDatabase('sqlite');
    const file = location.sqliteFile;
    const database = new DatabaseSync(file);
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec('PRAGMA wal_autocheckpoint = 0');
    database.exec('create table t (id integer primary key, v text)');
    const checkpoints = new CheckpointWorker(file, silentLog);
    const sync = new WalSyncThread(file, silentLog);
    const db = new Kysely<{ t: { id: number; v: string } }>({
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
    try {
      for (let i = 0; i < 50; i++)
        await db
          .insertInto('t')
          .values({ id: i, v: 'x'.repeat(2000) })
          .execute();
      const walBefore = fs.statSync(`${file}-wal`).size;
      expect(walBefore).toBeGreaterThan(50 * 2000);
      const result = await checkpoints.checkpointNow();
      expect(result.busy).toBe(0);
      expect(result.log).toBeGreaterThan(0);
      expect(result.checkpointed).toBe(result.log);
      // The pages are in the database file now: a reader of the file alone (no WAL) finds them.
      await sql`select 1`.execute(db);
      const copy = `${file}.copy`;
      fs.copyFileSync(file, copy);
      const reader = new DatabaseSync(copy, { readOnly: true });
      expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 50 });
      reader.close();
    } finally {
      await db.destroy();
    }
  });
});
