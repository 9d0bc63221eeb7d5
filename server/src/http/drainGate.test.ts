import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainGate, refusedWhileDraining } from './drainGate.ts';

describe('the drain gate (SIGTERM: no new consult work)', () => {
  let draining = false;
  let reached: string[] = [];
  let server: http.Server;
  let base = '';

  beforeAll(async () => {
    const app: http.RequestListener = (req, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    };
    server = http.createServer(drainGate(app, () => draining, pino({ level: 'silent' })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (method: string, path: string) => fetch(`${base}${path}`, { method });

  it('lets everything through while the server runs', async () => {
    draining = false;
    reached = [];
    expect((await send('POST', '/api/consults')).status).toBe(200);
    expect((await send('POST', '/api/consults/c1/claim')).status).toBe(200);
    expect(reached).toEqual(['POST /api/consults', 'POST /api/consults/c1/claim']);
  });

  it('refuses a new request and a claim with 503, Retry-After and a plain message; work in progress goes on', async () => {
    draining = true;
    reached = [];
    for (const path of ['/api/consults', '/api/consults/', '/api/consults?x=1', '/api/consults/c1/claim']) {
      const res = await send('POST', path);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAVAILABLE');
      expect(body.error.message).toMatch(/restarting/);
    }
    // Reading the queue, signing a note, ending a call: answered as long as the server answers.
    for (const [method, path] of [
      ['GET', '/api/consults'],
      ['POST', '/api/consults/c1/note'],
      ['POST', '/api/consults/c1/end-call'],
      ['POST', '/api/consults/c1/claimx'],
    ] as const) {
      expect((await send(method, path)).status, `${method} ${path}`).toBe(200);
    }
    expect(reached).toHaveLength(4);
  });

  it('matches only the two routes that start new work', () => {
    expect(refusedWhileDraining('POST', '/api/consults')).toBe(true);
    expect(refusedWhileDraining('GET', '/api/consults/c1/claim')).toBe(false);
    expect(refusedWhileDraining('POST', '/api/consults/c1/claim/extra')).toBe(false);
    expect(refusedWhileDraining(undefined, undefined)).toBe(false);
  });
});
