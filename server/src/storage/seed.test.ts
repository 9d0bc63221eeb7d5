import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/passwords.ts';
import { DEMO_PASSWORD, seedDemo } from './seed.ts';
import {
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  openTestStorage,
  type TestStorage,
} from './testing/storageHarness.ts';

describe.each(ENGINES)('demo seed on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('creates the demo organisation and accounts, and a second run changes nothing', async () => {
    t = await openTestStorage(engine);
    const { storage } = t;
    const first = await seedDemo(storage, { now: 1000 });
    expect(first.every((u) => u.created)).toBe(true);
    const usernames = first.map((u) => u.username);
    expect(usernames).toEqual(
      expect.arrayContaining([
        'sykepleier.sunndal',
        'lege.molde',
        'lege2.molde',
        'lege.forde',
        'ambulanse.molde',
        'admin',
      ]),
    );
    expect(new Set(first.map((u) => u.role))).toEqual(
      new Set(['nurse', 'doctor', 'ambulance', 'admin', 'station_doctor']),
    );
    expect(first.find((u) => u.username === 'lege.legevakt.molde')).toMatchObject({
      role: 'station_doctor',
      place: 'Molde legevakt',
    });

    const usersBefore = await storage.users.list();
    const second = await seedDemo(storage, { now: 2000 });
    expect(second.map((u) => u.username)).toEqual(usernames);
    expect(second.every((u) => !u.created)).toBe(true);
    expect(await storage.users.list()).toEqual(usersBefore);
    expect(await storage.organisation.listDistricts()).toHaveLength(2);
    expect(await storage.organisation.listSatellites()).toHaveLength(9);
    expect(await storage.organisation.listLvsSites()).toHaveLength(2);
    expect(await storage.organisation.listAmbulanceUnits()).toHaveLength(2);
    expect(await storage.organisation.listVirtualLvs()).toEqual([
      { id: 'vest-nordvest-virtuell-lvs', name: 'Vest-Nordvest virtuell LVS' },
    ]);
  });

  it('derives each account’s workplace and district, and the demo password verifies', async () => {
    t = await openTestStorage(engine);
    const { storage } = t;
    const seeded = await seedDemo(storage);
    expect(seeded.find((u) => u.username === 'sykepleier.sunndal')).toMatchObject({
      role: 'nurse',
      place: 'Sunndal helsetun',
    });

    const nurse = await storage.users.findByUsername('Sykepleier.Sunndal ');
    expect(nurse?.workplace).toEqual({ kind: 'satellite', satelliteId: 'sunndal-helsetun', districtId: 'romsdal' });
    expect(await verifyPassword(DEMO_PASSWORD, nurse!.passwordHash)).toBe(true);
    expect(await verifyPassword('feil', nurse!.passwordHash)).toBe(false);

    expect((await storage.users.findByUsername('lege.forde'))?.workplace).toEqual({
      kind: 'lvs',
      lvsSiteId: 'forde-lvs',
      districtId: 'sunnfjord-ytre-sogn',
    });
    expect((await storage.users.findByUsername('ambulanse.molde'))?.workplace).toEqual({
      kind: 'ambulance',
      ambulanceUnitId: 'ambulanse-molde',
      districtId: 'romsdal',
    });
    expect((await storage.users.findByUsername('admin'))?.workplace).toEqual({
      kind: 'administration',
      districtId: null,
    });
    const romsdal = await storage.users.list({ districtId: 'romsdal' });
    expect(romsdal.every((u) => u.workplace.districtId === 'romsdal')).toBe(true);
    expect(romsdal.map((u) => u.username)).toContain('lege2.molde');

    // Both sites share the virtual LVS: a Molde doctor works both districts' overflow.
    expect(await storage.organisation.districtsSharingQueueWith('molde-lvs')).toEqual([
      'romsdal',
      'sunnfjord-ytre-sogn',
    ]);
  });
});
