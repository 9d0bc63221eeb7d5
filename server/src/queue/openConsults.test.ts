import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessTokenClaims, Consult } from '@legevakt/shared';
import { ConsultService } from '../consults/consultService.ts';
import { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import { seedFixture, type DemoFixture } from '../storage/testing/fixtures.ts';
import { openTestStorage, silentLog, type TestStorage } from '../storage/testing/storageHarness.ts';
import type { UserRecord } from '../storage/userRepository.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { OpenConsults } from './openConsults.ts';
import { PresenceRegistry } from './presence.ts';
import { WorkQueue } from './workQueue.ts';

const intake = {
  patient: { kind: 'known', name: 'Kari Nordmann', nationalId: '13097248022' },
  reason: 'Svie ved vannlating i to døgn.',
  triage: 'green',
  pathwayId: 'uti-women',
};

function claims(user: UserRecord): AccessTokenClaims {
  return { sub: user.id, role: user.role, name: user.displayName, workplace: user.workplace, sid: 'test' };
}

let db: TestStorage;
let demo: DemoFixture;
let service: ConsultService;
let org: OrganisationDirectory;
let model: OpenConsults;
const clock = new FakeClock(1_800_000_000_000);

beforeEach(async () => {
  db = await openTestStorage('sqlite');
  demo = await seedFixture(db.storage);
  org = new OrganisationDirectory({
    districts: await db.storage.organisation.listDistricts(),
    virtualLvs: await db.storage.organisation.listVirtualLvs(),
    lvsSites: await db.storage.organisation.listLvsSites(),
    satellites: await db.storage.organisation.listSatellites(),
    ambulanceUnits: await db.storage.organisation.listAmbulanceUnits(),
  });
  service = new ConsultService(db.storage, org, clock, silentLog);
});
afterEach(async () => {
  model.stop();
  await db.dispose();
});

const ids = (consults: Consult[]): string[] => consults.map((c) => c.id);

/** What storage says is open, in storage's order: the model must always agree. */
async function stored(): Promise<{ waiting: string[]; mine: string[]; sunndal: string[] }> {
  const open = ['waiting', 'active', 'documentation'] as const;
  return {
    waiting: ids(await db.storage.consults.listByStatus(['waiting'])),
    mine: ids(await db.storage.consults.listClaimedBy(demo.doctorMolde.id, ['active', 'documentation'])),
    sunndal: ids(await db.storage.consults.listForSatellite('sunndal-helsetun', [...open])),
  };
}

function held(): { waiting: string[]; mine: string[]; sunndal: string[] } {
  return {
    waiting: ids(model.waiting()),
    mine: ids(model.claimedBy(demo.doctorMolde.id)),
    sunndal: ids(model.forSatellite('sunndal-helsetun')),
  };
}

describe('OpenConsults', () => {
  it('loads what storage holds open and follows every transition to agree with storage', async () => {
    const nurse = claims(demo.nurseSunndal);
    const doctor = claims(demo.doctorMolde);
    const before = await service.request(nurse, intake);
    await service.claim(doctor, before.id);
    const cancelledEarly = await service.request(nurse, intake);
    await service.cancel(nurse, cancelledEarly.id);

    model = await OpenConsults.load(db.storage, service);
    expect(held()).toEqual(await stored());
    expect(ids(model.claimedBy(demo.doctorMolde.id))).toEqual([before.id]);

    await clock.advance(1000);
    const a = await service.request(nurse, intake);
    await clock.advance(1000);
    const b = await service.request(nurse, { ...intake, triage: 'yellow' });
    expect(held()).toEqual(await stored());

    await service.claim(doctor, a.id);
    expect(held()).toEqual(await stored());
    await service.returnToQueue(doctor, a.id);
    expect(held()).toEqual(await stored());
    const c = await service.request(nurse, intake);
    await service.claim(doctor, b.id);
    await service.claim(doctor, c.id);
    await service.endCall(doctor, b.id);
    expect(held()).toEqual(await stored());
    await service.transfer(doctor, c.id, demo.doctor2Molde.id);
    expect(held()).toEqual(await stored());
    expect(ids(model.claimedBy(demo.doctor2Molde.id))).toEqual([c.id]);
    await service.cancel(nurse, a.id);
    expect(held()).toEqual(await stored());
    expect(ids(model.waiting())).toEqual([]);
  });

  it('never lets an older version of a consult replace a newer one', async () => {
    const nurse = claims(demo.nurseSunndal);
    model = await OpenConsults.load(db.storage, service);
    const requested = await service.request(nurse, intake);
    const claimed = await service.claim(claims(demo.doctorMolde), requested.id);
    model.apply(requested);
    expect(model.waiting()).toEqual([]);
    expect(model.claimedBy(demo.doctorMolde.id)).toEqual([claimed]);
  });

  it('counts answers, so cached answer times are refreshed only when a consult is answered or put back', async () => {
    const nurse = claims(demo.nurseSunndal);
    const doctor = claims(demo.doctorMolde);
    model = await OpenConsults.load(db.storage, service);
    const consult = await service.request(nurse, intake);
    const afterRequest = model.answersVersion;
    await service.claim(doctor, consult.id);
    const afterClaim = model.answersVersion;
    expect(afterClaim).toBeGreaterThan(afterRequest);
    await service.returnToQueue(doctor, consult.id);
    expect(model.answersVersion).toBeGreaterThan(afterClaim);
  });
});

describe('the queue as served to a doctor', () => {
  it('is reused while nothing changed and under a second old, and recomputed after any change', async () => {
    model = await OpenConsults.load(db.storage, service);
    const queue = new WorkQueue(db.storage, model, org, new PresenceRegistry(), clock);
    const doctor = claims(demo.doctorMolde);
    const first = await queue.servedSnapshotFor(doctor);
    expect(await queue.servedSnapshotFor(doctor)).toBe(first);

    const consult = await service.request(claims(demo.nurseSunndal), intake);
    const afterIntake = await queue.servedSnapshotFor(doctor);
    expect(afterIntake).not.toBe(first);
    expect(afterIntake.snapshot.entries.map((e) => e.id)).toEqual([consult.id]);
    expect(JSON.parse(afterIntake.json)).toEqual(afterIntake.snapshot);

    await clock.advance(999);
    expect(await queue.servedSnapshotFor(doctor)).toBe(afterIntake);
    await clock.advance(1);
    const older = await queue.servedSnapshotFor(doctor);
    expect(older).not.toBe(afterIntake);
    expect(older.snapshot.at).toBe(clock.now());
  });
});
