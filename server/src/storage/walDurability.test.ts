import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from './nodeSqliteDialect.ts';
import { createTestDatabase, silentLog, type TestDatabaseLocation } from './testing/storageHarness.ts';
import { CheckpointWorker, deferDurability, GroupSync, walFsync } from './walDurability.ts';

/** An fsync the test finishes by hand: each call is one pending round. */
function manualFsync(): { fsync: () => Promise<void>; rounds: { resolve: () => void; reject: (e: Error) => void }[] } {
  const rounds: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const fsync = () =>
    new Promise<void>((resolve, reject) => {
      rounds.push({ resolve, reject });
    });
  return { fsync, rounds };
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

describe('GroupSync', () => {
  it('acknowledges a caller only after an fsync that started after its call, and groups the waiting callers', async () => {
    const { fsync, rounds } = manualFsync();
    const group = new GroupSync(fsync, silentLog);
    const first = tracked(group.sync());
    expect(rounds).toHaveLength(1);
    // These commits happened while the first fsync was under way: it may not cover them.
    const waiting = [tracked(group.sync()), tracked(group.sync()), tracked(group.sync())];
    expect(rounds).toHaveLength(1);
    rounds[0]!.resolve();
    await flush();
    expect(first.state()).toBe('resolved');
    expect(waiting.map((w) => w.state())).toEqual(['pending', 'pending', 'pending']);
    // One more fsync for all three of them.
    expect(rounds).toHaveLength(2);
    const late = tracked(group.sync());
    rounds[1]!.resolve();
    await flush();
    expect(waiting.map((w) => w.state())).toEqual(['resolved', 'resolved', 'resolved']);
    expect(late.state()).toBe('pending');
    expect(rounds).toHaveLength(3);
    rounds[2]!.resolve();
    await flush();
    expect(late.state()).toBe('resolved');
    expect(group.rounds).toBe(3);
  });

  it('fails every caller of a failed fsync, and every later one (the disk state is unknown)', async () => {
    const { fsync, rounds } = manualFsync();
    const group = new GroupSync(fsync, silentLog);
    const running = group.sync();
    const queued = [group.sync(), group.sync()];
    rounds[0]!.resolve();
    await flush();
    rounds[1]!.reject(new Error('EIO'));
    const failures = await Promise.all(
      queued.map((q) =>
        q.then(
          () => 'acknowledged',
          (e: unknown) => String(e),
        ),
      ),
    );
    expect(failures).toEqual([
      expect.stringMatching(/could not be synced/),
      expect.stringMatching(/could not be synced/),
    ]);
    await expect(running).resolves.toBeUndefined();
    await expect(group.sync()).rejects.toThrow(/could not be synced/);
    expect(rounds).toHaveLength(2);
  });
});

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
    const { fsync, rounds } = manualFsync();
    const group = new GroupSync(fsync, silentLog);
    const { db, commits } = await open(() => group.sync());
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
      // The transaction's fsync started after its COMMIT; the autocommit insert waits for the next one.
      expect(rounds).toHaveLength(1);
      rounds[0]!.resolve();
      await flush();
      expect(tx.state()).toBe('resolved');
      expect(autocommit.state()).toBe('pending');
      rounds[1]!.resolve();
      await flush();
      expect(autocommit.state()).toBe('resolved');
    } finally {
      for (const r of rounds) r.resolve();
      await db.destroy();
    }
  });

  it('inside deferDurability, resolves at the commit and hands the fsync wait to the caller', async () => {
    const { fsync, rounds } = manualFsync();
    const group = new GroupSync(fsync, silentLog);
    const { db } = await open(() => group.sync());
    try {
      const first = await deferDurability(() => db.insertInto('t').values({ id: 1, v: 'a' }).execute());
      // Committed and answered, though the fsync has not finished.
      expect(first.result).toHaveLength(1);
      const second = await deferDurability(() =>
        db.transaction().execute((trx) => trx.insertInto('t').values({ id: 2, v: 'b' }).execute()),
      );
      const waits = [tracked(first.durable), tracked(second.durable)];
      await flush();
      expect(waits.map((w) => w.state())).toEqual(['pending', 'pending']);
      rounds[0]!.resolve();
      await flush();
      // The second commit came after the first fsync started: it needs the next one.
      expect(waits.map((w) => w.state())).toEqual(['resolved', 'pending']);
      rounds[1]!.reject(new Error('EIO'));
      await flush();
      expect(waits.map((w) => w.state())).toEqual(['resolved', 'rejected']);
      // Outside deferDurability nothing is acknowledged any more.
      await expect(db.insertInto('t').values({ id: 3, v: 'c' }).execute()).rejects.toThrow(/could not be synced/);
    } finally {
      for (const r of rounds) r.resolve();
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
    const db = new Kysely<{ t: { id: number; v: string } }>({
      dialect: new NodeSqliteDialect({
        database,
        durable: walFsync(file),
        onCommit: () => checkpoints.committed(),
        beforeClose: () => checkpoints.close(),
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
