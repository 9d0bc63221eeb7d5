import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.ts';
import { WalSyncThread } from './walSyncThread.ts';

const dirs: string[] = [];
const threads: WalSyncThread[] = [];
afterEach(async () => {
  for (const thread of threads.splice(0)) await thread.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function walDatabase(): { file: string; database: DatabaseSync } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-walsync-'));
  dirs.push(dir);
  const file = path.join(dir, 'test.sqlite');
  const database = new DatabaseSync(file);
  database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA synchronous = NORMAL');
  database.exec('create table t (id integer primary key, v text)');
  return { file, database };
}

function syncThread(file: string, log = createLogger('silent')): WalSyncThread {
  const thread = new WalSyncThread(file, log);
  threads.push(thread);
  return thread;
}

/** What this process's open descriptors of the file's WAL point at (SQLite's own and the thread's; a deleted file ends in " (deleted)"). */
function openWalDescriptors(file: string): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(`${file}-wal`));
}

describe('WalSyncThread', () => {
  it('acknowledges commits once the WAL is synced, many commits sharing one fsync', async () => {
    const { file, database } = walDatabase();
    const thread = syncThread(file);
    try {
      database.exec("insert into t values (0, 'first')");
      await thread.sync();
      expect(thread.rounds).toBe(1);
      // Fifty commits in one turn of the event loop: they wait for the fsyncs that start after them, together.
      const acks: Promise<void>[] = [];
      for (let i = 1; i <= 50; i++) {
        database.prepare('insert into t values (?, ?)').run(i, 'x'.repeat(100));
        acks.push(thread.sync());
      }
      await Promise.all(acks);
      expect(thread.rounds).toBeGreaterThan(1);
      expect(thread.rounds).toBeLessThan(51);
    } finally {
      database.close();
    }
  });

  it('refuses this and every later commit when the WAL cannot be synced, and says so once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-walsync-'));
    dirs.push(dir);
    const log = createLogger('silent');
    const fatal = vi.spyOn(log, 'fatal');
    // No WAL at this path: opening it fails, as a vanished or unreadable file would.
    const thread = syncThread(path.join(dir, 'missing.sqlite'), log);
    await expect(thread.sync()).rejects.toThrow(/could not be synced to disk/);
    await expect(thread.sync()).rejects.toThrow(/could not be synced to disk/);
    expect(fatal).toHaveBeenCalledTimes(1);
  });

  it('follows a WAL that SQLite deleted and created anew, instead of syncing the deleted file', async () => {
    const { file, database } = walDatabase();
    const thread = syncThread(file);
    database.exec("insert into t values (1, 'a')");
    await thread.sync();
    // SQLite's descriptor and the thread's.
    expect(openWalDescriptors(file)).toEqual([`${file}-wal`, `${file}-wal`]);
    // The last connection closing deletes the WAL; the next one creates a new file.
    database.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = new DatabaseSync(file);
    try {
      reopened.exec("insert into t values (2, 'b')");
      expect(fs.existsSync(`${file}-wal`)).toBe(true);
      await thread.sync();
      expect(openWalDescriptors(file)).toEqual([`${file}-wal`, `${file}-wal`]);
    } finally {
      reopened.close();
    }
  });

  it('syncs what was asked before close, then refuses', async () => {
    const { file, database } = walDatabase();
    const thread = new WalSyncThread(file, createLogger('silent'));
    try {
      database.exec("insert into t values (1, 'a')");
      const before = thread.sync();
      await thread.close();
      await expect(before).resolves.toBeUndefined();
      await expect(thread.sync()).rejects.toThrow(/closed/);
      // Only SQLite's own descriptor is left: the thread closed its own.
      expect(openWalDescriptors(file)).toEqual([`${file}-wal`]);
    } finally {
      database.close();
    }
  });
});
