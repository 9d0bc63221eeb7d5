import { randomBytes } from 'node:crypto';
import type { AccessTokenClaims } from '@legevakt/shared';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEvent } from '../audit/accessEvents.ts';
import { SessionService } from '../auth/sessionService.ts';
import { TokenService } from '../auth/tokens.ts';
import { DomainError } from '../errors.ts';
import { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import { seedFixture, sunndalConsult } from '../storage/testing/fixtures.ts';
import {
  ENGINES,
  openTestStorage,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  silentLog,
  type TestStorage,
} from '../storage/testing/storageHarness.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { InviteService } from './inviteService.ts';

describe.each(ENGINES)('invites on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  async function setup() {
    t = await openTestStorage(engine);
    const storage = t.storage;
    const fixture = await seedFixture(storage);
    // Tokens are verified against the real time (jsonwebtoken): the fake clock starts at it.
    const clock = new FakeClock(Date.now());
    const org = new OrganisationDirectory({
      districts: await storage.organisation.listDistricts(),
      virtualLvs: await storage.organisation.listVirtualLvs(),
      lvsSites: await storage.organisation.listLvsSites(),
      satellites: await storage.organisation.listSatellites(),
      ambulanceUnits: await storage.organisation.listAmbulanceUnits(),
    });
    const tokens = new TokenService({
      secret: randomBytes(32).toString('hex'),
      issuer: 'test',
      audience: 'test',
      accessTokenTtlSeconds: 900,
    });
    const sessions = new SessionService(storage, tokens, org, clock, silentLog, { refreshTtlMs: 3_600_000 });
    const revoked: unknown[] = [];
    sessions.on('revoked', (scope) => revoked.push(scope));
    const removedFromRoom: string[] = [];
    const rooms = {
      get: () => ({ removeUser: (userId: string) => (removedFromRoom.push(userId), 1) }) as never,
    };
    const entries: AccessEvent[] = [];
    const access = { record: (e: AccessEvent) => (entries.push(e), Promise.resolve()) };
    const invites = new InviteService({ storage, tokens, sessions, rooms, access, clock, log: silentLog });
    const consult = await storage.consults.create(sunndalConsult(fixture.nurseSunndal, { requestedAt: clock.now() }));
    await storage.consults.claim(consult.id, {
      doctorId: fixture.doctorMolde.id,
      siteId: 'molde-lvs',
      at: clock.now(),
    });
    const claims = (u: typeof fixture.doctorMolde): AccessTokenClaims => ({
      sub: u.id,
      role: u.role,
      name: u.displayName,
      workplace: u.workplace,
      sid: 'test-session',
    });
    return {
      storage,
      clock,
      tokens,
      sessions,
      invites,
      consult,
      entries,
      revoked,
      removedFromRoom,
      host: claims(fixture.doctorMolde),
      otherDoctor: claims(fixture.doctor2Molde),
      nurse: claims(fixture.nurseSunndal),
    };
  }

  const tokenOf = (path: string): string => path.slice('/invite/'.length);
  const wrong = (pin: string): string => ((Number(pin) + 1) % 1_000_000).toString().padStart(6, '0');

  it('gives the host a link and a PIN, and stores only their hashes', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt, Ålesund', '10.0.0.1');
    expect(created.pin).toMatch(/^\d{6}$/);
    const token = tokenOf(created.path);
    expect(Buffer.from(token, 'base64url')).toHaveLength(16);
    const stored = await s.storage.invites.findById(created.invite.id);
    const row = JSON.stringify(stored);
    expect(row).not.toContain(token);
    expect(row).not.toContain(created.pin);
    expect(stored?.tokenHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.invite).toMatchObject({ status: 'open', displayName: 'Kardiolog vakt, Ålesund' });
    expect(created.invite.expiresAt - created.invite.createdAt).toBe(15 * 60_000);
    expect(s.entries.map((e) => [e.action, e.outcome])).toEqual([['invite.create', 'allowed']]);
  });

  it('refuses anyone but the consult’s doctor, logged as denied', async () => {
    const s = await setup();
    for (const user of [s.otherDoctor, s.nurse]) {
      await expect(s.invites.createLinkInvite(user, s.consult.id, 'X', null)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    expect(s.entries.map((e) => [e.action, e.outcome])).toEqual([
      ['invite.create', 'denied'],
      ['invite.create', 'denied'],
    ]);
  });

  it('redeems once: the right PIN gives a guest token scoped to the consult, a second try is refused', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    const access = await s.invites.redeem(tokenOf(created.path), created.pin, '10.0.0.9');
    const claims = await s.sessions.authenticate(access.accessToken);
    expect(claims).toMatchObject({
      role: 'guest',
      name: 'Kardiolog vakt',
      workplace: { kind: 'guest', consultId: s.consult.id, districtId: 'romsdal' },
    });
    await expect(s.invites.redeem(tokenOf(created.path), created.pin, null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'this invite has already been used',
    });
    expect(s.entries.filter((e) => e.action === 'invite.redeem').map((e) => e.outcome)).toEqual(['allowed', 'denied']);
    expect((await s.invites.list(s.host, s.consult.id, null))[0]?.status).toBe('joined');
  });

  it('expires: a right PIN after 15 minutes is refused', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    await s.clock.advance(15 * 60_000 - 1);
    expect((await s.invites.linkInfo(tokenOf(created.path))).status).toBe('open');
    await s.clock.advance(1);
    expect((await s.invites.linkInfo(tokenOf(created.path))).status).toBe('expired');
    await expect(s.invites.redeem(tokenOf(created.path), created.pin, null)).rejects.toMatchObject({
      message: 'this invite has expired',
    });
    expect(s.entries.at(-1)).toMatchObject({ action: 'invite.redeem', outcome: 'denied', reason: 'invite expired' });
  });

  it('dies after five wrong PINs: the right one is refused then', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    const token = tokenOf(created.path);
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) {
      const error = await s.invites.redeem(token, wrong(created.pin), null).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      messages.push((error as DomainError).message);
    }
    expect(messages[0]).toBe('wrong PIN: 4 attempts left');
    expect(messages[4]).toBe('wrong PIN: the invite is now closed');
    await expect(s.invites.redeem(token, created.pin, null)).rejects.toMatchObject({
      message: 'too many wrong PINs: this invite is closed',
    });
    expect((await s.invites.linkInfo(token)).attemptsLeft).toBe(0);
    const denied = s.entries.filter((e) => e.action === 'invite.redeem' && e.outcome === 'denied');
    expect(denied.map((e) => e.reason)).toEqual([
      'wrong PIN (1 of 5)',
      'wrong PIN (2 of 5)',
      'wrong PIN (3 of 5)',
      'wrong PIN (4 of 5)',
      'wrong PIN (5 of 5)',
      'invite locked',
    ]);
  });

  it('an unknown link is not found and writes no patient’s log', async () => {
    const s = await setup();
    await expect(s.invites.redeem(randomBytes(16).toString('base64url'), '123456', null)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(s.entries).toEqual([]);
  });

  it('two right PINs at once: exactly one wins', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    const results = await Promise.allSettled([
      s.invites.redeem(tokenOf(created.path), created.pin, null),
      s.invites.redeem(tokenOf(created.path), created.pin, null),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('removal revokes the guest: told in the room, session refused, logged', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    const access = await s.invites.redeem(tokenOf(created.path), created.pin, null);
    const guest = await s.sessions.authenticate(access.accessToken);
    await expect(s.invites.remove(s.otherDoctor, s.consult.id, created.invite.id, null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const view = await s.invites.remove(s.host, s.consult.id, created.invite.id, null);
    expect(view.status).toBe('removed');
    expect(s.removedFromRoom).toEqual([`guest:${created.invite.id}`]);
    expect(s.revoked).toEqual([{ sessionId: guest.sid }]);
    await expect(s.sessions.authenticate(access.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(s.invites.renew(guest)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(s.entries.filter((e) => e.action === 'participant.remove').map((e) => e.outcome)).toEqual([
      'denied',
      'allowed',
    ]);
  });

  it('the guest session ends with the call (consult no longer active)', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    const access = await s.invites.redeem(tokenOf(created.path), created.pin, null);
    const guest = s.tokens.verify(access.accessToken);
    expect(await s.invites.guestSessionActiveUntil(guest.sid, s.clock.now())).toBe(s.clock.now() + 2 * 3_600_000);
    await s.storage.consults.endCall(s.consult.id, s.clock.now());
    expect(await s.invites.guestSessionActiveUntil(guest.sid, s.clock.now())).toBeNull();
  });

  it('a guest session ends after its lifetime even while the call runs', async () => {
    const s = await setup();
    const created = await s.invites.createLinkInvite(s.host, s.consult.id, 'Kardiolog vakt', null);
    const access = await s.invites.redeem(tokenOf(created.path), created.pin, null);
    const guest = s.tokens.verify(access.accessToken);
    await s.clock.advance(2 * 3_600_000);
    expect(await s.invites.guestSessionActiveUntil(guest.sid, s.clock.now())).toBeNull();
  });
});
