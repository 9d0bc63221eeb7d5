import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

/** The database, or a transaction on it: repositories run their queries on either. */
export type Executor = Kysely<DatabaseSchema>;

/**
 * Runs fn in a transaction: the caller's, when the executor already is one
 * (so a repository's atomic step joins a Storage.transaction), else a new one.
 */
export async function inTransaction<T>(db: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

/** Parses a JSON column; a column that is not JSON is a corrupt row, reported with its place. */
export function parseJsonColumn(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`corrupt JSON in ${where}`, { cause: error });
  }
}
