import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { awaitOrDefer } from './walDurability.ts';

/**
 * Kysely has no dialect for Node's built-in `node:sqlite` (its SqliteDialect
 * wants better-sqlite3, a native addon): this is a small one over DatabaseSync.
 *
 * One connection, guarded by a mutex: a transaction holds it from BEGIN to
 * COMMIT, so no other query can slip into it. Transactions start with BEGIN
 * IMMEDIATE, taking the write lock up front, so two processes on the same file
 * wait on the busy timeout instead of failing to upgrade a read lock.
 *
 * Durability (`durable`, see walDurability.ts): a transaction's COMMIT, or a
 * write outside a transaction, is acknowledged only once `durable()` resolves,
 * awaited after the connection is released, so the next transaction runs
 * while this one's fsync is under way and concurrent commits share one.
 */
export interface NodeSqliteDialectConfig {
  /** An open database; the driver closes it on destroy. */
  readonly database: DatabaseSync;
  /** Resolves once every commit so far is on disk; absent = a commit is durable when it returns (synchronous=FULL). */
  readonly durable?: () => Promise<void>;
  /** Told after each commit (the checkpoint worker's cue). */
  readonly onCommit?: () => void;
  /** Runs at destroy, before the database is closed. */
  readonly beforeClose?: () => Promise<void>;
}

export class NodeSqliteDialect implements Dialect {
  readonly #config: NodeSqliteDialectConfig;

  constructor(config: NodeSqliteDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** SQLite does run DDL inside transactions: let the migrator apply each migration atomically. */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  /**
   * The driver's own mutex already hands out its one connection in turn. Kysely
   * would otherwise add a second lock, released only after the driver's
   * releaseConnection resolves, i.e. after the commit's fsync: every query
   * would wait for the previous commit's fsync, and no two commits could share one.
   */
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** A FIFO lock: each waiter gets the connection in turn. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;

  async lock(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
  }

  unlock(): void {
    const release = this.#release;
    this.#release = null;
    release?.();
  }
}

class NodeSqliteDriver implements Driver {
  readonly #db: DatabaseSync;
  readonly #config: NodeSqliteDialectConfig;
  readonly #connection: NodeSqliteConnection;
  readonly #mutex = new Mutex();

  constructor(config: NodeSqliteDialectConfig) {
    this.#db = config.database;
    this.#config = config;
    this.#connection = new NodeSqliteConnection(config.database, config.onCommit);
  }

  init(): Promise<void> {
    // The database is opened (and its pragmas set) by the caller.
    return Promise.resolve();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    // Whether the holder committed anything is read before the next holder can run.
    const committed = this.#connection.takeCommitted();
    this.#mutex.unlock();
    // Kysely awaits this before the query's or transaction's result is handed out: an fsync failure fails it
    // (inside deferDurability, the caller awaits it instead, see walDurability.ts).
    if (committed && this.#config.durable) await awaitOrDefer(this.#config.durable());
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async destroy(): Promise<void> {
    await this.#config.beforeClose?.();
    await settle(() => {
      if (this.#db.isOpen) this.#db.close();
    });
  }
}

/** The synchronous call's result as a promise; a throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Kysely hands over whatever the query builder was given; node:sqlite binds only these. */
function toSqlValue(value: unknown): SQLInputValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    default:
      if (value instanceof Uint8Array) return value;
      throw new TypeError(`cannot bind a value of type ${typeof value} to a SQLite parameter`);
  }
}

const STATEMENT_CACHE_SIZE = 256;

/** Statements that never write; anything else run outside a transaction counts as a commit (an extra fsync at worst). */
const READ_ONLY = /^\s*(select|explain)\b/i;

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #onCommit: (() => void) | undefined;
  readonly #statements = new Map<string, StatementSync>();
  /** Something was committed since the connection was acquired. */
  #committed = false;

  constructor(db: DatabaseSync, onCommit?: () => void) {
    this.#db = db;
    this.#onCommit = onCommit;
  }

  /** Whether a commit happened since the last call (read once per acquisition, at release). */
  takeCommitted(): boolean {
    const committed = this.#committed;
    this.#committed = false;
    return committed;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement) {
      // Re-insert: the Map's order is the least-recently-used order.
      this.#statements.delete(sql);
    } else {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next();
        if (oldest.done !== true) this.#statements.delete(oldest.value);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return settle(() => {
      const { sql } = compiledQuery;
      const before = this.#inTransaction();
      try {
        return this.#execute<R>(compiledQuery);
      } finally {
        // A COMMIT ended the transaction; a write outside one committed by itself. A failed COMMIT leaves the
        // transaction open (Kysely then rolls it back), and a ROLLBACK commits nothing.
        const after = this.#inTransaction();
        const committed = before ? !after && !/^\s*rollback\b/i.test(sql) : !after && !READ_ONLY.test(sql);
        if (committed) {
          this.#committed = true;
          this.#onCommit?.();
        }
      }
    });
  }

  #inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  #execute<R>(compiledQuery: CompiledQuery): QueryResult<R> {
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters.map(toSqlValue);
    // A statement that yields columns (SELECT, or a write with RETURNING) is read as rows.
    if (statement.columns().length > 0) {
      return { rows: statement.all(...parameters) as R[] };
    }
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return {
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement = await settle(() => this.#prepare(compiledQuery.sql));
    for (const row of statement.iterate(...compiledQuery.parameters.map(toSqlValue))) {
      yield { rows: [row as R] };
    }
  }
}
