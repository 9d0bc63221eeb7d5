import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeVitalsMessage, type AccessTokenClaims, type VitalsMessage } from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import { seedFixture } from '../storage/testing/fixtures.ts';
import { openTestStorage, silentLog, type TestStorage } from '../storage/testing/storageHarness.ts';
import type { UserRecord } from '../storage/userRepository.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { ConsultService } from './consultService.ts';
import { DocumentationService } from './documentationService.ts';
import type { AccessWitness } from './recordAccess.ts';
import { MANUAL_DEVICE, RecordService } from './recordService.ts';

const START = Date.UTC(2026, 0, 14, 21, 0, 0);

let db: TestStorage;
let consults: ConsultService;
let docs: DocumentationService;
let records: RecordService;
const clock = new FakeClock(START);
const users = new Map<string, UserRecord>();

function as(username: string): AccessTokenClaims {
  const user = users.get(username);
  if (!user) throw new Error(`no user ${username}`);
  return { sub: user.id, role: user.role, name: user.displayName, workplace: user.workplace, sid: 'test' };
}

beforeEach(async () => {
  db = await openTestStorage('sqlite');
  await seedFixture(db.storage);
  for (const username of [
    'sykepleier.sunndal',
    'sykepleier.rauma',
    'ambulanse.molde',
    'lege.molde',
    'lege2.molde',
    'lege.forde',
    'lege2.forde',
    'admin',
    'admin.romsdal',
    'admin.sunnfjord',
  ]) {
    const user = await db.storage.users.findByUsername(username);
    if (!user) throw new Error(`demo user ${username} missing`);
    users.set(username, user);
  }
  const org = new OrganisationDirectory({
    districts: await db.storage.organisation.listDistricts(),
    virtualLvs: await db.storage.organisation.listVirtualLvs(),
    lvsSites: await db.storage.organisation.listLvsSites(),
    satellites: await db.storage.organisation.listSatellites(),
    ambulanceUnits: await db.storage.organisation.listAmbulanceUnits(),
  });
  consults = new ConsultService(db.storage, org, clock, silentLog);
  docs = new DocumentationService(db.storage, consults, clock, silentLog);
  records = new RecordService(db.storage, org, silentLog);
});
afterEach(async () => {
  await db.dispose();
});

/**
 * A Sunndal consult with typed-in values, taken by lege.molde, transferred to
 * lege.forde (other district, same virtual LVS), a stored simulator sample
 * during the call, signed by lege.forde, and an addendum by lege2.molde.
 */
async function documentedConsult(): Promise<string> {
  const c = await consults.request(as('sykepleier.sunndal'), {
    patient: { kind: 'known', name: 'Kari Nordmann', nationalId: '13097248022' },
    reason: 'Tung pust siden i går.',
    triage: 'yellow',
    pathwayId: null,
    measurements: { pulsePerMin: 96, temperatureCelsius: 38.2, crpMgPerL: 80, measuredAt: '2026-01-14T20:55:00.000Z' },
  });
  await clock.advance(40_000);
  await consults.claim(as('lege.molde'), c.id);
  await clock.advance(20_000);
  await consults.transfer(as('lege.molde'), c.id, users.get('lege.forde')!.id);
  const message: VitalsMessage = {
    type: 'numerics',
    samples: [
      {
        kind: 'spo2',
        value: 93,
        unit: '%',
        measuredAt: START + 90_000,
        device: 'Simulator',
        source: 'simulator',
        quality: [],
      },
    ],
  };
  await db.storage.vitals.append({
    consultId: c.id,
    sourceId: 'sim-1',
    seq: 0,
    receivedAt: START + 90_100,
    message,
    payload: encodeVitalsMessage(0, message),
  });
  await db.storage.strips.add({
    id: '5a1e9c1e-0000-4000-8000-000000000001',
    consultId: c.id,
    capturedAt: START + 100_000,
    capturedBy: users.get('lege.forde')!.id,
    sourceId: 'sim-1',
    firstSample: 0,
    streamId: 'ecg',
    signals: ['II'],
    sampleRateHz: 500,
    gain: 200,
    baseline: 0,
    startTime: START + 90_000,
    length: 4,
    samples: Int16Array.from([0, 10, 200, -5]),
  });
  await clock.advance(300_000);
  await docs.sign(as('lege.forde'), c.id, {
    findings: 'Lett takypné.',
    assessment: 'Nedre luftveisinfeksjon.',
    plan: 'Amoksicillin 500 mg x 3 i 7 dager.',
    decision: 'treat-at-satellite',
  });
  await clock.advance(600_000);
  await docs.addAddendum(as('lege2.molde'), c.id, { text: 'Røntgen thorax bestilt til i morgen.' });
  return c.id;
}

describe('the consult record', () => {
  it('assembles consult, names, participants, timeline, vitals and notes', async () => {
    const id = await documentedConsult();
    const record = await records.record(as('sykepleier.sunndal'), id);
    expect(record.consult).toMatchObject({ id, status: 'closed', claimedBy: users.get('lege.forde')!.id });
    expect(record).toMatchObject({
      districtName: 'Romsdal legevaktdistrikt',
      placeName: 'Sunndal helsetun',
      lvsSiteName: 'Førde LVS',
    });
    expect(record.participants.map((p) => [p.name, p.role, p.workplaceName])).toEqual([
      [users.get('sykepleier.sunndal')!.displayName, 'nurse', 'Sunndal helsetun'],
      [users.get('lege.molde')!.displayName, 'doctor', 'Molde LVS'],
      [users.get('lege.forde')!.displayName, 'doctor', 'Førde LVS'],
      [users.get('lege2.molde')!.displayName, 'doctor', 'Molde LVS'],
    ]);
    expect(record.timeline.map((e) => [e.kind, e.actorName])).toEqual([
      ['requested', users.get('sykepleier.sunndal')!.displayName],
      ['claimed', users.get('lege.molde')!.displayName],
      ['transferred', users.get('lege.molde')!.displayName],
      ['call-ended', users.get('lege.forde')!.displayName],
      ['closed', users.get('lege.forde')!.displayName],
      ['addendum', users.get('lege2.molde')!.displayName],
    ]);
    // The typed-in values (at the nurse's time, before the request) then the stored sample; CRP is not a vital sign.
    const typedAt = Date.parse('2026-01-14T20:55:00.000Z');
    expect(record.vitals).toEqual([
      {
        kind: 'pulseRate',
        value: 96,
        unit: '/min',
        measuredAt: typedAt,
        device: MANUAL_DEVICE,
        source: 'manual',
        quality: [],
      },
      {
        kind: 'temperature',
        value: 38.2,
        unit: 'Cel',
        measuredAt: typedAt,
        device: MANUAL_DEVICE,
        source: 'manual',
        quality: [],
      },
      {
        kind: 'spo2',
        value: 93,
        unit: '%',
        measuredAt: START + 90_000,
        device: 'Simulator',
        source: 'simulator',
        quality: [],
      },
    ]);
    expect(record.strips.map((st) => [st.id, st.capturedByName, st.signals, st.length])).toEqual([
      ['5a1e9c1e-0000-4000-8000-000000000001', users.get('lege.forde')!.displayName, ['II'], 4],
    ]);
    expect(record.photos).toEqual([]);
    expect(record.notes.map((n) => [n.kind, n.authorName])).toEqual([
      ['note', users.get('lege.forde')!.displayName],
      ['addendum', users.get('lege2.molde')!.displayName],
    ]);
  });

  it.each([
    ['sykepleier.sunndal', true], // the requesting satellite
    ['sykepleier.rauma', false], // same district, other satellite
    ['ambulanse.molde', false],
    ['lege.molde', true], // held it, and of the district
    ['lege2.molde', true], // doctor of the district
    ['lege.forde', true], // other district, but held it (transfer)
    ['lege2.forde', false], // other district, never held it
    ['admin', true],
    ['admin.romsdal', true],
    ['admin.sunnfjord', false],
  ])('is readable by %s: %s (witnessed once)', async (username, allowed) => {
    const id = await documentedConsult();
    const seen: string[] = [];
    const witness: AccessWitness = (consult, outcome) => {
      seen.push(`${consult?.id ?? 'none'}:${outcome}`);
      return Promise.resolve();
    };
    const result = records.record(as(username), id, witness);
    if (allowed) {
      expect((await result).consult.id).toBe(id);
    } else {
      const error = await result.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('FORBIDDEN');
    }
    expect(seen).toEqual([`${id}:${allowed ? 'allowed' : 'denied'}`]);
  });
});
