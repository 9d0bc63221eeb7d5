import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { seedFixture, sunndalConsult } from './testing/fixtures.ts';
import {
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  openTestStorage,
  silentLog,
  type TestStorage,
} from './testing/storageHarness.ts';

/**
 * Legevakt stations (migration 0010): the station doctor's account and the
 * station's back-up requests, and the widened constraints that still refuse a
 * half-bound row on both engines.
 */
describe.each(ENGINES)('legevakt stations on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('binds a station doctor to his station and stores his back-up request with its station', async () => {
    t = await openTestStorage(engine);
    const { storage } = t;
    const f = await seedFixture(storage);
    expect(await storage.organisation.listStations({ districtId: 'romsdal' })).toEqual([
      { id: 'molde-legevakt', districtId: 'romsdal', name: 'Molde legevakt', municipality: 'Molde' },
    ]);
    const doctor = await storage.users.findByUsername('lege.legevakt.molde');
    expect(doctor).toMatchObject({
      role: 'station_doctor',
      workplace: { kind: 'station', stationId: 'molde-legevakt', districtId: 'romsdal' },
    });

    const request = await storage.consults.create({
      ...sunndalConsult(f.nurseSunndal),
      origin: 'station',
      satelliteId: null,
      stationId: 'molde-legevakt',
      requestedBy: doctor!.id,
    });
    expect(request).toMatchObject({ origin: 'station', stationId: 'molde-legevakt', satelliteId: null });
    expect(await storage.consults.get(request.id)).toEqual(request);
    expect((await storage.consults.listForStation('molde-legevakt')).map((c) => c.id)).toEqual([request.id]);
    // The satellite's own consults stay apart.
    expect((await storage.consults.listForSatellite('sunndal-helsetun')).map((c) => c.id)).not.toContain(request.id);
  });

  it('refuses a station request without its station, a satellite request naming one, and an unbound station doctor', async () => {
    t = await openTestStorage(engine);
    const { storage } = t;
    const f = await seedFixture(storage);
    await expect(
      storage.consults.create({ ...sunndalConsult(f.nurseSunndal), origin: 'station', satelliteId: null }),
    ).rejects.toThrow();
    await expect(
      storage.consults.create({ ...sunndalConsult(f.nurseSunndal), stationId: 'molde-legevakt' }),
    ).rejects.toThrow();
    // The raw table, past the repository's own checks: the database itself must refuse.
    const { db, close } = await openDatabase({ ...t.location, log: silentLog });
    const row = {
      id: 'x-station-doctor',
      username: 'x.station',
      display_name: 'X',
      password_hash: 'x',
      satellite_id: null,
      ambulance_unit_id: null,
      lvs_site_id: null,
      district_id: null,
      disabled_at: null,
      created_at: 1,
    };
    await expect(
      db
        .insertInto('users')
        .values({ ...row, role: 'station_doctor', station_id: null })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('users')
        .values({ ...row, role: 'doctor', lvs_site_id: 'molde-lvs', station_id: 'molde-legevakt' })
        .execute(),
    ).rejects.toThrow();
    await db
      .insertInto('users')
      .values({ ...row, role: 'station_doctor', station_id: 'molde-legevakt' })
      .execute();
    await close();
    expect((await storage.users.findById('x-station-doctor'))?.workplace).toEqual({
      kind: 'station',
      stationId: 'molde-legevakt',
      districtId: 'romsdal',
    });
  });
});
