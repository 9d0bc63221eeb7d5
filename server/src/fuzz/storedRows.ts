import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Tables that grow with legitimate traffic whatever the input: the access log
 * (a refused request is logged as denied, by design), sessions (a login makes
 * one) and the migrator's bookkeeping.
 */
const GROWS_BY_DESIGN = new Set(['access_log', 'refresh_tokens', 'kysely_migration', 'kysely_migration_lock']);

/**
 * Row counts of every other table of a test server's SQLite file, read through
 * a connection of our own (WAL: it sees what the server committed). Read from
 * the file rather than the repositories so a table added later is counted too.
 */
export function storedRows(dataDir: string): Record<string, number> {
  const file = path.join(dataDir, 'legevakt.sqlite');
  if (!fs.existsSync(file)) throw new Error(`no database at ${file}`);
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => String(row['name']))
      .filter((name) => !GROWS_BY_DESIGN.has(name));
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const row = db.prepare(`SELECT COUNT(*) AS n FROM "${table.replaceAll('"', '""')}"`).get();
      counts[table] = Number(row?.['n'] ?? 0);
    }
    return counts;
  } finally {
    db.close();
  }
}

/** Tables whose count changed, as `table: before → after`. */
export function changedRows(before: Record<string, number>, after: Record<string, number>): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] !== after[table]) changed[table] = `${before[table] ?? 0} → ${after[table] ?? 0}`;
  }
  return changed;
}

/** Resident memory of a process in bytes (Linux /proc), e.g. a mediasoup worker. */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

let collect: (() => void) | null = null;

/**
 * Heap still in use after a full garbage collection: what a leak would grow.
 * (RSS also counts garbage not yet collected and memory V8 keeps for reuse, so it
 * mostly measures how hard the test itself pushed.) Exposes `gc` for this process.
 */
export async function retainedHeapBytes(): Promise<number> {
  if (!collect) {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
