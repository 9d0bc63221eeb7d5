import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '@legevakt/shared';
import { loadConfig } from '../config.ts';
import { claimConsult, login, requestConsult } from '../testing/consultFixtures.ts';
import { opusRtpParameters, vp8RtpParameters } from '../testing/rtpFixtures.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

const GRACE_MS = 300;

let server: TestServer;
const clients: SignalingTestClient[] = [];
const logins = new Map<string, LoginResponse>();

beforeAll(async () => {
  // A short grace period: a closed test socket's place is given up soon after (see resume.test.ts for the long one).
  const base = loadConfig({});
  server = await startTestServer({
    media: {
      ...base.media,
      numWorkers: 1,
      workerLogLevel: 'error',
      listenIp: '127.0.0.1',
      announcedAddress: '127.0.0.1',
      webRtcServerBasePort: 0,
      resumeGraceMs: GRACE_MS,
    },
  });
  for (const username of ['sykepleier.sunndal', 'sykepleier.rauma', 'lege.molde', 'lege2.molde', 'lege.forde']) {
    logins.set(username, await login(server.url, username));
  }
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  // Closed sockets keep their places for the grace period: the next test starts with no room open.
  await eventually(async () => Promise.resolve(server.rooms.size === 0));
});

const NURSE = 'sykepleier.sunndal';
const DOCTOR = 'lege.molde';

function token(username: string): string {
  return logins.get(username)!.accessToken;
}

async function connect(username: string): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.connect(server.url, token(username));
  clients.push(client);
  return client;
}

/** A consult requested by the Sunndal nurse and taken by the Molde doctor: its call is open to both. */
async function activeConsult(): Promise<string> {
  const consult = await requestConsult(server.url, token(NURSE));
  await claimConsult(server.url, token(DOCTOR), consult.id);
  return consult.id;
}

async function joinConsult(client: SignalingTestClient, consultId: string) {
  const { routerRtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
  return client.request('join', { consultId, rtpCapabilities: routerRtpCapabilities });
}

async function census() {
  const [worker] = await server.pool.census();
  return worker!;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('authentication of the signaling socket', () => {
  it('refuses a socket without a token with 401', async () => {
    await expect(SignalingTestClient.connect(server.url, null)).rejects.toThrow('HTTP 401');
  });

  it('refuses a tampered token', async () => {
    const good = token(NURSE);
    const [header, payload, signature] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'doctor' }),
    ).toString('base64url');
    await expect(SignalingTestClient.connect(server.url, `${header}.${forged}.${signature}`)).rejects.toThrow(
      'HTTP 401',
    );
  });

  it('refuses an expired token and logs why', async () => {
    const { user } = logins.get(NURSE)!;
    const claims = { sub: user.id, role: user.role, name: user.displayName, workplace: user.workplace, sid: 'x' };
    const expired = server.tokens.issue(claims, new Date(Date.now() - 3600_000)).accessToken;
    await expect(SignalingTestClient.connect(server.url, expired)).rejects.toThrow('HTTP 401');
    expect(
      server.logs.some((l) => l['msg'] === 'signaling socket refused' && l['reason'] === 'access token expired'),
    ).toBe(true);
  });
});

describe('malformed and unknown messages', () => {
  it('answers each bad frame with an error naming the problem and keeps the connection', async () => {
    const client = await connect(NURSE);

    const notJson = await client.sendRaw('{not json');
    expect(notJson).toMatchObject({
      ok: false,
      id: null,
      error: { code: 'BAD_REQUEST', message: 'frame is not valid JSON' },
    });

    const noMethod = await client.sendRaw(JSON.stringify({ kind: 'request', id: 7 }), 7);
    expect(noMethod).toMatchObject({ ok: false, id: 7, error: { code: 'BAD_REQUEST' } });
    expect(!noMethod.ok && noMethod.error.issues?.some((i) => i.startsWith('method:'))).toBe(true);

    const unknown = await client.send('launchRocket', {});
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD', message: 'unknown method "launchRocket"' },
    });

    const badData = await client.send('join', { consultId: '../etc/passwd', rtpCapabilities: {} });
    expect(badData).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'invalid data for "join"' } });
    expect(!badData.ok && badData.error.issues?.[0]).toMatch(/^consultId:/);

    const extraField = await client.send('leave', { sneaky: true });
    expect(extraField).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const binary = await client.sendRaw(Buffer.from([1, 2, 3]));
    expect(binary).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const beforeJoin = await client.send('createWebRtcTransport', { direction: 'send' });
    expect(beforeJoin).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: 'join a consult first' } });

    // Still connected and working.
    const ok = await client.send('getRouterRtpCapabilities', {});
    expect(ok.ok).toBe(true);
    expect(server.logs.filter((l) => l['msg'] === 'bad signaling frame').length).toBeGreaterThanOrEqual(5);
    await client.send('leave', {});
  });

  it('closes a socket that sends a frame over the size limit, and nothing else is affected', async () => {
    const bystander = await connect(DOCTOR);
    const attacker = await connect(NURSE);
    const closed = new Promise<number>((resolve) => attacker.socket.once('close', (code) => resolve(code)));
    attacker.socket.send('x'.repeat(70 * 1024));
    expect(await closed).toBe(1009);
    expect((await bystander.send('getRouterRtpCapabilities', {})).ok).toBe(true);
  });
});

describe('who may enter a consult call', () => {
  it('lets in only the two sides of a consult, the doctor once he has taken it, and logs each refusal', async () => {
    const waiting = await requestConsult(server.url, token(NURSE));
    const nurse = await connect(NURSE);
    const { routerRtpCapabilities } = await nurse.request('getRouterRtpCapabilities', {});
    const join = (client: SignalingTestClient) =>
      client.send('join', { consultId: waiting.id, rtpCapabilities: routerRtpCapabilities });
    // Still waiting: the requesting side may get ready in the room; no doctor, not even the district's, may enter.
    expect((await join(nurse)).ok).toBe(true);
    const districtDoctor = await connect(DOCTOR);
    expect(await join(districtDoctor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await claimConsult(server.url, token('lege2.molde'), waiting.id);
    for (const outsider of ['sykepleier.rauma', 'lege.forde', DOCTOR]) {
      const client = await connect(outsider);
      expect(await join(client)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(
      server.logs.filter((l) => l['msg'] === 'access denied' && l['action'] === 'join-call').length,
    ).toBeGreaterThanOrEqual(2);
    expect((await join(await connect('lege2.molde'))).ok).toBe(true);
    await nurse.request('leave', {});
    expect(
      await nurse.send('join', {
        consultId: '00000000-0000-4000-8000-000000000000',
        rtpCapabilities: routerRtpCapabilities,
      }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('a consult: join, produce, consume, leave', () => {
  it('carries media between a nurse and a doctor and frees everything when both leave', async () => {
    const consultId = await activeConsult();
    const nurse = await connect(NURSE);
    const doctor = await connect(DOCTOR);

    const nurseJoin = await joinConsult(nurse, consultId);
    expect(nurseJoin.peers).toEqual([]);
    const doctorJoin = await joinConsult(doctor, consultId);
    expect(doctorJoin.peers).toEqual([expect.objectContaining({ role: 'nurse', displayName: 'Ingrid Aasen' })]);
    expect((await nurse.waitForNotification('peerJoined')).data).toMatchObject({ role: 'doctor' });

    const send = await nurse.request('createWebRtcTransport', { direction: 'send' });
    expect(send.iceCandidates.length).toBeGreaterThan(0);
    expect(send.sctpParameters).toBeDefined();
    const video = await nurse.request('produce', {
      transportId: send.id,
      kind: 'video',
      rtpParameters: vp8RtpParameters(1111),
    });
    const audio = await nurse.request('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: opusRtpParameters(2222),
    });

    const announced = [
      await doctor.waitForNotification('newProducer'),
      await doctor.waitForNotification('newProducer'),
    ];
    expect(announced.map((n) => (n.data as { producerId: string }).producerId).sort()).toEqual(
      [video.producerId, audio.producerId].sort(),
    );

    const recv = await doctor.request('createWebRtcTransport', { direction: 'recv' });
    const consumer = await doctor.request('consume', { transportId: recv.id, producerId: video.producerId });
    expect(consumer).toMatchObject({ kind: 'video', producerId: video.producerId, peerId: nurseJoin.self.peerId });
    expect(consumer.rtpParameters.codecs[0]!.mimeType).toBe('video/VP8');
    await doctor.request('resumeConsumer', { consumerId: consumer.consumerId });

    // Wrong transport direction and foreign ids are refused, not crashed on.
    expect(await doctor.send('consume', { transportId: send.id, producerId: audio.producerId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await nurse.send('consume', { transportId: send.id, producerId: audio.producerId })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });

    await nurse.request('pauseProducer', { producerId: video.producerId });
    expect((await doctor.waitForNotification('producerPaused')).data).toMatchObject({ producerId: video.producerId });

    expect(await census()).toMatchObject({ routers: 1, transports: 2, producers: 2, consumers: 1 });

    await nurse.request('leave', {});
    expect((await doctor.waitForNotification('consumerClosed')).data).toEqual({ consumerId: consumer.consumerId });
    expect((await doctor.waitForNotification('peerLeft')).data).toEqual({ peerId: nurseJoin.self.peerId });
    await doctor.request('leave', {});

    await eventually(async () => (await census()).routers === 0);
    expect(await census()).toMatchObject({ routers: 0, transports: 0, producers: 0, consumers: 0 });
    expect(server.rooms.size).toBe(0);
  });

  it('treats a peer whose connection drops without leaving as gone once its grace period is over', async () => {
    const consultId = await activeConsult();
    const nurse = await connect(NURSE);
    const doctor = await connect(DOCTOR);
    const nurseJoin = await joinConsult(nurse, consultId);
    await joinConsult(doctor, consultId);
    const send = await nurse.request('createWebRtcTransport', { direction: 'send' });
    await nurse.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: opusRtpParameters(3333) });

    nurse.terminate();
    expect((await doctor.waitForNotification('peerReconnecting')).data).toEqual({ peerId: nurseJoin.self.peerId });
    expect((await doctor.waitForNotification('peerLeft')).data).toEqual({ peerId: nurseJoin.self.peerId });
    await eventually(async () => (await census()).transports === 0 && (await census()).producers === 0);

    doctor.terminate();
    await eventually(async () => (await census()).routers === 0);
    expect(server.rooms.size).toBe(0);
  });

  it('puts two peers joining the same consult at the same moment in one room, each knowing of the other', async () => {
    // Their access-log entries often become durable in one disk sync, so both joins finish in the same
    // tick: each answer must still come before the news of the other peer, or the client's answer
    // (an older peer list) would wipe that news. Several rounds: the timing varies.
    for (let round = 0; round < 8; round++) {
      const consultId = await activeConsult();
      const a = await connect(NURSE);
      const b = await connect(DOCTOR);
      const [capsA, capsB] = await Promise.all([
        a.request('getRouterRtpCapabilities', {}),
        b.request('getRouterRtpCapabilities', {}),
      ]);
      const [fromA, fromB] = [a.arrivals.length, b.arrivals.length];
      const [joinedA, joinedB] = await Promise.all([
        a.request('join', { consultId, rtpCapabilities: capsA.routerRtpCapabilities }),
        b.request('join', { consultId, rtpCapabilities: capsB.routerRtpCapabilities }),
      ]);
      expect(server.rooms.size).toBe(1);
      expect((await census()).routers).toBe(1);
      // Exactly one of them was first: it learns of the other by notification, after its own answer.
      const [first, firstFrom, secondJoin] = joinedA.peers.length === 0 ? [a, fromA, joinedB] : [b, fromB, joinedA];
      expect(secondJoin.peers.map((p) => p.peerId)).not.toContain(secondJoin.self.peerId);
      expect(secondJoin.peers).toHaveLength(1);
      const news = await first.waitForNotification('peerJoined');
      expect(news.data).toMatchObject({ peerId: secondJoin.self.peerId });
      // The answers and the room's news; the workplace's own notices (places in the queue) aside.
      const seen = first.arrivals.slice(firstFrom).filter((a) => a === 'response' || a === 'peerJoined');
      expect(seen.slice(0, 2)).toEqual(['response', 'peerJoined']);
      await a.request('leave', {});
      await b.request('leave', {});
      await eventually(async () => (await census()).routers === 0);
      await Promise.all(clients.splice(0).map((c) => c.close()));
    }
  });

  it('refuses a second join on the same connection', async () => {
    const nurse = await connect(NURSE);
    await joinConsult(nurse, await activeConsult());
    const again = await nurse.send('join', { consultId: await activeConsult(), rtpCapabilities: {} });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await nurse.request('leave', {});
  });
});
