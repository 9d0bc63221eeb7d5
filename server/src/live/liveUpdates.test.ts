import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsultView, QueueSnapshot } from '@legevakt/shared';
import { claimConsult, intake, login, requestConsult } from '../testing/consultFixtures.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** Waits for the first notification of `method` whose data satisfies `accept`. */
async function until<T>(client: SignalingTestClient, method: string, accept: (data: T) => boolean): Promise<T> {
  for (;;) {
    const frame = await client.waitForNotification(method);
    if (accept(frame.data as T)) return frame.data as T;
  }
}

describe('the live queue over the socket', () => {
  it('alerts the district’s doctors, shows the nurse her place in line, and tells her when a doctor takes it', async () => {
    const nurse = await login(server.url, 'sykepleier.sunndal');
    const doctor = await login(server.url, 'lege.molde');
    const doctorSocket = await SignalingTestClient.connect(server.url, doctor.accessToken);
    const nurseSocket = await SignalingTestClient.connect(server.url, nurse.accessToken);
    const outsider = await SignalingTestClient.connect(server.url, (await login(server.url, 'lege.forde')).accessToken);
    await until<QueueSnapshot>(doctorSocket, 'queueSnapshot', () => true);

    const first = await requestConsult(server.url, nurse.accessToken, intake({ triage: 'green' }));
    const second = await requestConsult(server.url, nurse.accessToken, intake({ triage: 'yellow' }));
    expect((await doctorSocket.waitForNotification('queueAlert')).data).toMatchObject({
      consultId: first.id,
      overflow: false,
    });

    // The yellow request goes ahead of the earlier green one.
    const snapshot = await until<QueueSnapshot>(doctorSocket, 'queueSnapshot', (s) => s.entries.length >= 2);
    expect(snapshot.entries.map((e) => e.id).slice(0, 2)).toEqual([second.id, first.id]);
    const place = await until<{ consults: ConsultView[] }>(nurseSocket, 'placeConsults', (p) => p.consults.length >= 2);
    expect(place.consults.find((c) => c.id === first.id)).toMatchObject({ queuePosition: 2, status: 'waiting' });
    expect(place.consults.find((c) => c.id === second.id)).toMatchObject({ queuePosition: 1 });

    await claimConsult(server.url, doctor.accessToken, second.id);
    const claimed = await until<{ consult: ConsultView; change: string }>(
      nurseSocket,
      'consultChanged',
      (c) => c.change === 'claimed',
    );
    expect(claimed.consult).toMatchObject({
      id: second.id,
      status: 'active',
      claimedByName: 'Lars Hjelset',
      claimedSiteName: 'Molde LVS',
    });
    const after = await until<{ consults: ConsultView[] }>(
      nurseSocket,
      'placeConsults',
      (p) => p.consults.find((c) => c.id === first.id)?.queuePosition === 1,
    );
    expect(after.consults.find((c) => c.id === second.id)?.queuePosition).toBeNull();
    const doctorMine = await until<QueueSnapshot>(doctorSocket, 'queueSnapshot', (s) => s.mine.length > 0);
    expect(doctorMine.mine.map((c) => c.id)).toEqual([second.id]);

    // Another district's doctor heard nothing of Romsdal's requests.
    expect(outsider.notifications.filter((n) => n.method === 'queueAlert')).toEqual([]);
    await Promise.all([doctorSocket.close(), nurseSocket.close(), outsider.close()]);
  });

  it('closes the sockets of a session when it logs out', async () => {
    const session = await login(server.url, 'lege2.molde');
    const socket = await SignalingTestClient.connect(server.url, session.accessToken);
    const closed = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));
    await httpsJson(`${server.url}/api/auth/logout`, { body: { refreshToken: session.refreshToken } });
    expect(await closed).toBe(4001);
    await expect(SignalingTestClient.connect(server.url, session.accessToken)).rejects.toThrow('HTTP 401');
  });
});
