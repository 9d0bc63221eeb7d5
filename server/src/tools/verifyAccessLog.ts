// Checks the patient-data access log's hash chain in the configured database
// (LEGEVAKT_DATA_DIR's SQLite file, or LEGEVAKT_DATABASE_URL), like the server
// would open it, and says in plain words whether it is intact.
//
//   npm run verify-access-log [-- --head SEQ:HASH] [-- --json]
//
// --head: a head printed by an earlier run (kept elsewhere); the entry must
// still be there, unchanged, which also proves nothing was cut off the end.
// Exit code: 0 intact, 1 broken (the first altered, inserted or deleted entry
// is named), 2 could not check (no database, bad arguments).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAccessLog } from '../audit/verifyAccessLog.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createStorage } from '../storage/storage.ts';

const HEAD = /^(\d+):([0-9a-f]{64})$/;

async function main(): Promise<number> {
  let values: { head?: string | undefined; json?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { head: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`verify-access-log: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  let expectHead: { seq: number; hash: string } | undefined;
  if (values.head !== undefined) {
    const match = HEAD.exec(values.head);
    if (!match?.[1] || !match[2]) {
      console.error('verify-access-log: --head must be SEQ:HASH (the hash as 64 lower-case hex digits)');
      return 2;
    }
    expectHead = { seq: Number(match[1]), hash: match[2] };
  }

  const config = loadConfig();
  const sqliteFile = path.join(config.dataDir, 'legevakt.sqlite');
  if (!config.databaseUrl && !fs.existsSync(sqliteFile)) {
    // Opening would create an empty database and call it intact.
    console.error(`verify-access-log: no database at ${sqliteFile} (set LEGEVAKT_DATA_DIR or LEGEVAKT_DATABASE_URL)`);
    return 2;
  }
  let storage;
  try {
    storage = await createStorage({ url: config.databaseUrl, sqliteFile, log: createLogger('warn') });
  } catch (error) {
    console.error(
      `verify-access-log: could not open the database: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  try {
    const result = await verifyAccessLog(storage, expectHead ? { expectHead } : {});
    if (values.json) console.log(JSON.stringify(result));
    else if (result.ok) {
      console.log(
        result.head
          ? `The access log is intact: ${result.entries} entries, unbroken chain.\n` +
              `Head (note it elsewhere; check later with --head): ${result.head.seq}:${result.head.hash}`
          : 'The access log is empty (nothing to check).',
      );
    } else {
      console.log(
        `The access log is BROKEN at entry ${result.problem.seq} (${result.problem.kind}): ${result.problem.message}.\n` +
          `The ${result.entries} entries before it are intact.`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await storage.close();
  }
}

process.exitCode = await main();
