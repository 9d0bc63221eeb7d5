import crypto from 'node:crypto';
import { UserRole, Workplace } from '@legevakt/shared';
import type { Executor } from './executor.ts';

/** A user account without its credentials: what the rest of the server passes around. */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly workplace: Workplace;
  readonly disabledAt: number | null;
  readonly createdAt: number;
}

/** A user with the stored password hash: for login. Pass `User` on, not this. */
export interface UserRecord extends User {
  readonly passwordHash: string;
}

/**
 * Where a new user works: a nurse at a satellite, an ambulance crew in a unit,
 * a doctor at an LVS site, an admin over a district (null = every district).
 * The role follows from it.
 */
export type NewUserPlace =
  | { readonly role: 'nurse'; readonly satelliteId: string }
  | { readonly role: 'ambulance'; readonly ambulanceUnitId: string }
  | { readonly role: 'doctor'; readonly lvsSiteId: string }
  | { readonly role: 'admin'; readonly districtId: string | null }
  | { readonly role: 'station_doctor'; readonly stationId: string };

export type NewUser = NewUserPlace & {
  /** Generated (a UUID) when absent. */
  readonly id?: string;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly createdAt: number;
};

/** A username is compared case-insensitively: stored trimmed and lower-case. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export class UserRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  #select() {
    return this.#db
      .selectFrom('users as u')
      .leftJoin('satellites as s', 's.id', 'u.satellite_id')
      .leftJoin('ambulance_units as a', 'a.id', 'u.ambulance_unit_id')
      .leftJoin('lvs_sites as l', 'l.id', 'u.lvs_site_id')
      .leftJoin('legevakt_stations as st', 'st.id', 'u.station_id')
      .select([
        'u.id',
        'u.username',
        'u.display_name',
        'u.role',
        'u.password_hash',
        'u.satellite_id',
        'u.ambulance_unit_id',
        'u.lvs_site_id',
        'u.district_id',
        'u.station_id',
        'u.disabled_at',
        'u.created_at',
        's.district_id as satellite_district_id',
        'a.district_id as ambulance_unit_district_id',
        'l.district_id as lvs_site_district_id',
        'st.district_id as station_district_id',
      ]);
  }

  /** Inserts the user; throws on a taken username or a workplace that does not exist. */
  async create(user: NewUser): Promise<UserRecord> {
    const id = user.id ?? crypto.randomUUID();
    await this.#db
      .insertInto('users')
      .values({
        id,
        username: normaliseUsername(user.username),
        display_name: user.displayName,
        role: user.role,
        password_hash: user.passwordHash,
        satellite_id: user.role === 'nurse' ? user.satelliteId : null,
        ambulance_unit_id: user.role === 'ambulance' ? user.ambulanceUnitId : null,
        lvs_site_id: user.role === 'doctor' ? user.lvsSiteId : null,
        district_id: user.role === 'admin' ? user.districtId : null,
        station_id: user.role === 'station_doctor' ? user.stationId : null,
        disabled_at: null,
        created_at: user.createdAt,
      })
      .execute();
    const created = await this.findById(id);
    if (!created) throw new Error(`user ${id} vanished after insert`);
    return created;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const row = await this.#select().where('u.id', '=', id).executeTakeFirst();
    return row ? toUserRecord(row) : null;
  }

  /** Case-insensitive (usernames are stored lower-case). */
  async findByUsername(username: string): Promise<UserRecord | null> {
    const row = await this.#select().where('u.username', '=', normaliseUsername(username)).executeTakeFirst();
    return row ? toUserRecord(row) : null;
  }

  /** Users ordered by username; with districtId, those whose workplace is in that district. */
  async list(filter: { districtId?: string; role?: UserRole } = {}): Promise<User[]> {
    const rows = await this.#select().orderBy('u.username').execute();
    return rows
      .map(toUser)
      .filter((u) => filter.role === undefined || u.role === filter.role)
      .filter((u) => filter.districtId === undefined || u.workplace.districtId === filter.districtId);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Disables the account (kept for the audit trail); false when it does not exist or already is. */
  async disable(id: string, at: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set({ disabled_at: at })
      .where('id', '=', id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async enable(id: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set({ disabled_at: null })
      .where('id', '=', id)
      .where('disabled_at', 'is not', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: string;
  satellite_id: string | null;
  ambulance_unit_id: string | null;
  lvs_site_id: string | null;
  district_id: string | null;
  disabled_at: number | null;
  created_at: number;
  satellite_district_id: string | null;
  ambulance_unit_district_id: string | null;
  lvs_site_district_id: string | null;
  station_id: string | null;
  station_district_id: string | null;
}

function workplaceOf(row: UserRow): unknown {
  switch (row.role) {
    case 'nurse':
      return { kind: 'satellite', satelliteId: row.satellite_id, districtId: row.satellite_district_id };
    case 'ambulance':
      return { kind: 'ambulance', ambulanceUnitId: row.ambulance_unit_id, districtId: row.ambulance_unit_district_id };
    case 'doctor':
      return { kind: 'lvs', lvsSiteId: row.lvs_site_id, districtId: row.lvs_site_district_id };
    case 'station_doctor':
      return { kind: 'station', stationId: row.station_id, districtId: row.station_district_id };
    case 'admin':
      return { kind: 'administration', districtId: row.district_id };
    default:
      // An unknown role gets no workplace (Workplace.parse refuses it) rather than an admin's.
      return null;
  }
}

function toUserRecord(row: UserRow & { password_hash: string }): UserRecord {
  return { ...toUser(row), passwordHash: row.password_hash };
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: UserRole.parse(row.role),
    workplace: Workplace.parse(workplaceOf(row)),
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
  };
}
