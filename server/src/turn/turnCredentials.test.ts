import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadTurnConfig } from '../config.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { useLoggedInServer } from '../testing/loggedInServer.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { TurnCredentials, turnRestCredential } from './turnCredentials.ts';

const TURN = {
  urls: [
    'stun:turn.example.no:3478',
    'turn:turn.example.no:3478?transport=udp',
    'turns:turn.example.no:443?transport=tcp',
  ],
  secret: 'legevakt-turn-test-secret',
  ttlSeconds: 3600,
};

describe('the TURN REST credential', () => {
  it('is base64(HMAC-SHA1(secret, "<expiry>:<user>")): a vector computed by hand with openssl', () => {
    // printf '%s' '1700003600:9f1c7a52-user' | openssl dgst -sha1 -hmac 'legevakt-turn-test-secret' -binary | base64
    expect(turnRestCredential('legevakt-turn-test-secret', '9f1c7a52-user', 1_700_003_600)).toEqual({
      username: '1700003600:9f1c7a52-user',
      credential: 'uvQwkYEWtxSLOtDzaVK40snlxUk=',
    });
  });

  it('agrees with the openssl CLI for a random secret and user', () => {
    const secret = randomBytes(24).toString('base64url');
    const user = randomBytes(8).toString('hex');
    const { username, credential } = turnRestCredential(secret, user, 1_800_000_000);
    const openssl = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: username });
    expect(credential).toBe(openssl.toString('base64'));
    expect(credential).not.toBe(turnRestCredential(`${secret}x`, user, 1_800_000_000).credential);
  });
});

describe('TurnCredentials', () => {
  it('gives a call participant the STUN URLs and a TURN credential that expires after the TTL', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 3, 0, 0, 700));
    const grant = new TurnCredentials(TURN, clock).iceServersFor({ sub: 'nurse-1', role: 'nurse' });
    const expiry = Math.floor(clock.now() / 1000) + 3600;
    expect(grant.expiresAt).toBe(new Date(expiry * 1000).toISOString());
    expect(grant.expiresAt).toBe('2026-11-23T04:00:00.000Z');
    expect(grant.iceServers).toEqual([
      { urls: ['stun:turn.example.no:3478'] },
      {
        urls: ['turn:turn.example.no:3478?transport=udp', 'turns:turn.example.no:443?transport=tcp'],
        ...turnRestCredential(TURN.secret, 'nurse-1', expiry),
      },
    ]);
  });

  it('issues a fresh, later credential on the next call', async () => {
    const clock = new FakeClock();
    const turn = new TurnCredentials({ ...TURN, ttlSeconds: 600 }, clock);
    const first = turn.iceServersFor({ sub: 'doctor-1', role: 'doctor' });
    await clock.advance(120_000);
    const second = turn.iceServersFor({ sub: 'doctor-1', role: 'doctor' });
    expect(Date.parse(second.expiresAt!) - Date.parse(first.expiresAt!)).toBe(120_000);
    expect(second.iceServers[1]!.credential).not.toBe(first.iceServers[1]!.credential);
    expect(Date.parse(first.expiresAt!) - clock.now()).toBeLessThanOrEqual(600_000);
  });

  it('refuses an administrator, and every call role gets one', () => {
    const turn = new TurnCredentials(TURN, new FakeClock());
    expect(() => turn.iceServersFor({ sub: 'admin-1', role: 'admin' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    for (const role of ['nurse', 'ambulance', 'doctor', 'guest'] as const) {
      expect(turn.iceServersFor({ sub: `${role}-1`, role }).iceServers).toHaveLength(2);
    }
  });

  it('gives an empty list without TURN configured (direct UDP and ICE-TCP still work)', () => {
    const turn = new TurnCredentials({ urls: [], secret: null, ttlSeconds: 3600 }, new FakeClock());
    expect(turn.configured).toBe(false);
    expect(turn.iceServersFor({ sub: 'nurse-1', role: 'nurse' })).toEqual({ iceServers: [], expiresAt: null });
  });
});

describe('LEGEVAKT_TURN_* settings', () => {
  it('reads the URL list, the secret and the TTL (default 1 h)', () => {
    expect(loadTurnConfig({})).toEqual({ urls: [], secret: null, ttlSeconds: 3600 });
    expect(
      loadTurnConfig({
        LEGEVAKT_TURN_URLS:
          ' turn:10.0.0.5:3478?transport=udp, turns:turn.example.no:443?transport=tcp ,turn:[2001:db8::1]:3478',
        LEGEVAKT_TURN_SECRET: 's3cret',
        LEGEVAKT_TURN_TTL_S: '900',
      }),
    ).toEqual({
      urls: ['turn:10.0.0.5:3478?transport=udp', 'turns:turn.example.no:443?transport=tcp', 'turn:[2001:db8::1]:3478'],
      secret: 's3cret',
      ttlSeconds: 900,
    });
  });

  it('refuses a malformed URL, TURN without a secret and an unreasonable TTL, naming the variable', () => {
    expect(() => loadTurnConfig({ LEGEVAKT_TURN_URLS: 'https://turn.example.no', LEGEVAKT_TURN_SECRET: 'x' })).toThrow(
      /LEGEVAKT_TURN_URLS: "https:\/\/turn.example.no"/,
    );
    expect(() =>
      loadTurnConfig({ LEGEVAKT_TURN_URLS: 'turn:host:3478?transport=sctp', LEGEVAKT_TURN_SECRET: 'x' }),
    ).toThrow(/LEGEVAKT_TURN_URLS/);
    expect(() => loadTurnConfig({ LEGEVAKT_TURN_URLS: 'turn:host:3478' })).toThrow(/LEGEVAKT_TURN_SECRET/);
    expect(loadTurnConfig({ LEGEVAKT_TURN_URLS: 'stun:host:3478' }).urls).toEqual(['stun:host:3478']);
    expect(() => loadTurnConfig({ LEGEVAKT_TURN_TTL_S: '10' })).toThrow(/LEGEVAKT_TURN_TTL_S/);
    expect(() => loadTurnConfig({ LEGEVAKT_TURN_TTL_S: 'an hour' })).toThrow(/LEGEVAKT_TURN_TTL_S/);
  });
});

describe('getIceServers over signaling', () => {
  const users = ['sykepleier.sunndal', 'lege.molde', 'admin'] as const;
  const ctx = useLoggedInServer(users, {
    turn: { urls: ['turn:192.0.2.10:3478?transport=tcp'], secret: TURN.secret, ttlSeconds: 600 },
  });

  it('gives a nurse and a doctor their own credential for the configured server; an admin FORBIDDEN', async () => {
    const granted: Record<string, { username?: string | undefined; credential?: string | undefined }> = {};
    for (const user of ['sykepleier.sunndal', 'lege.molde'] as const) {
      const client = await SignalingTestClient.connect(ctx.server().url, ctx.token(user));
      try {
        const before = Math.floor(Date.now() / 1000);
        const { iceServers, expiresAt } = await client.request('getIceServers', {});
        expect(iceServers).toHaveLength(1);
        const server = iceServers[0]!;
        expect(server.urls).toEqual(['turn:192.0.2.10:3478?transport=tcp']);
        const [expiry, userId] = server.username!.split(':');
        expect(userId).toBe(ctx.session(user).user.id);
        expect(Number(expiry) - before).toBeGreaterThanOrEqual(599);
        expect(Number(expiry) - before).toBeLessThanOrEqual(601);
        expect(Date.parse(expiresAt!)).toBe(Number(expiry) * 1000);
        expect(server.credential).toBe(turnRestCredential(TURN.secret, userId!, Number(expiry)).credential);
        granted[user] = server;
      } finally {
        client.socket.close();
      }
    }
    expect(granted['sykepleier.sunndal']!.username).not.toBe(granted['lege.molde']!.username);

    const admin = await SignalingTestClient.connect(ctx.server().url, ctx.token('admin'));
    try {
      expect(await admin.send('getIceServers', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      admin.socket.close();
    }
  });
});
