import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimConsult, login, requestConsult } from '../../testing/consultFixtures.ts';
import { SignalingTestClient } from '../../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../../testing/testServer.ts';

let server: TestServer;
const clients: SignalingTestClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

async function joinedAs(username: string, consultId: string) {
  const client = await SignalingTestClient.connect(server.url, (await login(server.url, username)).accessToken);
  clients.push(client);
  const { routerRtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
  const joined = await client.request('join', { consultId, rtpCapabilities: routerRtpCapabilities });
  return { client, peerId: joined.self.peerId };
}

describe('link state between the peers of a consult', () => {
  it('tells the other peers (not the sender) that a peer went audio-only, and that it is back', async () => {
    const consult = await requestConsult(server.url, (await login(server.url, 'sykepleier.sunndal')).accessToken);
    await claimConsult(server.url, (await login(server.url, 'lege.molde')).accessToken, consult.id);
    const nurse = await joinedAs('sykepleier.sunndal', consult.id);
    const doctor = await joinedAs('lege.molde', consult.id);

    await nurse.client.request('reportLink', { mode: 'audio-only', quality: 'poor' });
    const told = await doctor.client.waitForNotification('linkState');
    expect(told.data).toEqual({ peerId: nurse.peerId, mode: 'audio-only', quality: 'poor' });
    await nurse.client.request('reportLink', { mode: 'video', quality: 'good' });
    expect((await doctor.client.waitForNotification('linkState')).data).toEqual({
      peerId: nurse.peerId,
      mode: 'video',
      quality: 'good',
    });
    expect(nurse.client.notifications.filter((n) => n.method === 'linkState')).toEqual([]);
    expect(server.logs.some((l) => l['msg'] === 'link state' && l['mode'] === 'audio-only')).toBe(true);
  });

  it('refuses a report outside a call, and a mode it does not know', async () => {
    const client = await SignalingTestClient.connect(
      server.url,
      (await login(server.url, 'sykepleier.sunndal')).accessToken,
    );
    clients.push(client);
    await expect(client.request('reportLink', { mode: 'video', quality: 'good' })).rejects.toThrow(/join a consult/);
    await expect(client.request('reportLink', { mode: 'smoke-signals', quality: 'good' } as never)).rejects.toThrow();
  });
});
