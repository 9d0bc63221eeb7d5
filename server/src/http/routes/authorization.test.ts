import { describe, expect, it } from 'vitest';
import type { ConsultView } from '@legevakt/shared';
import { claimConsult, intake, login, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { useLoggedInServer } from '../../testing/loggedInServer.ts';

/**
 * The authorisation matrix: every consult and queue route, for every role, on
 * its own tenant and on a foreign one. A refusal is 403 (or 404 where the
 * route is not for that role at all) and is logged.
 */
const USERS = [
  'sykepleier.sunndal', // nurse, Romsdal — owns the consults below
  'sykepleier.rauma', // nurse, same district, other satellite
  'sykepleier.askvoll', // nurse, other district
  'ambulanse.molde',
  'lege.molde', // doctor, home district
  'lege2.molde',
  'lege.forde', // doctor, other district (same virtual LVS; no overflow yet)
  'admin', // all districts
  'admin.romsdal',
  'admin.sunnfjord',
  'lege.legevakt.molde', // legevakt station doctor (level 2), Romsdal: requests back-up, never the LVS queue
  'lege.legevakt.forde', // station doctor, other district
] as const;
type User = (typeof USERS)[number];

const app = useLoggedInServer(USERS);
const srv = app.server;

const { session, token, call } = app;

async function freshWaiting(): Promise<ConsultView> {
  return requestConsult(srv().url, token('sykepleier.sunndal'));
}

describe('reading a consult', () => {
  it.each<[User, number]>([
    ['sykepleier.sunndal', 200],
    ['sykepleier.rauma', 403],
    ['sykepleier.askvoll', 403],
    ['ambulanse.molde', 403],
    ['lege.molde', 200],
    ['lege.forde', 403],
    ['admin', 200],
    ['admin.romsdal', 200],
    ['admin.sunnfjord', 403],
    ['lege.legevakt.molde', 403],
    ['lege.legevakt.forde', 403],
  ])('GET /api/consults/:id as %s → %i', async (user, status) => {
    const consult = await freshWaiting();
    const before = srv().logs.filter((l) => l['msg'] === 'access denied').length;
    const response = await call(user, 'GET', `/api/consults/${consult.id}`);
    expect(response.status).toBe(status);
    if (status === 403) {
      expect(srv().logs.filter((l) => l['msg'] === 'access denied').length).toBe(before + 1);
      expect(JSON.stringify(response.body)).not.toContain('Astrid');
    } else {
      expect(response.body).toMatchObject({ consult: { id: consult.id, patient: { name: 'Astrid Nordmann' } } });
    }
  });

  it('answers 404 for a consult that does not exist or a malformed id, without telling which', async () => {
    expect((await call('lege.molde', 'GET', '/api/consults/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('lege.molde', 'GET', '/api/consults/not-a-uuid')).status).toBe(404);
  });

  it('refuses every route without a token, and with a token of a logged-out session', async () => {
    const consult = await freshWaiting();
    for (const [method, path] of [
      ['GET', `/api/consults/${consult.id}`],
      ['GET', '/api/consults/mine'],
      ['POST', '/api/consults'],
      ['GET', '/api/queue'],
      ['GET', '/api/me'],
    ] as const) {
      expect((await httpsJson(`${srv().url}${path}`, { method })).status).toBe(401);
    }
    const session = await login(srv().url, 'lege2.molde');
    expect((await httpsJson(`${srv().url}/api/me`, { token: session.accessToken })).status).toBe(200);
    await httpsJson(`${srv().url}/api/auth/logout`, { body: { refreshToken: session.refreshToken } });
    expect((await httpsJson(`${srv().url}/api/me`, { token: session.accessToken })).status).toBe(401);
  });
});

describe('intake', () => {
  it.each<[User, number]>([
    ['sykepleier.sunndal', 201],
    ['ambulanse.molde', 201],
    ['lege.molde', 403],
    ['admin', 403],
    ['lege.legevakt.molde', 201],
  ])('POST /api/consults as %s → %i', async (user, status) => {
    expect((await call(user, 'POST', '/api/consults', intake())).status).toBe(status);
  });

  it('records an ambulance request as such, in the unit’s district', async () => {
    const response = await call('ambulanse.molde', 'POST', '/api/consults', intake({ triage: 'yellow' }));
    expect(response.body).toMatchObject({
      origin: 'ambulance',
      ambulanceUnitId: 'ambulanse-molde',
      districtId: 'romsdal',
    });
  });

  it('refuses an invalid fødselsnummer, a red request without the warning confirmed, and an unknown pathway', async () => {
    const badId = await call(
      'sykepleier.sunndal',
      'POST',
      '/api/consults',
      intake({ patient: { kind: 'known', name: 'X', nationalId: '13097248032' } }),
    );
    expect(badId).toMatchObject({
      status: 400,
      body: { error: { issues: ['patient.nationalId: invalid (control1)'] } },
    });
    const red = await call('sykepleier.sunndal', 'POST', '/api/consults', intake({ triage: 'red' }));
    expect(red.status).toBe(400);
    expect(JSON.stringify(red.body)).toContain('AMK 113');
    const redAck = await call(
      'sykepleier.sunndal',
      'POST',
      '/api/consults',
      intake({ triage: 'red', redAcknowledged: true }),
    );
    expect(redAck.status).toBe(201);
    const pathway = await call('sykepleier.sunndal', 'POST', '/api/consults', intake({ pathwayId: 'astrology' }));
    expect(pathway.status).toBe(400);
  });

  it('accepts an unknown patient with sex and approximate age', async () => {
    const response = await call(
      'sykepleier.sunndal',
      'POST',
      '/api/consults',
      intake({
        patient: { kind: 'unknown', description: 'Mann funnet på kaia', sex: 'male', approximateAgeYears: 70 },
        pathwayId: null,
      }),
    );
    expect(response).toMatchObject({ status: 201, body: { patient: { kind: 'unknown', approximateAgeYears: 70 } } });
  });

  it('shows each place only its own open consults', async () => {
    const mine = await freshWaiting();
    const sunndal = (await call('sykepleier.sunndal', 'GET', '/api/consults/mine')).body as ConsultView[];
    const rauma = (await call('sykepleier.rauma', 'GET', '/api/consults/mine')).body as ConsultView[];
    expect(sunndal.map((c) => c.id)).toContain(mine.id);
    expect(sunndal.every((c) => c.satelliteId === 'sunndal-helsetun')).toBe(true);
    expect(rauma.map((c) => c.id)).not.toContain(mine.id);
  });
});

describe('queue transitions', () => {
  it.each<[User, number]>([
    ['sykepleier.sunndal', 403],
    ['ambulanse.molde', 403],
    ['lege.forde', 403],
    ['admin.romsdal', 403],
    ['lege.molde', 200],
    ['lege.legevakt.molde', 403],
    ['lege.legevakt.forde', 403],
  ])('POST claim as %s → %i', async (user, status) => {
    const consult = await freshWaiting();
    expect((await call(user, 'POST', `/api/consults/${consult.id}/claim`)).status).toBe(status);
  });

  it('lets only the requesting place cancel, and only while waiting', async () => {
    const consult = await freshWaiting();
    expect((await call('sykepleier.rauma', 'POST', `/api/consults/${consult.id}/cancel`)).status).toBe(403);
    expect((await call('lege.molde', 'POST', `/api/consults/${consult.id}/cancel`)).status).toBe(403);
    expect((await call('sykepleier.sunndal', 'POST', `/api/consults/${consult.id}/cancel`)).body).toMatchObject({
      status: 'cancelled',
    });
    const taken = await freshWaiting();
    await claimConsult(srv().url, token('lege.molde'), taken.id);
    expect((await call('sykepleier.sunndal', 'POST', `/api/consults/${taken.id}/cancel`)).status).toBe(409);
  });

  it('lets only the doctor who has it transfer, return or end the call', async () => {
    const consult = await freshWaiting();
    await claimConsult(srv().url, token('lege.molde'), consult.id);
    for (const action of ['return', 'end-call']) {
      expect((await call('lege2.molde', 'POST', `/api/consults/${consult.id}/${action}`)).status).toBe(403);
      expect((await call('sykepleier.sunndal', 'POST', `/api/consults/${consult.id}/${action}`)).status).toBe(403);
    }
    const colleague = session('lege2.molde').user.id;
    expect(
      (await call('lege2.molde', 'POST', `/api/consults/${consult.id}/transfer`, { toDoctorId: colleague })).status,
    ).toBe(403);
    // A nurse is not a transfer target.
    // Nor is a legevakt station doctor: he asks for back-up, he does not take the LVS doctor's consults.
    const stationDoctorId = session('lege.legevakt.molde').user.id;
    expect(
      (await call('lege.molde', 'POST', `/api/consults/${consult.id}/transfer`, { toDoctorId: stationDoctorId }))
        .status,
    ).toBe(400);
    const nurseId = session('sykepleier.sunndal').user.id;
    expect(
      (await call('lege.molde', 'POST', `/api/consults/${consult.id}/transfer`, { toDoctorId: nurseId })).status,
    ).toBe(400);
    const moved = await call('lege.molde', 'POST', `/api/consults/${consult.id}/transfer`, { toDoctorId: colleague });
    expect(moved.body).toMatchObject({ status: 'active', claimedBy: colleague, claimedByName: 'Nina Bolsøy' });
    // Now it is hers: the first doctor has lost it.
    expect((await call('lege.molde', 'POST', `/api/consults/${consult.id}/return`)).status).toBe(403);
    const returned = await call('lege2.molde', 'POST', `/api/consults/${consult.id}/return`);
    expect(returned.body).toMatchObject({ status: 'waiting', claimedBy: null, requestedAt: consult.requestedAt });
    await claimConsult(srv().url, token('lege.molde'), consult.id);
    expect((await call('lege.molde', 'POST', `/api/consults/${consult.id}/end-call`)).body).toMatchObject({
      status: 'documentation',
    });
    const detail = (await call('sykepleier.sunndal', 'GET', `/api/consults/${consult.id}`)).body as {
      timeline: { kind: string }[];
    };
    expect(detail.timeline.map((e) => e.kind)).toEqual([
      'requested',
      'claimed',
      'transferred',
      'returned',
      'claimed',
      'call_ended',
    ]);
  });

  it('gives a request claimed by two doctors at once to exactly one of them', async () => {
    const consult = await freshWaiting();
    const results = await Promise.all([
      call('lege.molde', 'POST', `/api/consults/${consult.id}/claim`),
      call('lege2.molde', 'POST', `/api/consults/${consult.id}/claim`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(JSON.stringify(loser.body)).toMatch(/already taken by (Lars Hjelset|Nina Bolsøy)/);
  });
});

describe('queue, SLA and colleagues', () => {
  it.each<[User, number]>([
    ['lege.molde', 200],
    ['sykepleier.sunndal', 403],
    ['ambulanse.molde', 403],
    ['admin', 403],
    ['lege.legevakt.molde', 403],
  ])('GET /api/queue as %s → %i', async (user, status) => {
    expect((await call(user, 'GET', '/api/queue')).status).toBe(status);
  });

  it('shows a doctor only the district’s requests', async () => {
    const romsdal = await freshWaiting();
    const molde = (await call('lege.molde', 'GET', '/api/queue')).body as { entries: { id: string }[] };
    const forde = (await call('lege.forde', 'GET', '/api/queue')).body as { entries: { id: string }[] };
    expect(molde.entries.map((e) => e.id)).toContain(romsdal.id);
    expect(forde.entries.map((e) => e.id)).not.toContain(romsdal.id);
  });

  it.each<[User, string, number]>([
    ['lege.molde', '', 200],
    ['lege.molde', '&site=forde-lvs', 403],
    ['admin', '&site=forde-lvs', 200],
    ['admin.romsdal', '&site=molde-lvs', 200],
    ['admin.romsdal', '&site=forde-lvs', 403],
    ['sykepleier.sunndal', '', 403],
    ['lege.legevakt.molde', '', 403],
  ])('GET /api/sla as %s%s → %i', async (user, site, status) => {
    const now = Date.now();
    expect((await call(user, 'GET', `/api/sla?from=${now - 3600_000}&to=${now}${site}`)).status).toBe(status);
  });

  it('lists transfer targets of the district and its virtual LVS, not other roles', async () => {
    const response = await call('lege.molde', 'GET', '/api/colleagues');
    const names = (response.body as { displayName: string }[]).map((c) => c.displayName).sort();
    expect(names).toEqual(['Hilde Solheim', 'Nina Bolsøy', 'Ola Naustdal']);
    expect((await call('sykepleier.sunndal', 'GET', '/api/colleagues')).status).toBe(403);
    expect((await call('lege.legevakt.molde', 'GET', '/api/colleagues')).status).toBe(403);
  });
});

describe('invites (server/src/invites/)', () => {
  async function activeInvite(): Promise<{ consultId: string; inviteId: string }> {
    const consult = await freshWaiting();
    await claimConsult(srv().url, token('lege.molde'), consult.id);
    const created = await call<{ invite: { id: string } }>(
      'lege.molde',
      'POST',
      `/api/consults/${consult.id}/invites`,
      {
        displayName: 'Kardiolog vakt',
      },
    );
    expect(created.status).toBe(201);
    return { consultId: consult.id, inviteId: created.body.invite.id };
  }

  it.each<[User, number]>([
    ['sykepleier.sunndal', 403],
    ['sykepleier.askvoll', 403],
    ['ambulanse.molde', 403],
    ['lege.molde', 201],
    ['lege2.molde', 403],
    ['lege.forde', 403],
    ['admin', 403],
    ['admin.romsdal', 403],
    ['lege.legevakt.molde', 403],
  ])('POST /api/consults/:id/invites as %s → %i', async (user, status) => {
    const { consultId } = await activeInvite();
    expect((await call(user, 'POST', `/api/consults/${consultId}/invites`, { displayName: 'X' })).status).toBe(status);
  });

  it.each<[User, number]>([
    ['sykepleier.sunndal', 403],
    ['lege2.molde', 403],
    ['lege.forde', 403],
    ['admin', 403],
    ['lege.molde', 200],
    ['lege.legevakt.molde', 403],
  ])('GET and DELETE /api/consults/:id/invites[/:inviteId] as %s → %i', async (user, status) => {
    const { consultId, inviteId } = await activeInvite();
    expect((await call(user, 'GET', `/api/consults/${consultId}/invites`)).status).toBe(status);
    expect((await call(user, 'DELETE', `/api/consults/${consultId}/invites/${inviteId}`)).status).toBe(status);
  });

  it('refuses the invite routes without a token; the link endpoints need none but reveal no patient', async () => {
    const { consultId } = await activeInvite();
    expect((await httpsJson(`${srv().url}/api/consults/${consultId}/invites`)).status).toBe(401);
    expect((await httpsJson(`${srv().url}/api/guest/consult`)).status).toBe(401);
    const unknown = await httpsJson(`${srv().url}/api/invites/redeem`, {
      method: 'POST',
      body: { token: 'AAAAAAAAAAAAAAAAAAAAAA', pin: '123456' },
    });
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).not.toContain('Astrid');
  });
});

describe('photos', () => {
  /** An active consult of Sunndal taken by lege.molde. */
  async function activeForPhotos(): Promise<string> {
    const consult = await freshWaiting();
    await claimConsult(srv().url, token('lege.molde'), consult.id);
    return consult.id;
  }

  // Taken by the requesting side only; a JSON body is refused as not an image (400) after the access decision.
  it.each<[User, number]>([
    ['sykepleier.sunndal', 400],
    ['sykepleier.rauma', 403],
    ['sykepleier.askvoll', 403],
    ['ambulanse.molde', 403],
    ['lege.molde', 403],
    ['lege2.molde', 403],
    ['lege.forde', 403],
    ['admin', 403],
    ['admin.romsdal', 403],
    ['admin.sunnfjord', 403],
    ['lege.legevakt.molde', 403],
    ['lege.legevakt.forde', 403],
  ])('POST /api/consults/:id/photos as %s → %i', async (user, status) => {
    const consultId = await activeForPhotos();
    expect((await call(user, 'POST', `/api/consults/${consultId}/photos`, { image: 'x' })).status).toBe(status);
  });

  // Read like the record: its participants, the district's doctors and admins.
  it.each<[User, number]>([
    ['sykepleier.sunndal', 200],
    ['sykepleier.rauma', 403],
    ['sykepleier.askvoll', 403],
    ['ambulanse.molde', 403],
    ['lege.molde', 200],
    ['lege2.molde', 200],
    ['lege.forde', 403],
    ['admin', 200],
    ['admin.romsdal', 200],
    ['admin.sunnfjord', 403],
    ['lege.legevakt.molde', 403],
    ['lege.legevakt.forde', 403],
  ])('GET /api/consults/:id/photos as %s → %i', async (user, status) => {
    const consultId = await activeForPhotos();
    expect((await call(user, 'GET', `/api/consults/${consultId}/photos`)).status).toBe(status);
  });
});
