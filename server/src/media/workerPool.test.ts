import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimConsult, login, requestConsult } from '../testing/consultFixtures.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('a media worker that dies', () => {
  it('is replaced and reported, and the peers in its rooms are told', async () => {
    const nurseLogin = await login(server.url, 'sykepleier.sunndal');
    const doctorLogin = await login(server.url, 'lege.molde');
    const activeConsult = async (): Promise<string> => {
      const consult = await requestConsult(server.url, nurseLogin.accessToken);
      await claimConsult(server.url, doctorLogin.accessToken, consult.id);
      return consult.id;
    };
    const nurse = await SignalingTestClient.connect(server.url, nurseLogin.accessToken);
    const { routerRtpCapabilities } = await nurse.request('getRouterRtpCapabilities', {});
    await nurse.request('join', { consultId: await activeConsult(), rtpCapabilities: routerRtpCapabilities });

    const [before] = server.pool.workers();
    const replaced = new Promise<number>((resolve) => server.pool.once('workerReplaced', (_i, pid) => resolve(pid)));
    process.kill(before!.worker.pid, 'SIGKILL');

    expect((await nurse.waitForNotification('roomClosed')).data).toEqual({ reason: 'media-server-restarted' });
    const newPid = await replaced;
    expect(newPid).not.toBe(before!.worker.pid);
    expect(server.logs.some((l) => l['msg'] === 'media worker died; replacing it' && l['level'] === 50)).toBe(true);
    expect(server.rooms.size).toBe(0);

    // The replacement serves new consults.
    await nurse.request('join', { consultId: await activeConsult(), rtpCapabilities: routerRtpCapabilities });
    const [census] = await server.pool.census();
    expect(census).toMatchObject({ pid: newPid, routers: 1 });
    await nurse.close();
  });
});
