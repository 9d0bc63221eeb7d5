import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '@legevakt/shared';
import { loadConfig } from '../config.ts';
import { claimConsult, login, requestConsult } from '../testing/consultFixtures.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

/** Short, so the expiry test is quick; long enough for a resume on a loaded machine. */
const GRACE_MS = 2_000;

let server: TestServer;
const clients: SignalingTestClient[] = [];
const logins = new Map<string, LoginResponse>();

beforeAll(async () => {
  server = await startTestServer({
    media: {
      ...loadConfig({}).media,
      numWorkers: 1,
      workerLogLevel: 'error',
      listenIp: '127.0.0.1',
      announcedAddress: '127.0.0.1',
      webRtcServerBasePort: 0,
      resumeGraceMs: GRACE_MS,
    },
  });
  for (const username of ['sykepleier.sunndal', 'lege.molde']) {
    logins.set(username, await login(server.url, username));
  }
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const NURSE = 'sykepleier.sunndal';
const DOCTOR = 'lege.molde';

async function connect(username: string): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.connect(server.url, logins.get(username)!.accessToken);
  clients.push(client);
  return client;
}

/** An active consult with both sides in its call; the nurse has a send transport. */
async function callInProgress() {
  const consult = await requestConsult(server.url, logins.get(NURSE)!.accessToken);
  await claimConsult(server.url, logins.get(DOCTOR)!.accessToken, consult.id);
  const nurse = await connect(NURSE);
  const doctor = await connect(DOCTOR);
  const { routerRtpCapabilities } = await nurse.request('getRouterRtpCapabilities', {});
  const nurseJoin = await nurse.request('join', { consultId: consult.id, rtpCapabilities: routerRtpCapabilities });
  await doctor.request('join', { consultId: consult.id, rtpCapabilities: routerRtpCapabilities });
  const transport = await nurse.request('createWebRtcTransport', { direction: 'send' });
  return { consultId: consult.id, nurse, doctor, nurseJoin, transport };
}

async function accessEntriesOf(consultId: string) {
  await server.access.settled();
  return (await server.storage.accessLog.forConsult(consultId)).filter((e) => e.action === 'call.join');
}

describe('a dropped signaling socket keeps its place in the call', () => {
  it('keeps the peer and its transports through the drop; the same user resumes with the token', async () => {
    const { consultId, nurse, doctor, nurseJoin, transport } = await callInProgress();
    expect(nurseJoin.resumeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    nurse.terminate();

    const reconnecting = await doctor.waitForNotification('peerReconnecting');
    expect(reconnecting.data).toEqual({ peerId: nurseJoin.self.peerId });
    const room = server.rooms.get(consultId)!;
    expect(room.hasPeer(nurseJoin.self.peerId)).toBe(true);

    const back = await connect(NURSE);
    const resumed = await back.request('resume', {
      consultId,
      peerId: nurseJoin.self.peerId,
      resumeToken: nurseJoin.resumeToken,
    });
    expect(resumed.self.peerId).toBe(nurseJoin.self.peerId);
    expect(resumed.peers.map((p) => p.userId)).toEqual([logins.get(DOCTOR)!.user.id]);
    expect(resumed.reconnecting).toEqual([]);
    expect((await doctor.waitForNotification('peerResumed')).data).toEqual({ peerId: nurseJoin.self.peerId });
    // The same transport is still there: its ICE can be restarted, with new credentials.
    const { iceParameters } = await back.request('restartIce', { transportId: transport.id });
    expect(iceParameters.usernameFragment).not.toBe(transport.iceParameters.usernameFragment);
    expect(iceParameters.password).not.toBe(transport.iceParameters.password);

    // Well past the grace period the resumed peer is still in the room.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 500));
    expect(room.hasPeer(nurseJoin.self.peerId)).toBe(true);
    expect(doctor.notifications.some((n) => n.method === 'peerLeft')).toBe(false);
    // Join and resume: one access-log entry each, both allowed.
    const entries = await accessEntriesOf(consultId);
    expect(entries.filter((e) => e.userId === logins.get(NURSE)!.user.id).map((e) => e.outcome)).toEqual([
      'allowed',
      'allowed',
    ]);
  });

  it('refuses a wrong token and another user, logged as denied; the place stays', async () => {
    const { consultId, nurse, doctor, nurseJoin } = await callInProgress();
    nurse.terminate();
    await doctor.waitForNotification('peerReconnecting');
    const wrongToken = await (
      await connect(NURSE)
    ).send('resume', { consultId, peerId: nurseJoin.self.peerId, resumeToken: 'x'.repeat(43) });
    expect(wrongToken).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // The doctor (in the call, so the consult is open to him) cannot take the nurse's place, even with her token.
    const otherDoctorSocket = await connect(DOCTOR);
    const otherUser = await otherDoctorSocket.send('resume', {
      consultId,
      peerId: nurseJoin.self.peerId,
      resumeToken: nurseJoin.resumeToken,
    });
    expect(otherUser).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(server.logs.filter((l) => l['msg'] === 'resume refused: wrong user or resume token')).toHaveLength(2);
    const denied = (await accessEntriesOf(consultId)).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(2);
    expect(server.rooms.get(consultId)!.hasPeer(nurseJoin.self.peerId)).toBe(true);
  });

  it('lets the peer go when the grace period runs out; a late resume is told to join again', async () => {
    const { consultId, nurse, doctor, nurseJoin } = await callInProgress();
    nurse.terminate();
    await doctor.waitForNotification('peerReconnecting');
    const left = await doctor.waitForNotification('peerLeft', GRACE_MS + 3_000);
    expect(left.data).toEqual({ peerId: nurseJoin.self.peerId });
    const late = await (
      await connect(NURSE)
    ).send('resume', { consultId, peerId: nurseJoin.self.peerId, resumeToken: nurseJoin.resumeToken });
    expect(late).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Joining afresh works: the consult is still active.
    const again = await connect(NURSE);
    const { routerRtpCapabilities } = await again.request('getRouterRtpCapabilities', {});
    const joined = await again.request('join', { consultId, rtpCapabilities: routerRtpCapabilities });
    expect(joined.peers).toHaveLength(1);
  });

  it('a hang-up leaves at once', async () => {
    const { nurse, doctor, nurseJoin } = await callInProgress();
    await nurse.request('leave', {});
    const left = await doctor.waitForNotification('peerLeft', 1_000);
    expect(left.data).toEqual({ peerId: nurseJoin.self.peerId });
    expect(doctor.notifications.some((n) => n.method === 'peerReconnecting')).toBe(false);
  });

  it('a resume from a new socket while the old one still looks open: the old one lets go without leaving', async () => {
    const { consultId, nurse, doctor, nurseJoin } = await callInProgress();
    const back = await connect(NURSE);
    await back.request('resume', { consultId, peerId: nurseJoin.self.peerId, resumeToken: nurseJoin.resumeToken });
    await nurse.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.rooms.get(consultId)!.hasPeer(nurseJoin.self.peerId)).toBe(true);
    expect(doctor.notifications.some((n) => n.method === 'peerReconnecting' || n.method === 'peerLeft')).toBe(false);
    // Notifications for the place now reach the new socket only.
    await doctor.request('leave', {});
    expect((await back.waitForNotification('peerLeft')).data).toEqual({ peerId: expect.any(String) as string });
  });

  it('a wrong consult or peer id is NOT_FOUND', async () => {
    const { consultId, nurseJoin } = await callInProgress();
    const other = await connect(NURSE);
    const unknownPeer = await other.send('resume', {
      consultId,
      peerId: '00000000-0000-4000-8000-000000000000',
      resumeToken: nurseJoin.resumeToken,
    });
    expect(unknownPeer).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('a graceful shutdown', () => {
  it('tells every call and socket before it closes (the clients come back, not end the consult)', async () => {
    const own = await startTestServer();
    try {
      const nurseLogin = await login(own.url, NURSE);
      const consult = await requestConsult(own.url, nurseLogin.accessToken);
      await claimConsult(own.url, (await login(own.url, DOCTOR)).accessToken, consult.id);
      const nurse = await SignalingTestClient.connect(own.url, nurseLogin.accessToken);
      const { routerRtpCapabilities } = await nurse.request('getRouterRtpCapabilities', {});
      await nurse.request('join', { consultId: consult.id, rtpCapabilities: routerRtpCapabilities });
      const closed = new Promise<number>((resolve) => nurse.socket.once('close', (code) => resolve(code)));
      await own.close();
      expect((await nurse.waitForNotification('roomClosed')).data).toEqual({ reason: 'server-shutdown' });
      expect(await closed).toBe(1001);
    } finally {
      await own.close();
    }
  });
});
