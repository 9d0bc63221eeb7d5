import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsultView, QueueSnapshot } from '@legevakt/shared';
import { intake, login } from '../testing/consultFixtures.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ambulance = {
  location: { lat: 62.7372, lon: 7.1607, accuracyM: 25, text: 'Fv. 64 ved Årø' },
  urgency: 'acute' as const,
  ecg12Lead: true,
};

async function post(username: string, body: unknown) {
  const { accessToken } = await login(server.url, username);
  return httpsJson<ConsultView & { error?: { code: string; issues?: string[] } }>(`${server.url}/api/consults`, {
    token: accessToken,
    body,
  });
}

describe('an ambulance request with location, urgency and the 12-lead', () => {
  it('is stored and shown to the participants and in the doctor’s queue', async () => {
    const response = await post('ambulanse.molde', intake({ pathwayId: null, ambulance }));
    expect(response.status).toBe(201);
    expect(response.body.origin).toBe('ambulance');
    expect(response.body.ambulance).toEqual(ambulance);
    const { accessToken } = await login(server.url, 'lege.molde');
    const queue = await httpsJson<QueueSnapshot>(`${server.url}/api/queue`, { token: accessToken, method: 'GET' });
    expect(queue.status).toBe(200);
    expect(queue.body.entries.find((e) => e.id === response.body.id)?.ambulance).toEqual(ambulance);
  });

  it('may carry only a description when the device has no position', async () => {
    const noFix = { ...ambulance, location: { lat: null, lon: null, accuracyM: null, text: 'Skaret, E39' } };
    const response = await post('ambulanse.molde', intake({ pathwayId: null, ambulance: noFix }));
    expect(response.status).toBe(201);
    expect(response.body.ambulance?.location.text).toBe('Skaret, E39');
  });

  it('refuses a request with neither a position nor a description, half a position, or from a satellite', async () => {
    const nowhere = await post('ambulanse.molde', {
      ...intake({ pathwayId: null }),
      ambulance: { ...ambulance, location: { lat: null, lon: null, accuracyM: null, text: '' } },
    });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.error?.issues?.join(' ')).toMatch(/give a position or describe the place/);
    const half = await post('ambulanse.molde', {
      ...intake({ pathwayId: null }),
      ambulance: { ...ambulance, location: { lat: 62.7, lon: null, accuracyM: null, text: 'x' } },
    });
    expect(half.status).toBe(400);
    const satellite = await post('sykepleier.sunndal', intake({ ambulance }));
    expect(satellite.status).toBe(400);
    expect(satellite.body.error?.issues?.join(' ')).toMatch(/ambulance crew/);
    expect(server.logs.some((l) => l['msg'] === 'invalid intake' || JSON.stringify(l).includes('invalid intake'))).toBe(
      true,
    );
  });
});
