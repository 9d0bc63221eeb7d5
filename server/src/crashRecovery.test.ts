import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsultView, QueueSnapshot } from '@legevakt/shared';
import { claimConsult, login, requestConsult } from './testing/consultFixtures.ts';
import { httpsJson } from './testing/httpsJson.ts';
import { startServerProcess, type ServerProcess } from './testing/serverProcess.ts';

const processes: ServerProcess[] = [];

afterEach(async () => {
  for (const server of processes.splice(0)) await server.kill();
});

async function startProcess(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, env: { LEGEVAKT_OVERFLOW_SECONDS: '3' } });
  processes.push(server);
  return server;
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

    await first.kill();

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
