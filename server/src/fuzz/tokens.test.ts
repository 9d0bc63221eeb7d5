import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '@legevakt/shared';
import { login } from '../testing/consultFixtures.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

/**
 * Forged and broken access tokens, over both ways a token is presented: the
 * Authorization header of the REST API and the subprotocol of the signaling
 * socket's upgrade. Cases already covered elsewhere are left out per transport
 * (sessions.test.ts: none, HS512 and wrong audience over HTTP; signaling.test.ts:
 * no token, tampered and expired over the socket). Tokens are built by hand
 * here so every header and claim is under the test's control, and each case
 * is checked against a live session (a real `sid`), so only the token's own
 * flaw can be why it is refused.
 */

let server: TestServer;
let session: LoginResponse;
let claims: Record<string, unknown>;
let secret: string;

beforeAll(async () => {
  server = await startTestServer();
  session = await login(server.url, 'lege.molde');
  claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  secret = server.config.auth.jwtSecret!;
});
afterAll(async () => {
  await server.close();
});

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function hmac(algorithm: 'sha256' | 'sha512', key: string | Buffer, data: string): string {
  return crypto.createHmac(algorithm, key).update(data).digest('base64url');
}

/** A token signed HS256 with the server's own secret: valid unless the payload or header says otherwise. */
function signed(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${hmac('sha256', secret, body)}`;
}

const now = (): number => Math.floor(Date.now() / 1000);
const without = (key: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(claims).filter(([k]) => k !== key));

type Transport = 'http' | 'socket';
interface Case {
  name: string;
  token: () => string;
  over: Transport[];
}

const CASES: Case[] = [
  {
    name: 'expired',
    token: () => signed({ ...claims, iat: now() - 7200, exp: now() - 3600 }),
    over: ['http'],
  },
  {
    name: 'signature tampered (claims changed, old signature kept)',
    token: () => {
      const [header, , signature] = session.accessToken.split('.');
      return `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
    },
    over: ['http'],
  },
  {
    name: 'signature of another secret',
    token: () => {
      const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
      return `${body}.${hmac('sha256', 'another-secret-that-is-long-enough-to-pass!!', body)}`;
    },
    over: ['http', 'socket'],
  },
  {
    name: 'alg none, no signature',
    token: () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    over: ['socket'],
  },
  {
    name: 'alg HS512 with the right secret',
    token: () => {
      const body = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims)}`;
      return `${body}.${hmac('sha512', secret, body)}`;
    },
    over: ['socket'],
  },
  {
    name: 'alg RS256 signed with an RSA key of the attacker',
    token: () => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
      return `${body}.${crypto.sign('sha256', Buffer.from(body), privateKey).toString('base64url')}`;
    },
    over: ['http', 'socket'],
  },
  {
    name: 'alg RS256 with the secret used as the key (algorithm confusion)',
    token: () => {
      const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
      return `${body}.${hmac('sha256', secret, body)}`;
    },
    over: ['http', 'socket'],
  },
  { name: 'wrong audience', token: () => signed({ ...claims, aud: 'someone-else' }), over: ['socket'] },
  { name: 'wrong issuer', token: () => signed({ ...claims, iss: 'evil-issuer' }), over: ['http', 'socket'] },
  { name: 'no issuer', token: () => signed(without('iss')), over: ['http', 'socket'] },
  { name: 'no audience', token: () => signed(without('aud')), over: ['http', 'socket'] },
  { name: 'no subject', token: () => signed(without('sub')), over: ['http', 'socket'] },
  { name: 'no session id', token: () => signed(without('sid')), over: ['http', 'socket'] },
  { name: 'no role', token: () => signed(without('role')), over: ['http', 'socket'] },
  { name: 'unknown role', token: () => signed({ ...claims, role: 'superuser' }), over: ['http', 'socket'] },
  { name: 'no expiry', token: () => signed(without('exp')), over: ['http', 'socket'] },
  {
    name: 'expiry years ahead (issued by someone holding the secret, or a bug)',
    token: () => signed({ ...claims, exp: now() + 10 * 365 * 86400 }),
    over: ['http', 'socket'],
  },
  {
    name: 'not valid yet (nbf in the future)',
    token: () => signed({ ...claims, nbf: now() + 3600 }),
    over: ['http', 'socket'],
  },
  {
    name: 'session id of no session',
    token: () => signed({ ...claims, sid: 'no-such-session' }),
    over: ['http', 'socket'],
  },
  { name: 'not a JWT at all', token: () => 'not.a.jwt', over: ['http', 'socket'] },
  {
    name: 'payload not JSON',
    token: () => signed({}).replace(/^([^.]+)\.[^.]+/, '$1.bm90IGpzb24'),
    over: ['http', 'socket'],
  },
  { name: 'header not JSON', token: () => `bm90IGpzb24.${b64(claims)}.x`, over: ['http', 'socket'] },
];

describe('forged and broken access tokens are refused', () => {
  it('accepts the untouched token and a re-signed copy of its claims over both transports (the control case)', async () => {
    for (const token of [session.accessToken, signed(claims)]) {
      expect((await httpsJson(`${server.url}/api/me`, { token })).status).toBe(200);
      const socket = await SignalingTestClient.connect(server.url, token);
      await socket.close();
    }
  });

  for (const c of CASES.filter((x) => x.over.includes('http'))) {
    it(`HTTP: ${c.name}`, async () => {
      const response = await httpsJson<{ error: { code: string; message: string } }>(`${server.url}/api/me`, {
        token: c.token(),
      });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
      expect(response.headers['content-security-policy']).toBeDefined();
    });
  }

  for (const c of CASES.filter((x) => x.over.includes('socket'))) {
    it(`signaling upgrade: ${c.name}`, async () => {
      const before = server.logs.filter((l) => l['msg'] === 'signaling socket refused').length;
      await expect(SignalingTestClient.connect(server.url, c.token())).rejects.toThrow('HTTP 401');
      expect(server.logs.filter((l) => l['msg'] === 'signaling socket refused').length).toBe(before + 1);
    });
  }
});
