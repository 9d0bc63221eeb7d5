import type { NewConsult } from '../consultRepository.ts';
import { seedDemo } from '../seed.ts';
import type { Storage } from '../storage.ts';
import type { UserRecord } from '../userRepository.ts';

export interface DemoFixture {
  readonly nurseSunndal: UserRecord;
  readonly nurseAskvoll: UserRecord;
  readonly ambulanceMolde: UserRecord;
  readonly doctorMolde: UserRecord;
  readonly doctor2Molde: UserRecord;
  readonly doctorForde: UserRecord;
}

async function user(storage: Storage, username: string): Promise<UserRecord> {
  const found = await storage.users.findByUsername(username);
  if (!found) throw new Error(`demo user ${username} missing`);
  return found;
}

/** Seeds the demo organisation and returns a few of its accounts. */
export async function seedFixture(storage: Storage): Promise<DemoFixture> {
  await seedDemo(storage, { now: 1_700_000_000_000 });
  return {
    nurseSunndal: await user(storage, 'sykepleier.sunndal'),
    nurseAskvoll: await user(storage, 'sykepleier.askvoll'),
    ambulanceMolde: await user(storage, 'ambulanse.molde'),
    doctorMolde: await user(storage, 'lege.molde'),
    doctor2Molde: await user(storage, 'lege2.molde'),
    doctorForde: await user(storage, 'lege.forde'),
  };
}

/** A satellite consult from Sunndal helsetun (Romsdal) with a known patient. */
export function sunndalConsult(nurse: UserRecord, overrides: Partial<NewConsult> = {}): NewConsult {
  return {
    districtId: 'romsdal',
    origin: 'satellite',
    satelliteId: 'sunndal-helsetun',
    ambulanceUnitId: null,
    requestedBy: nurse.id,
    patient: { kind: 'known', name: 'Oddvar Øien', nationalId: '01015012345' },
    reason: 'Feber og økende forvirring siste døgn, redusert allmenntilstand.',
    triage: 'yellow',
    pathwayId: 'infeksjon-eldre',
    checklist: { feber: true, nakkestivhet: false, 'ny forvirring': true },
    measurements: {
      systolicMmHg: 104,
      diastolicMmHg: 62,
      pulsePerMin: 112,
      spo2Percent: 91,
      temperatureCelsius: 38.9,
      respirationPerMin: 24,
      crpMgPerL: 187.5,
      glucoseMmolPerL: 7.2,
      measuredAt: '2025-01-14T21:03:00.000Z',
    },
    requestedAt: 1_736_888_580_000,
    ...overrides,
  };
}
