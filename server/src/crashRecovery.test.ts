import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsultView, QueueSnapshot } from '@legevakt/shared';
import { claimConsult, login, requestConsult } from './testing/consultFixtures.ts';
import { httpsJson } from './testing/httpsJson.ts';

const MAIN = path.resolve(import.meta.dirname, 'main.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** The real server as its own process (what `npm start` runs), on free ports. */
async function startProcess(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      LEGEVAKT_DATA_DIR: dataDir,
      LEGEVAKT_PORT: '0',
      LEGEVAKT_HOST: '127.0.0.1',
      LEGEVAKT_RTC_PORT: '0',
      LEGEVAKT_MEDIA_WORKERS: '1',
      LEGEVAKT_CLIENT_DIST: '',
      LEGEVAKT_OVERFLOW_SECONDS: '3',
      LEGEVAKT_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Nurse \(satellite\):\s+(https:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}:\n${output}`)));
  });
  return { url, child };
}

describe('the server killed with SIGKILL', () => {
  it('comes back with every acknowledged request, claim and session intact, and overflow still due', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-crash-'));
    const first = await startProcess(dataDir);
    const nurse = await login(first.url, 'sykepleier.sunndal');
    const doctor = await login(first.url, 'lege.molde');
    const requested: ConsultView[] = [];
    for (let i = 0; i < 5; i++) requested.push(await requestConsult(first.url, nurse.accessToken));
    await claimConsult(first.url, doctor.accessToken, requested[0]!.id);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await startProcess(dataDir);
    // The signing secret and the sessions survived: the old tokens still work.
    const queue = await httpsJson<QueueSnapshot>(`${second.url}/api/queue`, { token: doctor.accessToken });
    expect(queue.status).toBe(200);
    expect(queue.body.entries.map((e) => e.id).sort()).toEqual(
      requested
        .slice(1)
        .map((c) => c.id)
        .sort(),
    );
    expect(queue.body.mine.map((c) => c.id)).toEqual([requested[0]!.id]);
    const mine = await httpsJson<ConsultView[]>(`${second.url}/api/consults/mine`, { token: nurse.accessToken });
    expect(mine.body).toHaveLength(5);

    // The overflow timers were rebuilt from storage: Førde gets the waiting ones.
    const forde = await login(second.url, 'lege.forde');
    await expect
      .poll(
        async () =>
          (await httpsJson<QueueSnapshot>(`${second.url}/api/queue`, { token: forde.accessToken })).body.entries.length,
        {
          timeout: 10_000,
        },
      )
      .toBe(4);
  });
});
