import type {
  AmbulanceUnit,
  District,
  LegevaktStation,
  LvsSite,
  Satellite,
  VirtualLvs,
  Workplace,
} from '@legevakt/shared';

export interface OrganisationData {
  districts: District[];
  virtualLvs: VirtualLvs[];
  lvsSites: LvsSite[];
  satellites: Satellite[];
  ambulanceUnits: AmbulanceUnit[];
  /** Legevakt stations (level 2); absent in data built before they existed. */
  stations?: LegevaktStation[];
}

/**
 * The organisation in memory: a few dozen rows that every queue decision reads,
 * so they are loaded once rather than queried per request.
 */
export class OrganisationDirectory {
  readonly #districts: Map<string, District>;
  readonly #sites: Map<string, LvsSite>;
  readonly #satellites: Map<string, Satellite>;
  readonly #units: Map<string, AmbulanceUnit>;
  readonly #stations: Map<string, LegevaktStation>;
  readonly data: OrganisationData;

  constructor(data: OrganisationData) {
    this.data = data;
    this.#districts = new Map(data.districts.map((d) => [d.id, d]));
    this.#sites = new Map(data.lvsSites.map((s) => [s.id, s]));
    this.#satellites = new Map(data.satellites.map((s) => [s.id, s]));
    this.#units = new Map(data.ambulanceUnits.map((u) => [u.id, u]));
    this.#stations = new Map((data.stations ?? []).map((s) => [s.id, s]));
  }

  district(id: string): District | undefined {
    return this.#districts.get(id);
  }
  site(id: string): LvsSite | undefined {
    return this.#sites.get(id);
  }
  satellite(id: string): Satellite | undefined {
    return this.#satellites.get(id);
  }
  ambulanceUnit(id: string): AmbulanceUnit | undefined {
    return this.#units.get(id);
  }

  station(id: string): LegevaktStation | undefined {
    return this.#stations.get(id);
  }

  districtName(id: string): string {
    return this.#districts.get(id)?.name ?? id;
  }

  placeName(workplace: Workplace): string {
    switch (workplace.kind) {
      case 'satellite':
        return this.#satellites.get(workplace.satelliteId)?.name ?? workplace.satelliteId;
      case 'ambulance':
        return this.#units.get(workplace.ambulanceUnitId)?.name ?? workplace.ambulanceUnitId;
      case 'station':
        return this.#stations.get(workplace.stationId)?.name ?? workplace.stationId;
      case 'lvs':
        return this.#sites.get(workplace.lvsSiteId)?.name ?? workplace.lvsSiteId;
      case 'administration':
        return workplace.districtId ? this.districtName(workplace.districtId) : 'Alle distrikter';
      case 'guest':
        return 'Invitert til konsultasjon';
    }
  }

  /** The LVS sites of the district where a request is first offered. */
  homeSiteIds(districtId: string): string[] {
    return this.data.lvsSites.filter((s) => s.districtId === districtId).map((s) => s.id);
  }

  /**
   * The other sites that share a virtual LVS with any home site: where a request
   * overflows when the home sites have not taken it in time.
   */
  overflowSiteIds(districtId: string): string[] {
    const home = new Set(this.homeSiteIds(districtId));
    const groups = new Set(
      this.data.lvsSites.filter((s) => home.has(s.id) && s.virtualLvsId !== null).map((s) => s.virtualLvsId),
    );
    return this.data.lvsSites.filter((s) => !home.has(s.id) && groups.has(s.virtualLvsId)).map((s) => s.id);
  }
}
