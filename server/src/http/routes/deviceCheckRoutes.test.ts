import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.ts';
import { useLoggedInServer } from '../../testing/loggedInServer.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { deviceCheckRoutes, MAX_TRANSFER_BYTES } from './deviceCheckRoutes.ts';

describe('the device check endpoints on the real server', () => {
  const app = useLoggedInServer(['sykepleier.sunndal'] as const);

  it('answers a ping, and refuses anyone not logged in', async () => {
    const ping = await app.call<{ at: number }>('sykepleier.sunndal', 'GET', '/api/device-check/ping');
    expect(ping.status).toBe(200);
    expect(ping.headers['cache-control']).toBe('no-store');
    expect(Math.abs(ping.body.at - Date.now())).toBeLessThan(5_000);
    const anonymous = await httpsJson(`${app.server().url}/api/device-check/ping`);
    expect(anonymous.status).toBe(401);
  });

  it('sends the bytes asked for and counts an upload', async () => {
    const down = await app.call<string>('sykepleier.sunndal', 'GET', '/api/device-check/download?bytes=20000');
    expect(down.status).toBe(200);
    expect(down.headers['content-length']).toBe('20000');
    const up = await httpsJson<{ bytes: number; ms: number }>(`${app.server().url}/api/device-check/upload`, {
      token: app.token('sykepleier.sunndal'),
      rawBody: 'x'.repeat(30_000),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(up.status).toBe(200);
    expect(up.body.bytes).toBe(30_000);
    expect(up.body.ms).toBeGreaterThanOrEqual(0);
  });

  it('refuses a JSON upload at once (the app has already read its body; found by the REST fuzzer as a hang)', async () => {
    const res = await httpsJson<{ error: { code: string; message: string } }>(
      `${app.server().url}/api/device-check/upload`,
      {
        token: app.token('sykepleier.sunndal'),
        rawBody: '[[[]]]',
        headers: { 'Content-Type': 'application/json' },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/application\/octet-stream/);
  });

  it('refuses sizes out of range with a clear error', async () => {
    for (const bytes of ['0', '-5', 'lots', '1.5', String(MAX_TRANSFER_BYTES + 1)]) {
      const res = await app.call<{ error: { code: string; message: string } }>(
        'sykepleier.sunndal',
        'GET',
        `/api/device-check/download?bytes=${bytes}`,
      );
      expect(res.status, bytes).toBe(400);
      expect(res.body.error.message).toMatch(/whole number/);
    }
  });
});

/** The router alone, behind a stand-in for requireUser, on plain HTTP, with a clock the test steps. */
describe('the device check budget', () => {
  let server: http.Server;
  let base = '';
  let clock = 0;
  beforeAll(async () => {
    const app = express();
    app.use((_req, res, next) => {
      res.locals['user'] = { sub: 'u1' };
      next();
    });
    app.use(
      '/dc',
      deviceCheckRoutes(
        createLogger('silent'),
        { bytesPerUser: { burst: 100_000, perSecond: 1_000 }, requestsPerUser: { burst: 5, perSecond: 1 } },
        () => clock,
      ),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dc`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: await res.arrayBuffer() };
  };
  const post = async (size: number) => {
    const res = await fetch(`${base}/upload`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(size),
    });
    return { status: res.status, text: await res.text() };
  };

  it('lets a check through, then refuses more bytes until the budget refills', async () => {
    expect((await get('/download?bytes=60000')).status).toBe(200);
    expect((await post(30_000)).status).toBe(200);
    // 10 000 bytes left: 20 000 more is over budget.
    const refused = await get('/download?bytes=20000');
    expect(refused.status).toBe(429);
    expect((await post(20_000)).status).toBe(429);
    clock += 10_000; // 10 s at 1 000 B/s: 20 000 left.
    expect((await get('/download?bytes=20000')).status).toBe(200);
  });

  it('limits the number of pings too', async () => {
    clock += 60_000;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await get('/ping')).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
  });

  it('refuses an upload without a usable length', async () => {
    clock += 60_000;
    const res = await post(MAX_TRANSFER_BYTES + 1);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/at most/);
  });
});
