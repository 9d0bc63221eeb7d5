import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AmbulanceDetails } from '@legevakt/shared';
import { seedFixture, sunndalConsult } from './testing/fixtures.ts';
import {
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  openTestStorage,
  type TestStorage,
} from './testing/storageHarness.ts';

const details: AmbulanceDetails = {
  location: { lat: 62.7372, lon: 7.1607, accuracyM: 25, text: 'Fv. 64 ved Årø, mot Molde sentrum' },
  urgency: 'acute',
  ecg12Lead: true,
};

describe.each(ENGINES)('ambulance location and urgency on %s (migration 0009)', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('stores an ambulance request’s details and reads them back; a satellite’s request has none', async () => {
    t = await openTestStorage(engine);
    const f = await seedFixture(t.storage);
    const ambulance = await t.storage.consults.create(
      sunndalConsult(f.ambulanceMolde, {
        origin: 'ambulance',
        satelliteId: null,
        ambulanceUnitId: 'ambulanse-molde',
        ambulance: details,
      }),
    );
    expect(ambulance.ambulance).toEqual(details);
    expect((await t.storage.consults.get(ambulance.id))?.ambulance).toEqual(details);

    const satellite = await t.storage.consults.create(sunndalConsult(f.nurseSunndal));
    const read = await t.storage.consults.get(satellite.id);
    expect(read).not.toHaveProperty('ambulance');
  });

  it('keeps the details through a state change (claim) of the consult', async () => {
    t = await openTestStorage(engine);
    const f = await seedFixture(t.storage);
    const created = await t.storage.consults.create(
      sunndalConsult(f.ambulanceMolde, {
        origin: 'ambulance',
        satelliteId: null,
        ambulanceUnitId: 'ambulanse-molde',
        ambulance: { ...details, location: { lat: null, lon: null, accuracyM: null, text: 'Skaret, E39' } },
      }),
    );
    const claimed = await t.storage.consults.claim(created.id, {
      doctorId: f.doctorMolde.id,
      siteId: 'molde-lvs',
      at: created.requestedAt + 1000,
    });
    expect(claimed?.status).toBe('active');
    expect(claimed?.ambulance?.location.text).toBe('Skaret, E39');
    const listed = await t.storage.consults.listForAmbulanceUnit('ambulanse-molde');
    expect(listed.find((c) => c.id === created.id)?.ambulance?.urgency).toBe('acute');
  });
});
