import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import type { Storage } from './storage.ts';
import { seedFixture, sunndalConsult, type DemoFixture } from './testing/fixtures.ts';
import {
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  openTestStorage,
  silentLog,
  type TestStorage,
} from './testing/storageHarness.ts';

describe.each(ENGINES)('consults on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  const extra: Storage[] = [];
  afterEach(async () => {
    for (const s of extra.splice(0)) await s.close();
    await t?.dispose();
    t = null;
  });

  async function setup(poolSize?: number): Promise<{ storage: Storage; f: DemoFixture }> {
    t = await openTestStorage(engine, poolSize === undefined ? {} : { poolSize });
    return { storage: t.storage, f: await seedFixture(t.storage) };
  }

  it('round-trips a consult with its JSON columns, validated, and writes the requested event', async () => {
    const { storage, f } = await setup();
    const input = sunndalConsult(f.nurseSunndal);
    const created = await storage.consults.create(input);
    expect(created).toEqual({
      ...input,
      id: created.id,
      // A satellite's request names no legevakt station (migration 0010).
      stationId: null,
      status: 'waiting',
      claimedAt: null,
      claimedBy: null,
      claimedSiteId: null,
      overflowedAt: null,
      callEndedAt: null,
      cancelledAt: null,
      version: 1,
    });
    expect(await storage.consults.get(created.id)).toEqual(created);
    expect(await storage.consults.listForPatientNationalId('01015012345')).toEqual([created]);

    const unknown = await storage.consults.create(
      sunndalConsult(f.ambulanceMolde, {
        origin: 'ambulance',
        satelliteId: null,
        ambulanceUnitId: 'ambulanse-molde',
        patient: { kind: 'unknown', description: 'ukjent mann funnet på kaia', sex: 'male', approximateAgeYears: 70 },
        checklist: {},
        measurements: {},
        pathwayId: null,
        triage: 'green',
      }),
    );
    expect(await storage.consults.get(unknown.id)).toEqual(unknown);
    expect(unknown.patient).toEqual({
      kind: 'unknown',
      description: 'ukjent mann funnet på kaia',
      sex: 'male',
      approximateAgeYears: 70,
    });

    const events = await storage.consultEvents.list(created.id);
    expect(events).toEqual([
      {
        id: expect.any(Number) as number,
        consultId: created.id,
        at: input.requestedAt,
        kind: 'requested',
        actorUserId: f.nurseSunndal.id,
        data: { origin: 'satellite', triage: 'yellow' },
      },
    ]);
    expect(await storage.consults.get('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('refuses an invalid consult, and a row that no longer validates is reported on read', async () => {
    const { storage, f } = await setup();
    await expect(
      storage.consults.create(sunndalConsult(f.nurseSunndal, { measurements: { spo2Percent: 140 } })),
    ).rejects.toThrow(/invalid consult/);
    await expect(
      storage.consults.create(
        sunndalConsult(f.nurseSunndal, { patient: { kind: 'known', name: 'X', nationalId: '123' } }),
      ),
    ).rejects.toThrow(/invalid consult/);
    expect(await storage.consults.listByStatus(['waiting'])).toEqual([]);

    const created = await storage.consults.create(sunndalConsult(f.nurseSunndal));
    const handle = await openDatabase({ url: t!.location.url, sqliteFile: t!.location.sqliteFile, log: silentLog });
    try {
      await handle.db
        .updateTable('consults')
        .set({ measurements_json: '{"pulsePerMin": "fast"}' })
        .where('id', '=', created.id)
        .execute();
      await expect(storage.consults.get(created.id)).rejects.toThrow(/does not validate/);
      await handle.db.updateTable('consults').set({ checklist_json: '{oops' }).where('id', '=', created.id).execute();
      await expect(storage.consults.get(created.id)).rejects.toThrow(/corrupt JSON/);
    } finally {
      await handle.close();
    }
  });

  it('lists by status and district in request order, and per satellite and ambulance unit', async () => {
    const { storage, f } = await setup();
    const c3 = await storage.consults.create(sunndalConsult(f.nurseSunndal, { requestedAt: 3000 }));
    const c1 = await storage.consults.create(sunndalConsult(f.nurseSunndal, { requestedAt: 1000 }));
    const askvoll = await storage.consults.create(
      sunndalConsult(f.nurseAskvoll, {
        districtId: 'sunnfjord-ytre-sogn',
        satelliteId: 'askvoll-omsorgssenter',
        requestedAt: 2000,
      }),
    );
    const amb = await storage.consults.create(
      sunndalConsult(f.ambulanceMolde, {
        origin: 'ambulance',
        satelliteId: null,
        ambulanceUnitId: 'ambulanse-molde',
        requestedAt: 2500,
      }),
    );
    await storage.consults.claim(c3.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 4000 });

    const ids = (cs: { id: string }[]) => cs.map((c) => c.id);
    expect(ids(await storage.consults.listByStatus(['waiting']))).toEqual([c1.id, askvoll.id, amb.id]);
    expect(ids(await storage.consults.listByStatus(['waiting', 'active']))).toEqual([c1.id, askvoll.id, amb.id, c3.id]);
    expect(ids(await storage.consults.listByStatus(['waiting'], { districtIds: ['romsdal'] }))).toEqual([
      c1.id,
      amb.id,
    ]);
    expect(await storage.consults.listByStatus(['waiting'], { districtIds: [] })).toEqual([]);
    expect(await storage.consults.listByStatus([])).toEqual([]);
    expect(ids(await storage.consults.listForSatellite('sunndal-helsetun'))).toEqual([c1.id, c3.id]);
    expect(ids(await storage.consults.listForSatellite('sunndal-helsetun', ['active']))).toEqual([c3.id]);
    expect(ids(await storage.consults.listForAmbulanceUnit('ambulanse-molde'))).toEqual([amb.id]);
    expect(await storage.consults.listForAmbulanceUnit('ambulanse-molde', ['closed'])).toEqual([]);
  });

  it('claims a consult exactly once when 20 doctors try at the same time', async () => {
    const { storage, f } = await setup(10);
    const doctors = [];
    for (let i = 0; i < 20; i++) {
      doctors.push(
        await storage.users.create({
          username: `lege.test${i}`,
          displayName: `Lege ${i}`,
          role: 'doctor',
          lvsSiteId: i % 2 === 0 ? 'molde-lvs' : 'forde-lvs',
          passwordHash: 'x',
          createdAt: 1,
        }),
      );
    }
    for (let round = 0; round < 3; round++) {
      const consult = await storage.consults.create(sunndalConsult(f.nurseSunndal, { requestedAt: 1000 + round }));
      // On PostgreSQL the claims run on several pool connections at once; on SQLite they queue for the one connection.
      const results = await Promise.all(
        doctors.map((d, i) =>
          storage.consults.claim(consult.id, {
            doctorId: d.id,
            siteId: d.workplace.kind === 'lvs' ? d.workplace.lvsSiteId : 'molde-lvs',
            at: 5000 + i,
          }),
        ),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      expect(winner).toMatchObject({ status: 'active', version: 2 });
      expect(await storage.consults.get(consult.id)).toEqual(winner);
      const claimed = (await storage.consultEvents.list(consult.id)).filter((e) => e.kind === 'claimed');
      expect(claimed).toHaveLength(1);
      expect(claimed[0]!.actorUserId).toBe(winner.claimedBy);
      expect(await storage.consultEvents.countByKind(consult.id, 'claimed')).toBe(1);
    }
  });

  if (engine === 'postgres') {
    it('claims exactly once across two separate pools (two server processes)', async () => {
      const { storage, f } = await setup(5);
      const other = await t!.reopen({ poolSize: 5 });
      extra.push(other);
      const consult = await storage.consults.create(sunndalConsult(f.nurseSunndal));
      const claim = (s: Storage, doctorId: string, siteId: string) =>
        s.consults.claim(consult.id, { doctorId, siteId, at: 9 });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0 ? claim(storage, f.doctorMolde.id, 'molde-lvs') : claim(other, f.doctorForde.id, 'forde-lvs'),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await storage.consultEvents.countByKind(consult.id, 'claimed')).toBe(1);
    });
  }

  it('transfers, returns and ends only under their preconditions, bumping version and logging each', async () => {
    const { storage, f } = await setup();
    const c = await storage.consults.create(sunndalConsult(f.nurseSunndal));
    const [molde, molde2, forde] = [f.doctorMolde.id, f.doctor2Molde.id, f.doctorForde.id];

    // Not yet active: no transfer, return or end.
    expect(
      await storage.consults.transfer(c.id, { fromDoctorId: molde, toDoctorId: forde, toSiteId: 'forde-lvs', at: 1 }),
    ).toBeNull();
    expect(await storage.consults.returnToQueue(c.id, { doctorId: molde, at: 1 })).toBeNull();
    expect(await storage.consults.endCall(c.id, 1)).toBeNull();

    const claimed = await storage.consults.claim(c.id, { doctorId: molde, siteId: 'molde-lvs', at: 100 });
    expect(claimed).toMatchObject({ status: 'active', claimedBy: molde, claimedSiteId: 'molde-lvs', claimedAt: 100 });
    expect(await storage.consults.claim(c.id, { doctorId: molde2, siteId: 'molde-lvs', at: 101 })).toBeNull();
    expect(await storage.consults.cancel(c.id, { at: 102 })).toBeNull(); // too late to withdraw

    // Only the holder can transfer.
    expect(
      await storage.consults.transfer(c.id, {
        fromDoctorId: molde2,
        toDoctorId: forde,
        toSiteId: 'forde-lvs',
        at: 110,
      }),
    ).toBeNull();
    const moved = await storage.consults.transfer(c.id, {
      fromDoctorId: molde,
      toDoctorId: forde,
      toSiteId: 'forde-lvs',
      at: 120,
    });
    expect(moved).toMatchObject({ status: 'active', claimedBy: forde, claimedSiteId: 'forde-lvs', claimedAt: 100 });
    expect(moved!.version).toBe(3);

    // Only the (new) holder can return it; it keeps its place in line.
    expect(await storage.consults.returnToQueue(c.id, { doctorId: molde, at: 130 })).toBeNull();
    const returned = await storage.consults.returnToQueue(c.id, { doctorId: forde, at: 140 });
    expect(returned).toMatchObject({
      status: 'waiting',
      claimedBy: null,
      claimedSiteId: null,
      claimedAt: null,
      requestedAt: c.requestedAt,
      version: 4,
    });

    await storage.consults.claim(c.id, { doctorId: molde2, siteId: 'molde-lvs', at: 150 });
    const ended = await storage.consults.endCall(c.id, 160, molde2);
    expect(ended).toMatchObject({ status: 'documentation', callEndedAt: 160, version: 6 });
    expect(await storage.consults.endCall(c.id, 161)).toBeNull();
    expect(await storage.consults.close(c.id, { doctorId: molde, at: 170 })).toBeNull();
    expect(await storage.consults.close(c.id, { doctorId: molde2, at: 170 })).toMatchObject({
      status: 'closed',
      version: 7,
    });

    const events = await storage.consultEvents.list(c.id);
    expect(events.map((e) => [e.kind, e.at, e.actorUserId])).toEqual([
      ['requested', c.requestedAt, f.nurseSunndal.id],
      ['claimed', 100, molde],
      ['transferred', 120, molde],
      ['returned', 140, forde],
      ['claimed', 150, molde2],
      ['call_ended', 160, molde2],
      ['closed', 170, molde2],
    ]);
    expect(events[2]!.data).toEqual({ fromDoctorId: molde, toDoctorId: forde, toSiteId: 'forde-lvs' });
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
  });

  it('cancels and overflows only a waiting consult, each once', async () => {
    const { storage, f } = await setup();
    const c = await storage.consults.create(sunndalConsult(f.nurseSunndal));
    const overflowed = await storage.consults.markOverflowed(c.id, 500);
    expect(overflowed).toMatchObject({ status: 'waiting', overflowedAt: 500, version: 2 });
    expect(await storage.consults.markOverflowed(c.id, 600)).toBeNull();
    const cancelled = await storage.consults.cancel(c.id, { at: 700, actorUserId: f.nurseSunndal.id });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelledAt: 700, overflowedAt: 500, version: 3 });
    expect(await storage.consults.cancel(c.id, { at: 800 })).toBeNull();
    expect(await storage.consults.claim(c.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 900 })).toBeNull();
    expect((await storage.consultEvents.list(c.id)).map((e) => e.kind)).toEqual([
      'requested',
      'overflowed',
      'cancelled',
    ]);

    const active = await storage.consults.create(sunndalConsult(f.nurseSunndal));
    await storage.consults.claim(active.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 10 });
    expect(await storage.consults.markOverflowed(active.id, 20)).toBeNull();
    expect(await storage.consults.markOverflowed('00000000-0000-4000-8000-000000000000', 20)).toBeNull();
  });

  it('commits a Storage.transaction as a whole, or not at all', async () => {
    const { storage, f } = await setup();
    let rolledBack = '';
    await expect(
      storage.transaction(async (tx) => {
        const c = await tx.consults.create(sunndalConsult(f.nurseSunndal));
        rolledBack = c.id;
        expect(
          await tx.consults.claim(c.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 5 }),
        ).not.toBeNull();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(rolledBack).not.toBe('');
    expect(await storage.consults.get(rolledBack)).toBeNull();
    expect(await storage.consultEvents.list(rolledBack)).toEqual([]);

    const id = await storage.transaction(async (tx) => {
      const c = await tx.consults.create(sunndalConsult(f.nurseSunndal));
      await tx.consults.claim(c.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 5 });
      return c.id;
    });
    expect((await storage.consults.get(id))?.status).toBe('active');
    expect(await storage.consultEvents.countByKind(id, 'requested')).toBe(1);
    expect(await storage.consultEvents.countByKind(id, 'claimed')).toBe(1);
  });

  it('gives SLA rows for a period and recent answer times', async () => {
    const { storage, f } = await setup();
    const early = await storage.consults.create(sunndalConsult(f.nurseSunndal, { requestedAt: 1000 }));
    const mid = await storage.consults.create(sunndalConsult(f.nurseSunndal, { requestedAt: 2000 }));
    const askvoll = await storage.consults.create(
      sunndalConsult(f.nurseAskvoll, {
        districtId: 'sunnfjord-ytre-sogn',
        satelliteId: 'askvoll-omsorgssenter',
        requestedAt: 2500,
      }),
    );
    await storage.consults.create(sunndalConsult(f.nurseSunndal, { requestedAt: 3000 }));
    await storage.consults.claim(early.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 1600 });
    await storage.consults.claim(mid.id, { doctorId: f.doctorForde.id, siteId: 'forde-lvs', at: 2100 });
    await storage.consults.cancel(askvoll.id, { at: 2700 });

    expect(await storage.consults.slaRows(1000, 3000)).toEqual([
      {
        id: early.id,
        districtId: 'romsdal',
        claimedSiteId: 'molde-lvs',
        requestedAt: 1000,
        claimedAt: 1600,
        status: 'active',
        cancelledAt: null,
      },
      {
        id: mid.id,
        districtId: 'romsdal',
        claimedSiteId: 'forde-lvs',
        requestedAt: 2000,
        claimedAt: 2100,
        status: 'active',
        cancelledAt: null,
      },
      {
        id: askvoll.id,
        districtId: 'sunnfjord-ytre-sogn',
        claimedSiteId: null,
        requestedAt: 2500,
        claimedAt: null,
        status: 'cancelled',
        cancelledAt: 2700,
      },
    ]);
    expect(await storage.consults.recentAnswerTimes('romsdal', 10)).toEqual([100, 600]);
    expect(await storage.consults.recentAnswerTimes('romsdal', 1)).toEqual([100]);
    expect(await storage.consults.recentAnswerTimes('sunnfjord-ytre-sogn', 10)).toEqual([]);
  });
});

describe('the recent answers read (expected wait) on sqlite', () => {
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('reads the newest answers off an index, without sorting the district’s history', async () => {
    t = await openTestStorage('sqlite');
    await seedFixture(t.storage);
    const reader = new DatabaseSync(t.location.sqliteFile, { readOnly: true });
    try {
      // The statement ConsultRepository.recentAnswerTimes runs.
      const plan = reader
        .prepare(
          `explain query plan select "requested_at", "claimed_at" from "consults" where "district_id" = ? ` +
            `and "claimed_at" is not null order by "claimed_at" desc, "id" limit ?`,
        )
        .all('romsdal', 20)
        .map((row) => (row as { detail: string }).detail);
      expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX consults_district_claimed/);
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    } finally {
      reader.close();
    }
  });
});
