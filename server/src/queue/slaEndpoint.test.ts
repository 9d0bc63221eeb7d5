import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse, SlaSummary } from '@legevakt/shared';
import { claimConsult, login, requestConsult } from '../testing/consultFixtures.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

let server: TestServer;
const clock = new FakeClock(Date.now());
let nurse: LoginResponse;
let doctor: LoginResponse;

beforeAll(async () => {
  server = await startTestServer({ queue: { overflowAfterMs: 3600_000 } }, { clock });
  nurse = await login(server.url, 'sykepleier.rauma');
  doctor = await login(server.url, 'lege.molde');
});
afterAll(async () => {
  await server.close();
});

describe('the SLA endpoint', () => {
  it('counts answered within two minutes over the requests whose outcome is known', async () => {
    const from = clock.now();
    const quick = await requestConsult(server.url, nurse.accessToken);
    await clock.advance(60_000);
    await claimConsult(server.url, doctor.accessToken, quick.id); // 60 s: within

    const slow = await requestConsult(server.url, nurse.accessToken);
    await clock.advance(150_000);
    await claimConsult(server.url, doctor.accessToken, slow.id); // 150 s: too late

    const withdrawn = await requestConsult(server.url, nurse.accessToken);
    await clock.advance(30_000);
    await httpsJson(`${server.url}/api/consults/${withdrawn.id}/cancel`, { method: 'POST', token: nurse.accessToken });

    await requestConsult(server.url, nurse.accessToken); // still waiting, 10 s: outcome unknown
    await clock.advance(10_000);

    const response = await httpsJson<SlaSummary>(`${server.url}/api/sla?from=${from}&to=${clock.now()}`, {
      token: doctor.accessToken,
    });
    expect(response.body.total).toMatchObject({
      requested: 4,
      answered: 2,
      answeredWithinTarget: 1,
      share: 0.5,
      targetMet: false,
      medianAnswerMs: 105_000,
    });

    // Two more minutes: the waiting request is now a miss too.
    await clock.advance(120_000);
    const later = await httpsJson<SlaSummary>(`${server.url}/api/sla?from=${from}&to=${clock.now()}`, {
      token: doctor.accessToken,
    });
    expect(later.body.total.share).toBeCloseTo(1 / 3);
    // Broken down by site and local day/hour too.
    expect(later.body.sites.map((s) => s.siteId)).toEqual(['molde-lvs']);
    expect(later.body.days.reduce((n, d) => n + d.requested, 0)).toBe(4);
    expect(later.body.hours.reduce((n, h) => n + h.answered, 0)).toBe(2);
  });

  it('refuses a malformed range', async () => {
    expect((await httpsJson(`${server.url}/api/sla?from=abc&to=1`, { token: doctor.accessToken })).status).toBe(400);
    expect((await httpsJson(`${server.url}/api/sla?from=10&to=5`, { token: doctor.accessToken })).status).toBe(400);
  });
});
