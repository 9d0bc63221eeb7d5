import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNALING_PATH } from '@legevakt/shared';
import { destroyAgents, rawHttps, type RawResponse } from '../fuzz/rawHttps.ts';
import { DEFAULT_RATE_LIMITS } from '../limits/limitsConfig.ts';
import { login } from '../testing/consultFixtures.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

/**
 * The browser-facing headers (CSP, HSTS, nosniff, frame and referrer policy)
 * on every kind of response the web app gives: the SPA shell and its client
 * routes, static assets, JSON, and every error path (401, 404, 400 from the
 * body parser, 413, 429). A stand-in client build (an index.html and one
 * asset) is served, so this runs without building the client.
 */
let server: TestServer;
let accessToken: string;
beforeAll(async () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-dist-'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Legevakt</title><div id="root"></div>');
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1);');
  server = await startTestServer({
    clientDistDir: dist,
    limits: { ...DEFAULT_RATE_LIMITS, anonymousPerAddress: { burst: 2, perSecond: 0.001 } },
  });
  ({ accessToken } = await login(server.url, 'lege.molde'));
});
afterAll(async () => {
  destroyAgents();
  await server.close();
});

function expectBrowserHeaders(response: RawResponse): void {
  const csp = String(response.headers['content-security-policy']);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).not.toContain('unsafe-eval');
  expect(response.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['permissions-policy']).toBeDefined();
  expect(response.headers['x-powered-by']).toBeUndefined();
}

describe('security headers', () => {
  const json = { 'Content-Type': 'application/json' };
  const cases: [string, () => Promise<RawResponse>, number][] = [
    ['the SPA shell', () => rawHttps(server.url, { method: 'GET', path: '/' }), 200],
    ['a client route (shell)', () => rawHttps(server.url, { method: 'GET', path: '/doctor/queue' }), 200],
    ['a static asset', () => rawHttps(server.url, { method: 'GET', path: '/assets/app.js' }), 200],
    ['HEAD of the shell', () => rawHttps(server.url, { method: 'HEAD', path: '/' }), 200],
    ['JSON', () => rawHttps(server.url, { method: 'GET', path: '/api/health' }), 200],
    ['401 without a token', () => rawHttps(server.url, { method: 'GET', path: '/api/me' }), 401],
    [
      '401 with a broken token',
      () => rawHttps(server.url, { method: 'GET', path: '/api/me', headers: { Authorization: 'Bearer x.y.z' } }),
      401,
    ],
    [
      '404 of the API',
      () =>
        rawHttps(server.url, {
          method: 'GET',
          path: '/api/no-such-thing',
          headers: { Authorization: `Bearer ${accessToken}` },
        }),
      404,
    ],
    [
      '400 from the body parser',
      () => rawHttps(server.url, { method: 'POST', path: '/api/auth/refresh', headers: json, body: '{not json' }),
      400,
    ],
    [
      '413 for a body over the limit',
      () =>
        rawHttps(server.url, {
          method: 'POST',
          path: '/api/auth/refresh',
          headers: json,
          body: JSON.stringify({ refreshToken: 'x'.repeat(64 * 1024) }),
        }),
      413,
    ],
    [
      '429 when rate limited',
      async () => {
        const attempt = () =>
          rawHttps(server.url, {
            method: 'POST',
            path: '/api/auth/logout',
            localAddress: '127.0.0.77',
            headers: json,
            body: '{"refreshToken":"x"}',
          });
        await attempt();
        await attempt();
        return attempt();
      },
      429,
    ],
  ];

  for (const [name, send, status] of cases) {
    it(`on ${name} (${status})`, async () => {
      const response = await send();
      expect(response.status).toBe(status);
      expectBrowserHeaders(response);
      if (status >= 400) expect(typeof (response.json as { error?: { code?: unknown } }).error?.code).toBe('string');
    });
  }

  it('on a refused signaling upgrade (written outside express): HSTS and nosniff', async () => {
    const response = await rawHttps(server.url, {
      method: 'GET',
      path: SIGNALING_PATH,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        'Sec-WebSocket-Protocol': 'legevakt-signaling, bearer.not-a-token',
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});
