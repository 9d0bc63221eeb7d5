import type { ConsultView, QueueSnapshot } from '@legevakt/shared';
import { describe, expect, it } from 'vitest';
import { claimConsult, intake, requestConsult } from '../testing/consultFixtures.ts';
import { useLoggedInServer } from '../testing/loggedInServer.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';

/**
 * Back-up from a legevakt station (level 2): the station's on-duty doctor asks
 * the district's LVS doctor through the same queue, is the requesting side of
 * that consult, and is no LVS doctor anywhere else.
 */
const USERS = [
  'lege.legevakt.molde',
  'lege.legevakt.forde',
  'sykepleier.sunndal',
  'lege.molde',
  'lege2.molde',
  'lege.forde',
] as const;

const app = useLoggedInServer(USERS);
const srv = app.server;
const { token, call } = app;

async function join(username: (typeof USERS)[number], consultId: string) {
  const client = await SignalingTestClient.connect(srv().url, token(username));
  const { routerRtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
  const frame = await client.send('join', { consultId, rtpCapabilities: routerRtpCapabilities });
  return { client, frame };
}

describe('a legevakt station doctor asks the LVS doctor for back-up', () => {
  it('lands flagged in the district queue, is claimed by an LVS doctor, and both sides may join the call', async () => {
    const request = await requestConsult(srv().url, token('lege.legevakt.molde'), intake({ triage: 'yellow' }));
    expect(request).toMatchObject({
      origin: 'station',
      stationId: 'molde-legevakt',
      satelliteId: null,
      status: 'waiting',
    });
    expect(request).toMatchObject({ queuePosition: 1, placeName: 'Molde legevakt' });

    // The district's LVS doctors see it, named after the station and flagged by its origin; the other district does not.
    const queue = await call<QueueSnapshot>('lege.molde', 'GET', '/api/queue');
    expect(queue.body.entries.find((e) => e.id === request.id)).toMatchObject({
      origin: 'station',
      placeName: 'Molde legevakt',
      districtName: 'Romsdal legevaktdistrikt',
    });
    const forde = await call<QueueSnapshot>('lege.forde', 'GET', '/api/queue');
    expect(forde.body.entries.map((e) => e.id)).not.toContain(request.id);

    // The station doctor waits in the room while it waits (the requesting side), and follows it at /mine.
    const station = await join('lege.legevakt.molde', request.id);
    expect(station.frame).toMatchObject({ ok: true, data: { self: { role: 'station_doctor' } } });
    const mine = await call<ConsultView[] | { consults: ConsultView[] }>(
      'lege.legevakt.molde',
      'GET',
      '/api/consults/mine',
    );
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.body)).toContain(request.id);

    // Claimed like any other: the station doctor is told, the LVS doctor joins.
    const claimed = await claimConsult(srv().url, token('lege.molde'), request.id);
    expect(claimed.status).toBe('active');
    const changed = await station.client.waitForNotification('consultChanged').catch(() => null);
    // The change may have been pushed before the wait started; either way the consult reads active.
    if (changed) expect((changed.data as { consult: ConsultView }).consult.id).toBe(request.id);
    const doctor = await join('lege.molde', request.id);
    expect(doctor.frame).toMatchObject({ ok: true, data: { self: { role: 'doctor' } } });

    // Nobody else: not the other LVS doctor, not the other station's doctor, not a satellite nurse.
    for (const outsider of ['lege2.molde', 'lege.legevakt.forde', 'sykepleier.sunndal'] as const) {
      const { client, frame } = await join(outsider, request.id);
      expect([outsider, frame]).toMatchObject([outsider, { ok: false, error: { code: 'FORBIDDEN' } }]);
      await client.close();
    }

    // The record names the station and the station doctor as the requester; he reads it like a nurse would.
    const record = await call<{ placeName: string; participants: { role: string; workplaceName: string }[] }>(
      'lege.legevakt.molde',
      'GET',
      `/api/consults/${request.id}/record`,
    );
    expect(record.status).toBe(200);
    expect(record.body.placeName).toBe('Molde legevakt');
    expect(record.body.participants[0]).toMatchObject({ role: 'station_doctor', workplaceName: 'Molde legevakt' });
    expect((await call('lege.legevakt.forde', 'GET', `/api/consults/${request.id}/record`)).status).toBe(403);

    // The FHIR export for the station's journal names the station as the requesting organisation.
    const fhir = await call<{
      entry: { resource: { resourceType: string; name?: string; type?: { text?: string }[] } }[];
    }>('lege.legevakt.molde', 'GET', `/api/consults/${request.id}/export.fhir.json`);
    expect(fhir.status).toBe(200);
    const organisations = fhir.body.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Organization');
    expect(organisations).toContainEqual(
      expect.objectContaining({ name: 'Molde legevakt', type: [{ text: 'Legevaktstasjon' }] }),
    );

    await station.client.close();
    await doctor.client.close();
  });

  it('is no LVS doctor: no queue, no claim, no colleagues list, and a satellite nurse sees none of its requests', async () => {
    const request = await requestConsult(srv().url, token('lege.legevakt.molde'));
    expect((await call('lege.legevakt.molde', 'GET', '/api/queue')).status).toBe(403);
    expect((await call('lege.legevakt.molde', 'GET', '/api/colleagues')).status).toBe(403);
    const satellite = await requestConsult(srv().url, token('sykepleier.sunndal'));
    expect((await call('lege.legevakt.molde', 'POST', `/api/consults/${satellite.id}/claim`)).status).toBe(403);
    expect((await call('lege.legevakt.molde', 'POST', `/api/consults/${request.id}/claim`)).status).toBe(403);
    expect((await call('lege.legevakt.molde', 'GET', `/api/consults/${satellite.id}`)).status).toBe(403);
    expect((await call('sykepleier.sunndal', 'GET', `/api/consults/${request.id}`)).status).toBe(403);
    expect((await call('lege.legevakt.forde', 'GET', `/api/consults/${request.id}`)).status).toBe(403);
    expect((await call('lege.legevakt.molde', 'GET', `/api/consults/${request.id}`)).status).toBe(200);

    // Every refusal and read is in the access log, with the station doctor's role and station.
    const entries = await srv().storage.accessLog.forConsult(request.id);
    expect(entries.filter((e) => e.userRole === 'station_doctor' && e.outcome === 'denied').length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.userRole === 'station_doctor' && e.outcome === 'allowed').length).toBeGreaterThan(0);
  });

  it('refuses ambulance details from a station, as from a satellite', async () => {
    const response = await call<{ error?: { issues?: string[] } }>('lege.legevakt.molde', 'POST', '/api/consults', {
      ...intake(),
      ambulance: { location: { lat: null, lon: null, accuracyM: null, text: 'x' }, urgency: 'acute', ecg12Lead: false },
    });
    expect(response.status).toBe(400);
  });
});
