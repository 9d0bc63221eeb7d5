import net from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResponseFrame } from '@legevakt/shared';
import { DEFAULT_RATE_LIMITS, UNLIMITED } from './limitsConfig.ts';
import { destroyAgents, rawHttps } from '../fuzz/rawHttps.ts';
import { login } from '../testing/consultFixtures.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';
import { encodeMllp } from '../vitals/hl7/mllpFraming.ts';
import { startMllpListener } from '../vitals/hl7/mllpServer.ts';
import { PHILIPS_NUMERICS } from '../vitals/hl7/testFixtures.ts';
import { DEMO_PASSWORD } from '../storage/seed.ts';

/**
 * Each limit with small numbers. Per-address limits are exercised from other
 * loopback addresses (127.0.0.x), which Linux routes to the same listener, so
 * one server serves every case without one test eating another's budget.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    limits: {
      ...DEFAULT_RATE_LIMITS,
      anonymousPerAddress: { burst: 20, perSecond: 0.001 },
      loginFailuresPerUsername: { burst: 3, perSecond: 0.001 },
      apiPerUser: { burst: 5, perSecond: 0.001 },
      signalingPerSocket: { burst: 5, perSecond: 0.001 },
      signalingRefusedBeforeClose: { burst: 3, perSecond: 0.001 },
    },
  });
});
afterAll(async () => {
  destroyAgents();
  await server.close();
});

const loginFrom = (localAddress: string, username: string, password: string) =>
  rawHttps(server.url, {
    method: 'POST',
    path: '/api/auth/login',
    localAddress,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

function expectRateLimited(response: { status: number; headers: Record<string, unknown>; json: unknown }): void {
  expect(response.status).toBe(429);
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(response.json).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  expect(typeof (response.json as { error: { message?: unknown } }).error.message).toBe('string');
}

describe('HTTP rate limits', () => {
  it('stops password guessing per username, counting only wrong passwords, without checking the password', async () => {
    const from = '127.0.0.11';
    for (let i = 0; i < 3; i++) expect((await loginFrom(from, 'lege.forde', 'gjett')).status).toBe(401);
    // Now even the right password is refused, without being checked.
    expectRateLimited(await loginFrom(from, 'lege.forde', DEMO_PASSWORD));
    expectRateLimited(await loginFrom('127.0.0.12', ' LEGE.forde ', 'gjett'));
    // Other accounts are not affected, and right passwords do not count.
    for (let i = 0; i < 5; i++) expect((await loginFrom(from, 'lege2.forde', DEMO_PASSWORD)).status).toBe(200);
    expect(server.logs.some((l) => l['msg'] === 'rate limited' && l['limit'] === 'login-failures-per-username')).toBe(
      true,
    );
  });

  it('limits the auth endpoints per client address', async () => {
    const from = '127.0.0.13';
    for (let i = 0; i < 20; i++) {
      const refreshed = await rawHttps(server.url, {
        method: 'POST',
        path: '/api/auth/refresh',
        localAddress: from,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: `nonsense-${i}` }),
      });
      expect(refreshed.status).not.toBe(429);
    }
    expectRateLimited(await loginFrom(from, 'lege.molde', DEMO_PASSWORD));
    expectRateLimited(await rawHttps(server.url, { method: 'GET', path: '/api/health', localAddress: from }));
    // Another address is its own client.
    expect((await loginFrom('127.0.0.14', 'lege.molde', DEMO_PASSWORD)).status).toBe(200);
  });

  it('limits the API per user, not per address', async () => {
    const session = await login(server.url, 'sykepleier.midsund');
    const me = (localAddress: string) =>
      rawHttps(server.url, {
        method: 'GET',
        path: '/api/me',
        localAddress,
        headers: { Authorization: `Bearer ${session.accessToken}` },
      });
    for (let i = 0; i < 5; i++) expect((await me(`127.0.0.${20 + i}`)).status).toBe(200);
    const refused = await me('127.0.0.30');
    expectRateLimited(refused);
    expect((refused.json as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);
    const other = await login(server.url, 'sykepleier.aukra');
    const theirs = await rawHttps(server.url, {
      method: 'GET',
      path: '/api/me',
      headers: { Authorization: `Bearer ${other.accessToken}` },
    });
    expect(theirs.status).toBe(200);
    expect(server.logs.some((l) => l['msg'] === 'rate limited' && l['limit'] === 'api-per-user')).toBe(true);
  });
});

describe('signaling rate limit per socket', () => {
  it('answers frames over the limit RATE_LIMITED with their id, and closes a socket that keeps on with 1008', async () => {
    const { accessToken } = await login(server.url, 'lege.molde');
    const bystander = await SignalingTestClient.connect(server.url, accessToken);
    const client = await SignalingTestClient.connect(server.url, accessToken);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    // Pipelined, as a flood would be: 5 within the burst, 3 refused, the next one closes.
    const answers: Promise<ResponseFrame>[] = [];
    for (let i = 0; i < 8; i++) answers.push(client.send('getRouterRtpCapabilities', {}));
    const frames = await Promise.all(answers);
    expect(frames.slice(0, 5).every((f) => f.ok)).toBe(true);
    for (const frame of frames.slice(5)) {
      expect(frame).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      expect(frame.id).toBeGreaterThan(5);
      expect(!frame.ok && frame.error.retryAfterMs).toBeGreaterThan(0);
    }
    client.socket.send(JSON.stringify({ kind: 'request', id: 99, method: 'getRouterRtpCapabilities', data: {} }));
    expect(await closed).toBe(1008);
    expect(server.logs.some((l) => l['msg'] === 'signaling socket rate limited')).toBe(true);
    expect(server.logs.some((l) => l['msg'] === 'signaling socket closed: it kept sending over its rate limit')).toBe(
      true,
    );
    // Another socket of the same user has its own budget.
    expect((await bystander.send('getRouterRtpCapabilities', {})).ok).toBe(true);
    await bystander.close();
  });
});

describe('MLLP connection limits', () => {
  const log = pino({ level: 'silent' });

  /** Connects from a loopback address; resolves when the listener closes the connection (or after `waitMs`). */
  function connectFrom(port: number, localAddress: string): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
      socket.once('error', reject);
    });
  }
  const closedWithin = (socket: net.Socket, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (socket.destroyed || socket.readableEnded) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on('error', () => undefined);
      socket.resume();
    });

  it('refuses new connections over the per-address rate, and more than the simultaneous cap per address', async () => {
    const listener = await startMllpListener({
      host: '127.0.0.1',
      port: 0,
      log,
      onMessage: () => undefined,
      connectionsPerAddress: { burst: 3, perSecond: 0.001 },
      maxConnectionsPerAddress: 2,
    });
    try {
      const a = await connectFrom(listener.port, '127.0.0.41');
      const b = await connectFrom(listener.port, '127.0.0.41');
      const overCap = await connectFrom(listener.port, '127.0.0.41');
      expect(await closedWithin(overCap, 2000)).toBe(true);
      expect(await closedWithin(a, 200)).toBe(false);
      a.destroy();
      await new Promise((r) => setTimeout(r, 100));
      // Below the cap again, but the third connection already used the rate's burst of 3.
      const overRate = await connectFrom(listener.port, '127.0.0.41');
      expect(await closedWithin(overRate, 2000)).toBe(true);
      // Another address is served, and answered.
      const other = await connectFrom(listener.port, '127.0.0.42');
      const acked = new Promise<string>((resolve) => other.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
      other.write(encodeMllp(PHILIPS_NUMERICS));
      expect(await acked).toContain('MSA|AA|');
      for (const s of [b, other]) s.destroy();
    } finally {
      await listener.close();
    }
  });

  it('closes a connection that drips bytes without ever finishing a frame (slowloris)', async () => {
    const listener = await startMllpListener({
      host: '127.0.0.1',
      port: 0,
      log,
      onMessage: () => undefined,
      frameTimeoutMs: 300,
      connectionsPerAddress: UNLIMITED,
    });
    try {
      for (const drip of [Buffer.from('\u000bMSH|^~\\&|A|'), Buffer.from('garbage bytes no frame')]) {
        const socket = await connectFrom(listener.port, '127.0.0.43');
        let i = 0;
        const dripper = setInterval(() => {
          if (!socket.destroyed) socket.write(drip.subarray(i % drip.length, (i % drip.length) + 1));
          i++;
        }, 40);
        const started = Date.now();
        expect(await closedWithin(socket, 3000)).toBe(true);
        clearInterval(dripper);
        // Dripping resets the idle timeout (5 min) every 40 ms: only the frame deadline ended it.
        expect(Date.now() - started).toBeLessThan(2000);
      }
    } finally {
      await listener.close();
    }
  });
});
