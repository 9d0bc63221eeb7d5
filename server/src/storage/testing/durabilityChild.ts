/**
 * For the durability test: opens the SQLite file given as argv[2], then
 * creates consults (requested by the user argv[3]) as fast as it can until
 * killed, printing each consult's id on stdout as soon as create() returns.
 * `node server/src/storage/testing/durabilityChild.ts FILE USER_ID`
 */
import fs from 'node:fs';
import { createStorage } from '../storage.ts';
import { silentLog } from './storageHarness.ts';
import { sunndalConsult } from './fixtures.ts';
import type { UserRecord } from '../userRepository.ts';

const [file, userId] = process.argv.slice(2);
if (file === undefined || userId === undefined) {
  process.stderr.write('usage: durabilityChild.ts SQLITE_FILE USER_ID\n');
  process.exit(2);
}

const storage = await createStorage({ sqliteFile: file, log: silentLog });
fs.writeSync(1, 'ready\n');
for (let i = 0; ; i++) {
  const consult = await storage.consults.create(
    sunndalConsult({ id: userId } as UserRecord, { requestedAt: Date.now(), reason: `Holdbarhetstest ${i}` }),
  );
  // Synchronous write: the line is out before the next insert starts.
  fs.writeSync(1, `${consult.id}\n`);
}
