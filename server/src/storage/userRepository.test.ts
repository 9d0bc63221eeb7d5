import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  openTestStorage,
  type TestStorage,
} from './testing/storageHarness.ts';
import { seedFixture } from './testing/fixtures.ts';

describe.each(ENGINES)('users and refresh tokens on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('creates users, refuses a taken username, disables and enables', async () => {
    t = await openTestStorage(engine);
    const { storage } = t;
    await seedFixture(storage);
    const user = await storage.users.create({
      username: 'Lege3.Molde',
      displayName: 'Kristin Aukrust',
      role: 'doctor',
      lvsSiteId: 'molde-lvs',
      passwordHash: 'scrypt$x',
      createdAt: 5,
    });
    expect(user).toMatchObject({
      username: 'lege3.molde',
      role: 'doctor',
      workplace: { kind: 'lvs', lvsSiteId: 'molde-lvs', districtId: 'romsdal' },
      disabledAt: null,
      createdAt: 5,
      passwordHash: 'scrypt$x',
    });
    await expect(
      storage.users.create({
        username: 'lege3.molde',
        displayName: 'x',
        role: 'admin',
        districtId: null,
        passwordHash: 'x',
        createdAt: 6,
      }),
    ).rejects.toThrow();
    await expect(
      storage.users.create({
        username: 'ny',
        displayName: 'x',
        role: 'nurse',
        satelliteId: 'finnes-ikke',
        passwordHash: 'x',
        createdAt: 6,
      }),
    ).rejects.toThrow();
    expect(await storage.users.disable(user.id, 10)).toBe(true);
    expect(await storage.users.disable(user.id, 11)).toBe(false);
    expect((await storage.users.findById(user.id))?.disabledAt).toBe(10);
    expect(await storage.users.enable(user.id)).toBe(true);
    expect(await storage.users.setPasswordHash(user.id, 'scrypt$y')).toBe(true);
    expect((await storage.users.findById(user.id))?.passwordHash).toBe('scrypt$y');
    expect(await storage.users.findById('missing')).toBeNull();
  });

  it('stores refresh tokens by hash: rotation once, revocation by token, family and user', async () => {
    t = await openTestStorage(engine);
    const { storage } = t;
    const { doctorMolde, nurseSunndal } = await seedFixture(storage);
    const base = { familyId: 'fam-1', issuedAt: 100, expiresAt: 10_000 };
    await storage.refreshTokens.insert({ id: 't1', userId: doctorMolde.id, tokenHash: 'h1', ...base });
    await expect(
      storage.refreshTokens.insert({ id: 't1b', userId: doctorMolde.id, tokenHash: 'h1', ...base }),
    ).rejects.toThrow(); // token_hash is unique
    await storage.transaction(async (tx) => {
      await tx.refreshTokens.insert({ id: 't2', userId: doctorMolde.id, tokenHash: 'h2', ...base });
      expect(await tx.refreshTokens.markReplaced('t1', 't2')).toBe(true);
    });
    expect(await storage.refreshTokens.markReplaced('t1', 't2')).toBe(false); // already rotated: a reuse
    expect(await storage.refreshTokens.findByHash('h1')).toMatchObject({ id: 't1', replacedBy: 't2', revokedAt: null });
    expect(await storage.refreshTokens.isFamilyActive('fam-1', 200)).toBe(true);
    expect(await storage.refreshTokens.isFamilyActive('fam-1', 10_000)).toBe(false); // expired

    expect(await storage.refreshTokens.revokeFamily('fam-1', 300)).toBe(2);
    expect(await storage.refreshTokens.isFamilyActive('fam-1', 400)).toBe(false);
    expect((await storage.refreshTokens.findById('t2'))?.revokedAt).toBe(300);

    await storage.refreshTokens.insert({
      id: 't3',
      userId: nurseSunndal.id,
      tokenHash: 'h3',
      familyId: 'fam-2',
      issuedAt: 1,
      expiresAt: 50,
    });
    await storage.refreshTokens.insert({
      id: 't4',
      userId: nurseSunndal.id,
      tokenHash: 'h4',
      familyId: 'fam-3',
      issuedAt: 1,
      expiresAt: 20_000,
    });
    expect(await storage.refreshTokens.revoke('t4', 500)).toBe(1);
    expect(await storage.refreshTokens.revoke('t4', 600)).toBe(0);
    expect(await storage.refreshTokens.revokeAllForUser(nurseSunndal.id, 700)).toBe(1); // t3 only
    expect(await storage.refreshTokens.deleteExpired(9_000)).toBe(1); // t3
    expect(await storage.refreshTokens.deleteExpired(15_000)).toBe(2); // t1, t2 (t1 → t2 link)
    expect(await storage.refreshTokens.findByHash('h4')).not.toBeNull();
  });
});
