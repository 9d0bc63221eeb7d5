import type { InvitableColleagueList, InviteView } from '@legevakt/shared';
import { describe, expect, it } from 'vitest';
import { claimConsult, requestConsult } from '../testing/consultFixtures.ts';
import { useLoggedInServer } from '../testing/loggedInServer.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';

/**
 * Inviting a district doctor who is online into a running call: he is told
 * ('callInvitation'), may join while the invitation stands, and is out again
 * when the host removes him. Every step is in the access log.
 */
const USERS = ['sykepleier.sunndal', 'lege.molde', 'lege2.molde', 'lege.forde', 'lege.legevakt.molde'] as const;
type User = (typeof USERS)[number];

const app = useLoggedInServer(USERS);
const srv = app.server;
const { token, call, session } = app;

async function activeConsult(): Promise<string> {
  const consult = await requestConsult(srv().url, token('sykepleier.sunndal'));
  await claimConsult(srv().url, token('lege.molde'), consult.id);
  return consult.id;
}

async function online(user: User): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.connect(srv().url, token(user));
  // The live layer counts the socket as present once it answers.
  await client.request('ping', {});
  return client;
}

async function tryJoin(client: SignalingTestClient, consultId: string) {
  const { routerRtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
  return client.send('join', { consultId, rtpCapabilities: routerRtpCapabilities });
}

describe('inviting a district doctor into a running call', () => {
  it('lists who is online, tells the invited doctor, lets him in, and shuts him out when removed', async () => {
    const consultId = await activeConsult();
    const station = await online('lege.legevakt.molde');
    const colleague = await online('lege2.molde');

    // Who may be invited: the district's doctors who are online (not the host, not lege.forde who is offline).
    const list = await call<InvitableColleagueList>(
      'lege.molde',
      'GET',
      `/api/consults/${consultId}/invites/colleagues`,
    );
    expect(list.status).toBe(200);
    expect(list.body.colleagues.map((c) => [c.displayName, c.role, c.placeName])).toEqual([
      ['Nina Bolsøy', 'doctor', 'Molde LVS'],
      ['Siri Årø', 'station_doctor', 'Molde legevakt'],
    ]);

    // Not invited: refused.
    expect(await tryJoin(station, consultId)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // Invited: told on his socket, then let in.
    const stationId = session('lege.legevakt.molde').user.id;
    const invited = await call<InviteView>('lege.molde', 'POST', `/api/consults/${consultId}/invites/colleague`, {
      userId: stationId,
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ kind: 'colleague', status: 'open', guestUserId: stationId });
    const told = await station.waitForNotification('callInvitation');
    expect(told.data).toMatchObject({ consultId, inviteId: invited.body.id, invitedByName: 'Lars Hjelset' });
    expect(JSON.stringify(told.data)).not.toContain('Astrid');
    expect(await tryJoin(station, consultId)).toMatchObject({ ok: true, data: { self: { role: 'station_doctor' } } });
    // The other colleague was not invited: still refused.
    expect(await tryJoin(colleague, consultId)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Twice is refused, as is an offline doctor and one of another district's own LVS... that is online? (offline here).
    expect(
      (await call('lege.molde', 'POST', `/api/consults/${consultId}/invites/colleague`, { userId: stationId })).status,
    ).toBe(400);
    expect(
      (
        await call('lege.molde', 'POST', `/api/consults/${consultId}/invites/colleague`, {
          userId: session('lege.forde').user.id,
        })
      ).status,
    ).toBe(400);
    // Only the host invites.
    expect(
      (
        await call('lege2.molde', 'POST', `/api/consults/${consultId}/invites/colleague`, {
          userId: stationId,
        })
      ).status,
    ).toBe(403);

    // Removed: his peer is told and leaves; joining again is refused.
    const removed = await call<InviteView>(
      'lege.molde',
      'DELETE',
      `/api/consults/${consultId}/invites/${invited.body.id}`,
    );
    expect(removed.body).toMatchObject({ status: 'removed' });
    expect((await station.waitForNotification('roomClosed')).data).toEqual({ reason: 'removed' });
    expect(await tryJoin(station, consultId)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const entries = (await srv().storage.accessLog.forConsult(consultId)).map(
      (e) => [e.action, e.outcome, e.userRole] as const,
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        ['call.join', 'denied', 'station_doctor'],
        ['invite.create', 'allowed', 'doctor'],
        ['call.join', 'allowed', 'station_doctor'],
        ['invite.create', 'denied', 'doctor'],
        ['participant.remove', 'allowed', 'doctor'],
      ]),
    );
    expect(entries.filter(([a, o, r]) => a === 'call.join' && o === 'denied' && r === 'station_doctor')).toHaveLength(
      2,
    );

    for (const client of [station, colleague]) await client.close();
  });

  it('refuses the colleague list to anyone but the host', async () => {
    const consultId = await activeConsult();
    for (const user of ['lege2.molde', 'sykepleier.sunndal', 'lege.legevakt.molde'] as const) {
      expect([user, (await call(user, 'GET', `/api/consults/${consultId}/invites/colleagues`)).status]).toEqual([
        user,
        403,
      ]);
    }
  });
});
