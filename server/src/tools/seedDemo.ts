// Seeds the demo organisation and accounts into the configured database (the
// embedded SQLite file by default) and prints the accounts. Run by setup.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { DEMO_PASSWORD, seedDemo, type DemoUser } from '../storage/seed.ts';
import { createStorage } from '../storage/storage.ts';

export function formatDemoUsers(users: readonly DemoUser[]): string {
  const width = Math.max(...users.map((u) => u.username.length));
  return [
    `Demo accounts (password for all: ${DEMO_PASSWORD}):`,
    ...users.map((u) => `  ${u.username.padEnd(width)}  ${u.role.padEnd(9)}  ${u.displayName}, ${u.place}`),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename;
if (isMain) {
  const config = loadConfig();
  const storage = await createStorage({
    url: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, 'legevakt.sqlite'),
    log: createLogger('warn'),
  });
  try {
    console.log(formatDemoUsers(await seedDemo(storage)));
  } finally {
    await storage.close();
  }
}
