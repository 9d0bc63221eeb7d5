import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse, QueueSnapshot } from '@legevakt/shared';
import { login, requestConsult } from '../testing/consultFixtures.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

let server: TestServer;
// Starts at real time: access tokens are checked against the real clock by jsonwebtoken.
const clock = new FakeClock(Date.now());
let nurse: LoginResponse;
let forde: LoginResponse;

beforeAll(async () => {
  server = await startTestServer({ queue: { overflowAfterMs: 30_000 } }, { clock });
  nurse = await login(server.url, 'sykepleier.sunndal');
  forde = await login(server.url, 'lege.forde');
});
afterAll(async () => {
  await server.close();
});

async function fordeQueue(): Promise<QueueSnapshot> {
  return (await httpsJson<QueueSnapshot>(`${server.url}/api/queue`, { token: forde.accessToken })).body;
}

describe('overflow to the virtual LVS', () => {
  it('offers a request to the other sites exactly when the home sites have not taken it in 30 s', async () => {
    const socket = await SignalingTestClient.connect(server.url, forde.accessToken);
    const consult = await requestConsult(server.url, nurse.accessToken);
    expect((await fordeQueue()).entries.map((e) => e.id)).not.toContain(consult.id);

    await clock.advance(29_999);
    expect((await fordeQueue()).entries.map((e) => e.id)).not.toContain(consult.id);
    expect(socket.notifications.some((n) => n.method === 'queueAlert')).toBe(false);

    await clock.advance(1);
    await expect
      .poll(async () => (await fordeQueue()).entries.find((e) => e.id === consult.id))
      .toMatchObject({
        overflow: true,
        placeName: 'Sunndal helsetun',
        districtName: 'Romsdal legevaktdistrikt',
      });
    const alert = await socket.waitForNotification('queueAlert');
    expect(alert.data).toEqual({ consultId: consult.id, triage: 'green', origin: 'satellite', overflow: true });

    const claim = await httpsJson(`${server.url}/api/consults/${consult.id}/claim`, {
      method: 'POST',
      token: forde.accessToken,
    });
    expect(claim).toMatchObject({ status: 200, body: { claimedSiteId: 'forde-lvs', claimedSiteName: 'Førde LVS' } });
    await socket.close();
  });

  it('does not overflow a request taken or withdrawn in time', async () => {
    const taken = await requestConsult(server.url, nurse.accessToken);
    const molde = await login(server.url, 'lege.molde');
    await httpsJson(`${server.url}/api/consults/${taken.id}/claim`, { method: 'POST', token: molde.accessToken });
    const withdrawn = await requestConsult(server.url, nurse.accessToken);
    await httpsJson(`${server.url}/api/consults/${withdrawn.id}/cancel`, { method: 'POST', token: nurse.accessToken });
    await clock.advance(60_000);
    const detail = await httpsJson<{ timeline: { kind: string }[] }>(`${server.url}/api/consults/${taken.id}`, {
      token: molde.accessToken,
    });
    expect(detail.body.timeline.map((e) => e.kind)).not.toContain('overflowed');
    expect((await fordeQueue()).entries.map((e) => e.id)).not.toContain(withdrawn.id);
  });
});
