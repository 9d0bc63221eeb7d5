import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '@legevakt/shared';
import { systemClock } from '../clock.ts';
import {
  ENGINES,
  openTestStorage,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  silentLog,
  type TestStorage,
} from '../storage/testing/storageHarness.ts';
import { AccessLog } from './accessLog.ts';
import { rawSql } from './testing/tamper.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = path.join(repoRoot, 'server', 'src', 'tools', 'verifyAccessLog.ts');

const nurse: AccessTokenClaims = {
  sub: 'user-sykepleier-sunndal',
  role: 'nurse',
  name: 'Ingrid Aasen',
  workplace: { kind: 'satellite', satelliteId: 'sunndal-helsetun', districtId: 'romsdal' },
  sid: 'sid-1',
};

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as `npm run verify-access-log` does, with the server's configuration variables. */
function runCli(env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: repoRoot, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.each(ENGINES)('verify-access-log CLI on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  function envOf(storage: TestStorage): Record<string, string> {
    return storage.location.url
      ? { LEGEVAKT_DATABASE_URL: storage.location.url, LEGEVAKT_DATA_DIR: os.tmpdir() }
      : { LEGEVAKT_DATA_DIR: path.dirname(storage.location.sqliteFile) };
  }

  it('exits 0 on an intact chain, 1 naming the first broken entry, and checks a noted head', async () => {
    t = await openTestStorage(engine);
    const log = new AccessLog(t.storage, systemClock, silentLog);
    for (let i = 0; i < 5; i++) {
      await log.record({ user: nurse, action: 'consult.view', consult: null, outcome: 'denied', address: '::1' });
    }
    const env = envOf(t);

    const ok = await runCli(env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('The access log is intact: 5 entries');
    const head = /Head .*: (\d+:[0-9a-f]{64})/.exec(ok.stdout)?.[1];
    expect(head).toMatch(/^5:/);

    const json = await runCli(env, ['--json', '--head', head ?? '']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, entries: 5, head: { seq: 5 } });

    await rawSql(t.location, ["update access_log set address = '10.9.9.9' where seq = 3"]);
    const broken = await runCli(env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN at entry 3 (altered)');
    expect(broken.stdout).toContain('The 2 entries before it are intact.');
  });

  it('exits 1 when entries were cut off the end after a head was noted', async () => {
    t = await openTestStorage(engine);
    const log = new AccessLog(t.storage, systemClock, silentLog);
    for (let i = 0; i < 3; i++) {
      await log.record({ user: nurse, action: 'consult.view', consult: null, outcome: 'denied', address: null });
    }
    const env = envOf(t);
    const head = `3:${(await t.storage.accessLog.tail())?.hash ?? ''}`;
    await rawSql(t.location, ['delete from access_log where seq = 3']);
    expect((await runCli(env)).code).toBe(0);
    const cut = await runCli(env, ['--head', head]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain('(deleted)');
  });
});

describe('verify-access-log CLI refuses to guess', () => {
  it('exits 2 without a database (it does not create an empty one) or with a malformed head', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-verify-'));
    try {
      const missing = await runCli({ LEGEVAKT_DATA_DIR: dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('no database at');
      expect(fs.readdirSync(dir)).toEqual([]);
      const badHead = await runCli({ LEGEVAKT_DATA_DIR: dir }, ['--head', 'nonsense']);
      expect(badHead.code).toBe(2);
      expect(badHead.stderr).toContain('--head must be SEQ:HASH');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
