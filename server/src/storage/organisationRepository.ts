import { AmbulanceUnit, District, LegevaktStation, LvsSite, Satellite, VirtualLvs } from '@legevakt/shared';
import type { Executor } from './executor.ts';

/**
 * The organisation: districts, their LVS sites, satellites and ambulance units,
 * and the virtual LVS that groups sites sharing one queue. Inserts are
 * idempotent by id (an existing row is left as it is), so seeding can repeat.
 */
export class OrganisationRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  async upsertVirtualLvs(value: VirtualLvs): Promise<void> {
    const v = VirtualLvs.parse(value);
    await this.#db
      .insertInto('virtual_lvs')
      .values({ id: v.id, name: v.name })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: v.name }))
      .execute();
  }

  async upsertDistrict(value: District): Promise<void> {
    const d = District.parse(value);
    await this.#db
      .insertInto('districts')
      .values({ id: d.id, name: d.name })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: d.name }))
      .execute();
  }

  async upsertLvsSite(value: LvsSite): Promise<void> {
    const s = LvsSite.parse(value);
    const row = { id: s.id, district_id: s.districtId, virtual_lvs_id: s.virtualLvsId, name: s.name };
    await this.#db
      .insertInto('lvs_sites')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ district_id: row.district_id, virtual_lvs_id: row.virtual_lvs_id, name: row.name }),
      )
      .execute();
  }

  async upsertSatellite(value: Satellite): Promise<void> {
    const s = Satellite.parse(value);
    const row = { id: s.id, district_id: s.districtId, name: s.name, municipality: s.municipality };
    await this.#db
      .insertInto('satellites')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ district_id: row.district_id, name: row.name, municipality: row.municipality }),
      )
      .execute();
  }

  async upsertAmbulanceUnit(value: AmbulanceUnit): Promise<void> {
    const u = AmbulanceUnit.parse(value);
    const row = { id: u.id, district_id: u.districtId, name: u.name, call_sign: u.callSign };
    await this.#db
      .insertInto('ambulance_units')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ district_id: row.district_id, name: row.name, call_sign: row.call_sign }),
      )
      .execute();
  }

  async upsertStation(value: LegevaktStation): Promise<void> {
    const s = LegevaktStation.parse(value);
    const row = { id: s.id, district_id: s.districtId, name: s.name, municipality: s.municipality };
    await this.#db
      .insertInto('legevakt_stations')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ district_id: row.district_id, name: row.name, municipality: row.municipality }),
      )
      .execute();
  }

  async listStations(filter: { districtId?: string } = {}): Promise<LegevaktStation[]> {
    let query = this.#db.selectFrom('legevakt_stations').selectAll();
    if (filter.districtId !== undefined) query = query.where('district_id', '=', filter.districtId);
    const rows = await query.orderBy('name').orderBy('id').execute();
    return rows.map((r) =>
      LegevaktStation.parse({ id: r.id, districtId: r.district_id, name: r.name, municipality: r.municipality }),
    );
  }

  async listVirtualLvs(): Promise<VirtualLvs[]> {
    const rows = await this.#db.selectFrom('virtual_lvs').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map((r) => VirtualLvs.parse(r));
  }

  async listDistricts(): Promise<District[]> {
    const rows = await this.#db.selectFrom('districts').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map((r) => District.parse(r));
  }

  async getDistrict(id: string): Promise<District | null> {
    const row = await this.#db.selectFrom('districts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? District.parse(row) : null;
  }

  async listLvsSites(filter: { districtId?: string; virtualLvsId?: string } = {}): Promise<LvsSite[]> {
    let query = this.#db.selectFrom('lvs_sites').selectAll();
    if (filter.districtId !== undefined) query = query.where('district_id', '=', filter.districtId);
    if (filter.virtualLvsId !== undefined) query = query.where('virtual_lvs_id', '=', filter.virtualLvsId);
    const rows = await query.orderBy('name').orderBy('id').execute();
    return rows.map(toLvsSite);
  }

  async getLvsSite(id: string): Promise<LvsSite | null> {
    const row = await this.#db.selectFrom('lvs_sites').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toLvsSite(row) : null;
  }

  /**
   * The districts whose queue a doctor at this site works: the site's own, plus
   * those of every site in the same virtual LVS (where overflow comes from).
   * Empty when the site does not exist.
   */
  async districtsSharingQueueWith(siteId: string): Promise<string[]> {
    const site = await this.getLvsSite(siteId);
    if (!site) return [];
    if (site.virtualLvsId === null) return [site.districtId];
    const rows = await this.#db
      .selectFrom('lvs_sites')
      .select('district_id')
      .distinct()
      .where('virtual_lvs_id', '=', site.virtualLvsId)
      .orderBy('district_id')
      .execute();
    return rows.map((r) => r.district_id);
  }

  async listSatellites(filter: { districtId?: string } = {}): Promise<Satellite[]> {
    let query = this.#db.selectFrom('satellites').selectAll();
    if (filter.districtId !== undefined) query = query.where('district_id', '=', filter.districtId);
    const rows = await query.orderBy('name').orderBy('id').execute();
    return rows.map(toSatellite);
  }

  async getSatellite(id: string): Promise<Satellite | null> {
    const row = await this.#db.selectFrom('satellites').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSatellite(row) : null;
  }

  async listAmbulanceUnits(filter: { districtId?: string } = {}): Promise<AmbulanceUnit[]> {
    let query = this.#db.selectFrom('ambulance_units').selectAll();
    if (filter.districtId !== undefined) query = query.where('district_id', '=', filter.districtId);
    const rows = await query.orderBy('name').orderBy('id').execute();
    return rows.map(toAmbulanceUnit);
  }

  async getAmbulanceUnit(id: string): Promise<AmbulanceUnit | null> {
    const row = await this.#db.selectFrom('ambulance_units').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAmbulanceUnit(row) : null;
  }
}

function toLvsSite(r: { id: string; district_id: string; virtual_lvs_id: string | null; name: string }): LvsSite {
  return LvsSite.parse({ id: r.id, districtId: r.district_id, virtualLvsId: r.virtual_lvs_id, name: r.name });
}

function toSatellite(r: { id: string; district_id: string; name: string; municipality: string }): Satellite {
  return Satellite.parse({ id: r.id, districtId: r.district_id, name: r.name, municipality: r.municipality });
}

function toAmbulanceUnit(r: { id: string; district_id: string; name: string; call_sign: string }): AmbulanceUnit {
  return AmbulanceUnit.parse({ id: r.id, districtId: r.district_id, name: r.name, callSign: r.call_sign });
}
