import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '@legevakt/shared';
import { login } from '../testing/consultFixtures.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const refresh = (refreshToken: string) =>
  httpsJson<LoginResponse>(`${server.url}/api/auth/refresh`, { body: { refreshToken } });
const me = (accessToken: string) => httpsJson(`${server.url}/api/me`, { token: accessToken });

describe('login sessions', () => {
  it('logs in with the right password only, the same answer for unknown users, and logs failures', async () => {
    const wrong = await httpsJson(`${server.url}/api/auth/login`, {
      body: { username: 'lege.molde', password: 'gjett' },
    });
    const unknown = await httpsJson(`${server.url}/api/auth/login`, { body: { username: 'ingen', password: 'gjett' } });
    expect(wrong).toMatchObject({ status: 401, body: { error: { message: 'wrong username or password' } } });
    expect(unknown.body).toEqual(wrong.body);
    expect(server.logs.filter((l) => l['msg'] === 'login failed').length).toBeGreaterThanOrEqual(2);
    const ok = await login(server.url, 'lege.molde');
    expect(ok.user).toMatchObject({
      role: 'doctor',
      placeName: 'Molde LVS',
      workplace: { kind: 'lvs', lvsSiteId: 'molde-lvs' },
    });
    expect(Date.parse(ok.accessExpiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 1000);
  });

  it('rotates the refresh token, and a reused one revokes the whole session', async () => {
    const first = await login(server.url, 'sykepleier.rauma');
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.body.accessToken)).status).toBe(200);

    // The old token again: a copy is in someone else's hands.
    expect((await refresh(first.refreshToken)).status).toBe(401);
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
    expect((await me(second.body.accessToken)).status).toBe(401);
    expect(server.logs.some((l) => l['msg'] === 'refresh token reused; session revoked')).toBe(true);
  });

  it('refuses a disabled account at once, even with a live access token', async () => {
    const session = await login(server.url, 'sykepleier.aukra');
    // Seen alive first, so the session check's short-lived answer is held when the revocation comes.
    expect((await me(session.accessToken)).status).toBe(200);
    await server.sessions.revokeUser(session.user.id);
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });

  it('refuses tokens signed with another algorithm or for another audience', async () => {
    const session = await login(server.url, 'lege.molde');
    const [, payload] = session.accessToken.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect((await me(none)).status).toBe(401);
    const jwt = (await import('jsonwebtoken')).default;
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const secret = server.config.auth.jwtSecret!;
    const otherAudience = jwt.sign({ ...claims, aud: 'someone-else' }, secret, { algorithm: 'HS256' });
    const otherAlgorithm = jwt.sign(claims, secret, { algorithm: 'HS512' });
    expect((await me(otherAudience)).status).toBe(401);
    expect((await me(otherAlgorithm)).status).toBe(401);
  });
});
