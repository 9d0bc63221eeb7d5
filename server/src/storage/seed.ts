import type {
  AmbulanceUnit,
  District,
  LegevaktStation,
  LvsSite,
  Satellite,
  UserRole,
  VirtualLvs,
} from '@legevakt/shared';
import { hashPassword } from '../auth/passwords.ts';
import type { Storage } from './storage.ts';
import type { NewUserPlace } from './userRepository.ts';

/** Every demo account's password. Demo data only: never seed a deployment with real patients. */
export const DEMO_PASSWORD = 'legevakt-demo';

export interface DemoUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  /** The workplace's name, e.g. "Sunndal helsetun" or "alle distrikter". */
  readonly place: string;
  /** True when this seeding created the account, false when it already existed. */
  readonly created: boolean;
}

const virtualLvs: VirtualLvs = { id: 'vest-nordvest-virtuell-lvs', name: 'Vest-Nordvest virtuell LVS' };

const districts: District[] = [
  { id: 'romsdal', name: 'Romsdal legevaktdistrikt' },
  { id: 'sunnfjord-ytre-sogn', name: 'Sunnfjord og Ytre Sogn legevaktdistrikt' },
];

const lvsSites: LvsSite[] = [
  { id: 'molde-lvs', districtId: 'romsdal', virtualLvsId: virtualLvs.id, name: 'Molde LVS' },
  { id: 'forde-lvs', districtId: 'sunnfjord-ytre-sogn', virtualLvsId: virtualLvs.id, name: 'Førde LVS' },
];

const satellites: Satellite[] = [
  { id: 'sunndal-helsetun', districtId: 'romsdal', name: 'Sunndal helsetun', municipality: 'Sunndal' },
  { id: 'rauma-helsehus', districtId: 'romsdal', name: 'Rauma helsehus', municipality: 'Rauma' },
  { id: 'midsund-sjukeheim', districtId: 'romsdal', name: 'Midsund sjukeheim', municipality: 'Molde' },
  { id: 'aukra-omsorgssenter', districtId: 'romsdal', name: 'Aukra omsorgssenter', municipality: 'Aukra' },
  {
    id: 'askvoll-omsorgssenter',
    districtId: 'sunnfjord-ytre-sogn',
    name: 'Askvoll omsorgssenter',
    municipality: 'Askvoll',
  },
  {
    id: 'fjaler-omsorgssenter',
    districtId: 'sunnfjord-ytre-sogn',
    name: 'Fjaler omsorgssenter',
    municipality: 'Fjaler',
  },
  {
    id: 'hyllestad-omsorgssenter',
    districtId: 'sunnfjord-ytre-sogn',
    name: 'Hyllestad omsorgssenter',
    municipality: 'Hyllestad',
  },
  {
    id: 'solund-omsorgssenter',
    districtId: 'sunnfjord-ytre-sogn',
    name: 'Solund omsorgssenter',
    municipality: 'Solund',
  },
  { id: 'gulen-omsorgssenter', districtId: 'sunnfjord-ytre-sogn', name: 'Gulen omsorgssenter', municipality: 'Gulen' },
];

const ambulanceUnits: AmbulanceUnit[] = [
  { id: 'ambulanse-molde', districtId: 'romsdal', name: 'Ambulanse Molde', callSign: 'MR-A1' },
  { id: 'ambulanse-forde', districtId: 'sunnfjord-ytre-sogn', name: 'Ambulanse Førde', callSign: 'SF-A1' },
];

/** Legevakt stations (level 2) whose on-duty doctor may ask the LVS doctor for back-up. */
const stations: LegevaktStation[] = [
  { id: 'molde-legevakt', districtId: 'romsdal', name: 'Molde legevakt', municipality: 'Molde' },
  { id: 'forde-legevakt', districtId: 'sunnfjord-ytre-sogn', name: 'Førde legevakt', municipality: 'Sunnfjord' },
];

type DemoAccount = NewUserPlace & { readonly username: string; readonly displayName: string };

const accounts: DemoAccount[] = [
  { username: 'sykepleier.sunndal', displayName: 'Ingrid Aasen', role: 'nurse', satelliteId: 'sunndal-helsetun' },
  { username: 'sykepleier.rauma', displayName: 'Kari Vikhammer', role: 'nurse', satelliteId: 'rauma-helsehus' },
  { username: 'sykepleier.midsund', displayName: 'Marit Hoel', role: 'nurse', satelliteId: 'midsund-sjukeheim' },
  { username: 'sykepleier.aukra', displayName: 'Solveig Gossen', role: 'nurse', satelliteId: 'aukra-omsorgssenter' },
  {
    username: 'sykepleier.askvoll',
    displayName: 'Astrid Holmedal',
    role: 'nurse',
    satelliteId: 'askvoll-omsorgssenter',
  },
  { username: 'sykepleier.fjaler', displayName: 'Liv Dale', role: 'nurse', satelliteId: 'fjaler-omsorgssenter' },
  {
    username: 'sykepleier.hyllestad',
    displayName: 'Randi Leirvik',
    role: 'nurse',
    satelliteId: 'hyllestad-omsorgssenter',
  },
  { username: 'sykepleier.solund', displayName: 'Berit Hardbakke', role: 'nurse', satelliteId: 'solund-omsorgssenter' },
  { username: 'sykepleier.gulen', displayName: 'Torunn Eivindvik', role: 'nurse', satelliteId: 'gulen-omsorgssenter' },
  { username: 'lege.molde', displayName: 'Lars Hjelset', role: 'doctor', lvsSiteId: 'molde-lvs' },
  { username: 'lege2.molde', displayName: 'Nina Bolsøy', role: 'doctor', lvsSiteId: 'molde-lvs' },
  { username: 'lege.forde', displayName: 'Ola Naustdal', role: 'doctor', lvsSiteId: 'forde-lvs' },
  { username: 'lege2.forde', displayName: 'Hilde Solheim', role: 'doctor', lvsSiteId: 'forde-lvs' },
  { username: 'ambulanse.molde', displayName: 'Jon Sætre', role: 'ambulance', ambulanceUnitId: 'ambulanse-molde' },
  { username: 'ambulanse.forde', displayName: 'Erik Hauge', role: 'ambulance', ambulanceUnitId: 'ambulanse-forde' },
  {
    username: 'lege.legevakt.molde',
    displayName: 'Siri Årø',
    role: 'station_doctor',
    stationId: 'molde-legevakt',
  },
  {
    username: 'lege.legevakt.forde',
    displayName: 'Magnus Bruland',
    role: 'station_doctor',
    stationId: 'forde-legevakt',
  },
  { username: 'admin', displayName: 'Systemadministrator', role: 'admin', districtId: null },
  { username: 'admin.romsdal', displayName: 'Turid Langeland', role: 'admin', districtId: 'romsdal' },
  { username: 'admin.sunnfjord', displayName: 'Per Vassbotn', role: 'admin', districtId: 'sunnfjord-ytre-sogn' },
];

function placeName(account: DemoAccount): string {
  const name = (list: readonly { id: string; name: string }[], id: string | null): string =>
    list.find((x) => x.id === id)?.name ?? String(id);
  switch (account.role) {
    case 'nurse':
      return name(satellites, account.satelliteId);
    case 'ambulance':
      return name(ambulanceUnits, account.ambulanceUnitId);
    case 'doctor':
      return name(lvsSites, account.lvsSiteId);
    case 'station_doctor':
      return name(stations, account.stationId);
    case 'admin':
      return account.districtId === null ? 'alle distrikter' : name(districts, account.districtId);
  }
}

/** The ids of the demo organisation, for tests and tools. */
export const DEMO_ORGANISATION = { virtualLvs, districts, lvsSites, satellites, ambulanceUnits, stations } as const;

/**
 * Seeds the demo organisation (two districts of one virtual LVS) and one or
 * more accounts per role and place, all with DEMO_PASSWORD. Idempotent: the
 * organisation is upserted, an existing account (by username) is left as it
 * is. Returns every demo account.
 */
export async function seedDemo(storage: Storage, options: { now?: number } = {}): Promise<DemoUser[]> {
  const now = options.now ?? Date.now();
  // One hash for the one published demo password, made only if an account is missing.
  let passwordHash: string | null = null;

  return storage.transaction(async (tx) => {
    await tx.organisation.upsertVirtualLvs(virtualLvs);
    for (const d of districts) await tx.organisation.upsertDistrict(d);
    for (const s of lvsSites) await tx.organisation.upsertLvsSite(s);
    for (const s of satellites) await tx.organisation.upsertSatellite(s);
    for (const u of ambulanceUnits) await tx.organisation.upsertAmbulanceUnit(u);
    for (const s of stations) await tx.organisation.upsertStation(s);

    const result: DemoUser[] = [];
    for (const account of accounts) {
      const created = (await tx.users.findByUsername(account.username)) === null;
      if (created) {
        passwordHash ??= await hashPassword(DEMO_PASSWORD);
        await tx.users.create({ ...account, passwordHash, createdAt: now });
      }
      result.push({
        username: account.username,
        displayName: account.displayName,
        role: account.role,
        place: placeName(account),
        created,
      });
    }
    return result;
  });
}
