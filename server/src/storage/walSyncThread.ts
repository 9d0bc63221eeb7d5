import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.ts';

/**
 * Group commit for the embedded database: fsyncs of the WAL on a thread of
 * their own, so a commit is acknowledged only once it is on disk while the
 * event loop never waits for the disk.
 *
 * node:sqlite is synchronous: with `synchronous = FULL` every COMMIT fsyncs the
 * WAL on the main thread, and while the disk takes its 1–70 ms (measured under
 * the queue bench on a shared machine) no request of anyone is served.
 * Instead the connection runs `synchronous = NORMAL` (a commit only write()s
 * its WAL frames into the page cache, microseconds) and the driver does not
 * acknowledge a commit until an fsync of the WAL that *started after* the
 * COMMIT returned has completed. One fsync covers every commit before it:
 * commits that arrive while one runs share the next (group commit). The
 * guarantees are those of FULL:
 * - SIGKILL: a committed transaction is in the OS page cache, which outlives
 *   the process (NORMAL alone already survives it);
 * - power loss: nothing was acknowledged before its WAL frames were on disk.
 *   The WAL is append-only between checkpoints, so a later commit can never be
 *   durable while an earlier one is not.
 * A commit that others could already read (the in-process models apply it at
 * once) but whose fsync has not finished may be lost only with the machine
 * itself, and then nobody was told it succeeded.
 *
 * Why a thread that waits on shared memory rather than fs.promises on libuv's
 * pool (the first version): each fsync there took three pool round trips
 * (open, fsync, close), and each round trip's completion waits for the event
 * loop to come round, which under the queue bench's load added 2–10 ms per
 * hop. Here a commit wakes the thread directly (Atomics.notify, no event-loop
 * turn), the thread keeps the WAL open, and only the answer ("synced through
 * commit n") crosses back: one hop per group. And fdatasync, as SQLite's own
 * WAL syncs on Linux: the frames and the file's size, without a journal
 * commit for its mtime (under the bench: p99 4 ms instead of fsync's 8 ms).
 *
 * If an fsync ever fails, the file's state on disk is unknown (Linux may drop
 * the dirty pages and report success next time), so every later sync fails
 * too: the server refuses writes until it is restarted, rather than
 * acknowledging what may not be on disk. The same if the thread dies.
 */
export class WalSyncThread {
  readonly #file: string;
  readonly #log: Logger;
  /** [0] the last commit number asked for, [1] 1 = closing; shared with the thread. */
  readonly #shared = new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT));
  #requested = 0;
  /** Waiting callers, in commit order. */
  readonly #waiting: { seq: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  #worker: Worker | null = null;
  #failed: Error | null = null;
  #closed = false;
  #rounds = 0;

  constructor(sqliteFile: string, log: Logger) {
    this.#file = sqliteFile;
    this.#log = log;
  }

  /** How many fsyncs have run (tests: how much grouping happened). */
  get rounds(): number {
    return this.#rounds;
  }

  /** Resolves once everything committed before this call is on disk; rejects for good once a sync failed. */
  sync(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    const worker = this.#start();
    // A commit waiting for the disk keeps the process alive (a CLI that writes and exits); an idle thread does not.
    if (this.#waiting.length === 0) worker.ref();
    const seq = ++this.#requested;
    const done = new Promise<void>((resolve, reject) => this.#waiting.push({ seq, resolve, reject }));
    Atomics.store(this.#shared, 0, BigInt(seq));
    Atomics.notify(this.#shared, 0);
    return done;
  }

  /** Syncs what is still pending, then stops the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // the last fsync and the thread's exit are waited for
    Atomics.store(this.#shared, 1, 1n);
    Atomics.notify(this.#shared, 0);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([exited, timeout]);
    await worker.terminate();
    this.#fail(new Error('the database was closed before this commit was confirmed on disk'), false);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(SYNC_THREAD, { eval: true, workerData: { file: this.#file, shared: this.#shared } });
    worker.unref();
    worker.on('message', (message: { synced: number; rounds: number } | { error: string }) => {
      if ('error' in message) {
        this.#fail(
          new Error('the database file could not be synced to disk: writes are refused until restart', {
            cause: new Error(message.error),
          }),
        );
        return;
      }
      this.#rounds = message.rounds;
      while (this.#waiting.length > 0 && this.#waiting[0]!.seq <= message.synced) this.#waiting.shift()!.resolve();
      if (this.#waiting.length === 0) worker.unref();
    });
    worker.on('error', (error) => {
      this.#fail(new Error('the WAL sync thread failed: writes are refused until restart', { cause: error }));
    });
    worker.on('exit', () => {
      if (!this.#closed) this.#fail(new Error('the WAL sync thread stopped: writes are refused until restart'));
    });
    this.#worker = worker;
    return worker;
  }

  /** Fails every waiting caller; with `forGood`, every later one too (the disk's state is unknown). */
  #fail(error: Error, forGood = true): void {
    if (forGood && !this.#failed) {
      this.#failed = error;
      this.#log.fatal({ err: error }, 'the SQLite WAL could not be synced: refusing further writes');
    }
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}

// Plain JavaScript (a worker from a string needs no loader for .ts). Waits on the shared commit counter, fsyncs the
// WAL through a descriptor it keeps (re-opened should SQLite ever delete and re-create the file, which it does only
// when the last connection closes), and reports the last commit number each fsync covered. The target is read
// before the fsync starts, so every commit it names had returned (its frames were written) before the fsync began.
const SYNC_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const shared = workerData.shared;
const wal = workerData.file + '-wal';
let fd = null;
let synced = 0n;
let rounds = 0;
function walDescriptor() {
  if (fd !== null && fs.fstatSync(fd).nlink > 0) return fd;
  if (fd !== null) fs.closeSync(fd);
  fd = fs.openSync(wal, 'r');
  // A WAL created by this process needs its directory entry on disk too (SQLite's own first sync does the same).
  const dir = fs.openSync(path.dirname(path.resolve(wal)), 'r');
  try { fs.fsyncSync(dir); } finally { fs.closeSync(dir); }
  return fd;
}
try {
  for (;;) {
    const target = Atomics.load(shared, 0);
    if (target > synced) {
      fs.fdatasyncSync(walDescriptor());
      synced = target;
      rounds += 1;
      parentPort.postMessage({ synced: Number(synced), rounds });
      continue;
    }
    if (Atomics.load(shared, 1) === 1n) break;
    Atomics.wait(shared, 0, synced, 1000);
  }
} catch (error) {
  parentPort.postMessage({ error: String((error && error.message) || error) });
}
if (fd !== null) fs.closeSync(fd);
`;
