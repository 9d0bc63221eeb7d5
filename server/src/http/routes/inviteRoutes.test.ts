import type { CreatedInvite, GuestAccess, InviteLinkInfo } from '@legevakt/shared';
import { describe, expect, it } from 'vitest';
import { claimConsult, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { useLoggedInServer } from '../../testing/loggedInServer.ts';
import { SignalingTestClient } from '../../testing/signalingTestClient.ts';

const USERS = ['sykepleier.sunndal', 'lege.molde', 'lege2.molde', 'lege.forde', 'admin.romsdal'] as const;
type User = (typeof USERS)[number];

const app = useLoggedInServer(USERS);
const srv = app.server;
const { token, call } = app;

async function activeConsult(): Promise<string> {
  const consult = await requestConsult(srv().url, token('sykepleier.sunndal'));
  await claimConsult(srv().url, token('lege.molde'), consult.id);
  return consult.id;
}

async function invite(consultId: string): Promise<CreatedInvite & { token: string }> {
  const response = await call<CreatedInvite>('lege.molde', 'POST', `/api/consults/${consultId}/invites`, {
    displayName: 'Kardiolog vakt, Ålesund',
  });
  expect(response.status).toBe(201);
  return { ...response.body, token: response.body.path.slice('/invite/'.length) };
}

const anonymous = <T>(path: string, body?: unknown) =>
  httpsJson<T>(`${srv().url}${path}`, body === undefined ? {} : { method: 'POST', body });

async function guestSocket(access: GuestAccess, consultId: string) {
  const client = await SignalingTestClient.connect(srv().url, access.accessToken);
  const { routerRtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
  return { client, join: () => client.send('join', { consultId, rtpCapabilities: routerRtpCapabilities }) };
}

const accessEntries = async (consultId: string) =>
  (await srv().storage.accessLog.forConsult(consultId)).map((e) => [e.action, e.outcome, e.userRole] as const);

describe('inviting a guest by link and PIN', () => {
  it.each<[User, number]>([
    ['lege.molde', 201],
    ['lege2.molde', 403],
    ['lege.forde', 403],
    ['sykepleier.sunndal', 403],
    ['admin.romsdal', 403],
  ])('POST /api/consults/:id/invites as %s → %i (refusals logged)', async (user, status) => {
    const consultId = await activeConsult();
    const response = await call(user, 'POST', `/api/consults/${consultId}/invites`, { displayName: 'Kardiolog' });
    expect(response.status).toBe(status);
    const entries = await accessEntries(consultId);
    expect(entries.filter(([action]) => action === 'invite.create')).toEqual([
      ['invite.create', status === 201 ? 'allowed' : 'denied', user.startsWith('lege') ? 'doctor' : expect.any(String)],
    ]);
  });

  it('refuses a bad body and a consult that is not in a call', async () => {
    const consultId = await activeConsult();
    expect((await call('lege.molde', 'POST', `/api/consults/${consultId}/invites`, { displayName: '' })).status).toBe(
      400,
    );
    const waiting = await requestConsult(srv().url, token('sykepleier.sunndal'));
    expect((await call('lege.molde', 'POST', `/api/consults/${waiting.id}/invites`, { displayName: 'X' })).status).toBe(
      403,
    );
  });

  it('the guest: link info, wrong PIN, right PIN, its call and intake only; removal ends it', async () => {
    const consultId = await activeConsult();
    const created = await invite(consultId);

    const info = await anonymous<InviteLinkInfo>(`/api/invites/${created.token}`);
    expect(info.body).toMatchObject({ displayName: 'Kardiolog vakt, Ålesund', status: 'open', attemptsLeft: 5 });
    expect(JSON.stringify(info.body)).not.toContain('Astrid');
    expect((await anonymous('/api/invites/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);

    const wrongPin = created.pin === '000000' ? '000001' : '000000';
    const refused = await anonymous('/api/invites/redeem', { token: created.token, pin: wrongPin });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { message: 'wrong PIN: 4 attempts left' } });
    expect((await anonymous('/api/invites/redeem', { token: created.token, pin: '12' })).status).toBe(400);

    const redeemed = await anonymous<GuestAccess>('/api/invites/redeem', { token: created.token, pin: created.pin });
    expect(redeemed.status).toBe(200);
    const access = redeemed.body;
    expect(access).toMatchObject({ consultId, user: { role: 'guest', displayName: 'Kardiolog vakt, Ålesund' } });
    expect((await anonymous('/api/invites/redeem', { token: created.token, pin: created.pin })).status).toBe(403);

    // The guest's token: its consult's intake, nothing else of the API.
    const asGuest = (method: string, path: string) =>
      httpsJson(`${srv().url}${path}`, { method, token: access.accessToken });
    const own = await asGuest('GET', '/api/guest/consult');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: consultId, patient: { name: 'Astrid Nordmann' } });
    for (const path of [
      `/api/consults/${consultId}`,
      `/api/consults/${consultId}/record`,
      `/api/consults/${consultId}/strips`,
      `/api/consults/${consultId}/export.pdf`,
      `/api/consults/${consultId}/invites`,
      '/api/consults/mine',
      '/api/queue',
      '/api/me',
    ]) {
      expect([path, (await asGuest('GET', path)).status]).toEqual([path, 403]);
    }
    expect((await asGuest('POST', `/api/consults/${consultId}/invites`)).status).toBe(403);

    // Its call: this consult only.
    const other = await activeConsult();
    const guest = await guestSocket(access, consultId);
    const wrongRoom = await guest.client.send('join', {
      consultId: other,
      rtpCapabilities: (await guest.client.request('getRouterRtpCapabilities', {})).routerRtpCapabilities,
    });
    expect(wrongRoom).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const doctor = await SignalingTestClient.connect(srv().url, token('lege.molde'));
    const doctorCaps = await doctor.request('getRouterRtpCapabilities', {});
    await doctor.request('join', { consultId, rtpCapabilities: doctorCaps.routerRtpCapabilities });
    const joined = await guest.join();
    expect(joined).toMatchObject({
      ok: true,
      data: { self: { role: 'guest', displayName: 'Kardiolog vakt, Ålesund' } },
    });
    const peerJoined = await doctor.waitForNotification('peerJoined');
    const guestPeerId = (peerJoined.data as { peerId: string }).peerId;

    // The host's list shows it joined; another doctor may not list or remove.
    const list = await call<{ invites: { id: string; status: string }[] }>(
      'lege.molde',
      'GET',
      `/api/consults/${consultId}/invites`,
    );
    expect(list.body.invites).toEqual([expect.objectContaining({ id: created.invite.id, status: 'joined' })]);
    expect((await call('lege2.molde', 'GET', `/api/consults/${consultId}/invites`)).status).toBe(403);
    expect(
      (await call('lege2.molde', 'DELETE', `/api/consults/${consultId}/invites/${created.invite.id}`)).status,
    ).toBe(403);

    const closed = new Promise<number>((resolve) => guest.client.socket.once('close', (code) => resolve(code)));
    const removed = await call('lege.molde', 'DELETE', `/api/consults/${consultId}/invites/${created.invite.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ status: 'removed' });
    expect((await guest.client.waitForNotification('roomClosed')).data).toEqual({ reason: 'removed' });
    expect(await closed).toBe(4001);
    expect((await doctor.waitForNotification('peerLeft')).data).toEqual({ peerId: guestPeerId });
    expect((await asGuest('GET', '/api/guest/consult')).status).toBe(401);
    await expect(SignalingTestClient.connect(srv().url, access.accessToken)).rejects.toThrow('HTTP 401');
    await doctor.close();

    const entries = await accessEntries(consultId);
    expect(entries.filter(([action]) => action.startsWith('invite.') || action === 'participant.remove')).toEqual([
      ['invite.create', 'allowed', 'doctor'],
      ['invite.redeem', 'denied', 'guest'],
      ['invite.redeem', 'allowed', 'guest'],
      ['invite.redeem', 'denied', 'guest'],
      ['participant.remove', 'denied', 'doctor'],
      ['participant.remove', 'allowed', 'doctor'],
    ]);
    expect(entries).toContainEqual(['call.join', 'allowed', 'guest']);
    expect(entries).toContainEqual(['consult.view', 'allowed', 'guest']);
  });
});
