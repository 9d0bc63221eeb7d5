import { AsyncLocalStorage } from 'node:async_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.ts';

/*
 * The embedded database's durability around the group commit (walSyncThread.ts): callers that hand the wait for
 * the disk to their own caller (deferDurability), and checkpoints off the event loop (CheckpointWorker).
 */

const deferred = new AsyncLocalStorage<Promise<void>[]>();

/**
 * Runs fn with its commits' durability waits handed back instead of awaited:
 * its queries and transactions resolve as soon as they are committed, and
 * `durable` resolves once all of them are on disk (or rejects). For a
 * serialised section (the access log's chain): the next entry may be
 * written as soon as this one is committed, and the entries' fsyncs overlap.
 * The caller must await `durable` before it acknowledges anything. With a
 * driver that has no separate durability step (PostgreSQL, a commit is
 * durable when it returns), `durable` is resolved at once.
 */
export async function deferDurability<T>(fn: () => Promise<T>): Promise<{ result: T; durable: Promise<void> }> {
  const waits: Promise<void>[] = [];
  try {
    const result = await deferred.run(waits, fn);
    return { result, durable: Promise.all(waits).then(() => undefined) };
  } catch (error) {
    // The caller sees fn's error; a failed fsync of what fn did commit also fails every later write.
    for (const wait of waits) wait.catch(() => undefined);
    throw error;
  }
}

/**
 * The driver's side of deferDurability: awaits the durability of a commit, or,
 * inside deferDurability, hands the wait to its caller.
 */
export function awaitOrDefer(durable: Promise<void>): Promise<void> {
  const waits = deferred.getStore();
  if (!waits) return durable;
  // Rejection is observed by the deferDurability caller; keep it from counting as unhandled meanwhile.
  durable.catch(() => undefined);
  waits.push(durable);
  return Promise.resolve();
}

/** A checkpoint is asked for at most this often, and only after commits. */
const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * SQLite's own automatic checkpoint, kept as a backstop should the worker
 * stall: it runs inside a commit on the main thread, so only at a WAL of this
 * many pages (~64 MB at 4 KiB pages) instead of the default 1000.
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_000;

// Plain JavaScript (a worker from a string needs no loader for .ts): a second connection on the same file whose
// only job is PASSIVE checkpoints, which never block the writer. synchronous=NORMAL syncs the WAL before copying
// pages into the database and the database after, exactly as an automatic checkpoint would.
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file);
db.exec('PRAGMA busy_timeout = 5000');
db.exec('PRAGMA synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
parentPort.on('message', (message) => {
  if (message === 'close') { db.close(); parentPort.close(); return; }
  try {
    const row = checkpoint.get();
    parentPort.postMessage({ ok: true, row });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
  }
});
`;

/**
 * Checkpoints the WAL into the database on a worker thread, so the fsyncs of a
 * checkpoint never stall the event loop (an automatic checkpoint runs inside
 * the COMMIT that crosses its threshold, on the main thread).
 */
export class CheckpointWorker {
  readonly #file: string;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  /** Started at the first checkpoint: a database that is only read (tools, most tests) needs none. */
  #worker: Worker | null = null;
  #dirty = false;
  #busy = false;
  #closed = false;
  #checkpoints = 0;

  constructor(sqliteFile: string, log: Logger) {
    this.#file = sqliteFile;
    this.#log = log;
    this.#timer = setInterval(() => this.#tick(), CHECKPOINT_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Checkpoints completed (tests). */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /** Something was committed: the next tick checkpoints. */
  committed(): void {
    this.#dirty = true;
  }

  /** Checkpoints now (tests; the timer does it otherwise). Resolves with SQLite's answer: WAL frames, and how many were copied. */
  checkpointNow(): Promise<{ busy: number; log: number; checkpointed: number }> {
    return new Promise((resolve, reject) => {
      const worker = this.#start();
      const onMessage = (reply: {
        ok: boolean;
        message?: string;
        row?: { busy: number; log: number; checkpointed: number };
      }) => {
        worker.off('error', onError);
        if (reply.ok && reply.row) resolve(reply.row);
        else reject(new Error(reply.message));
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      this.#send(worker);
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(CHECKPOINT_WORKER, { eval: true, workerData: { file: this.#file } });
    worker.unref();
    worker.on('message', (reply: { ok: boolean; message?: string }) => {
      this.#busy = false;
      if (reply.ok) this.#checkpoints += 1;
      else this.#log.warn({ reason: reply.message }, 'WAL checkpoint failed; retrying later');
    });
    worker.on('error', (error) => {
      this.#busy = false;
      this.#log.error({ err: error }, 'WAL checkpoint worker failed; SQLite checkpoints on its own meanwhile');
    });
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = null;
    });
    this.#worker = worker;
    return worker;
  }

  #send(worker: Worker): void {
    this.#dirty = false;
    this.#busy = true;
    worker.postMessage('checkpoint');
  }

  #tick(): void {
    if (!this.#dirty || this.#busy || this.#closed) return;
    this.#send(this.#start());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    // A checkpoint in progress finishes first (the worker handles messages in order).
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([exited, timeout]);
    await worker.terminate();
  }
}
