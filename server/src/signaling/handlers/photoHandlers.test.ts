import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsultChange, ConsultView } from '@legevakt/shared';
import { claimConsult, login, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { SignalingTestClient } from '../../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../../testing/testServer.ts';

/**
 * The doctor asks for a photo (signaling requestPhoto); the nurse side hears
 * 'photo-requested'; her upload reaches the doctor live as 'photo'.
 */
let server: TestServer;
const clients: SignalingTestClient[] = [];
const tokens = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer();
  for (const user of ['sykepleier.sunndal', 'lege.molde', 'lege2.molde']) {
    tokens.set(user, (await login(server.url, user)).accessToken);
  }
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

const token = (user: string): string => tokens.get(user)!;

async function socketAs(user: string): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.connect(server.url, token(user));
  clients.push(client);
  return client;
}

async function activeConsult(): Promise<ConsultView> {
  const consult = await requestConsult(server.url, token('sykepleier.sunndal'));
  return claimConsult(server.url, token('lege.molde'), consult.id);
}

/** Waits for a consultChanged of this consult with this change (others are skipped). */
async function changeOf(client: SignalingTestClient, consultId: string, change: ConsultChange): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = await client.waitForNotification('consultChanged', Math.max(1, deadline - Date.now()));
    const data = frame.data as { consult: ConsultView; change: ConsultChange };
    if (data.consult.id === consultId && data.change === change) return;
  }
}

async function accessEntries(consultId: string) {
  await server.access.settled();
  const rows = await server.storage.accessLog.forConsult(consultId);
  return rows.filter((r) => r.action === 'consult.transition').map((r) => [r.userName, r.outcome]);
}

describe('asking for a photo', () => {
  it('tells the nurse side, and the nurse’s photo reaches the doctor live', async () => {
    const nurse = await socketAs('sykepleier.sunndal');
    const doctor = await socketAs('lege.molde');
    const consult = await activeConsult();
    const before = (await accessEntries(consult.id)).length;

    const asked = changeOf(nurse, consult.id, 'photo-requested');
    expect(await doctor.request('requestPhoto', { consultId: consult.id })).toEqual({});
    await asked;
    const entries = await accessEntries(consult.id);
    // One entry for the request, the doctor's, allowed.
    expect(entries.slice(before).map(([, outcome]) => outcome)).toEqual(['allowed']);

    const arrived = changeOf(doctor, consult.id, 'photo');
    const jpeg = fs.readFileSync(
      path.join(import.meta.dirname, '..', '..', 'photos', 'testdata', 'baseline-64x48.jpg'),
    );
    const status = await new Promise<number>((resolve, reject) => {
      const request = https.request(
        `${server.url}/api/consults/${consult.id}/photos`,
        {
          method: 'POST',
          rejectUnauthorized: false,
          headers: {
            Authorization: `Bearer ${token('sykepleier.sunndal')}`,
            'Content-Type': 'image/jpeg',
            'Content-Length': String(jpeg.length),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(jpeg);
    });
    expect(status).toBe(201);
    await arrived;
  });

  it('is only for the consult’s doctor, during the call; each refusal has its denied entry', async () => {
    const consult = await activeConsult();
    const other = await socketAs('lege2.molde');
    const nurse = await socketAs('sykepleier.sunndal');
    const refused = await other.send('requestPhoto', { consultId: consult.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const byNurse = await nurse.send('requestPhoto', { consultId: consult.id });
    expect(byNurse).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await accessEntries(consult.id)).filter(([, outcome]) => outcome === 'denied')).toHaveLength(2);

    const doctor = await socketAs('lege.molde');
    expect(
      (
        await httpsJson(`${server.url}/api/consults/${consult.id}/end-call`, {
          method: 'POST',
          token: token('lege.molde'),
        })
      ).status,
    ).toBe(200);
    const after = await doctor.send('requestPhoto', { consultId: consult.id });
    expect(after).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const bad = await doctor.send('requestPhoto', { consultId: 'not-a-uuid' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
