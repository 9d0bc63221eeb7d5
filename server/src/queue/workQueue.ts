import {
  expectedWaitMs,
  slaSummary,
  sortQueue,
  startOfLocalDay,
  summarisePatient,
  type AccessTokenClaims,
  type Consult,
  type ConsultDetail,
  type ConsultView,
  type QueueEntry,
  type QueueSnapshot,
  type SlaFigures,
  type SlaSummary,
} from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import { canViewConsult } from '../consults/consultAccess.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { Storage } from '../storage/storage.ts';
import type { OpenConsults } from './openConsults.ts';
import type { PresenceRegistry } from './presence.ts';

export const SLA_TIME_ZONE = 'Europe/Oslo';
const RECENT_ANSWERS = 20;
const SLA_CACHE_MS = 1000;
/** A doctor's queue as served over HTTP is reused this long while no consult changes (its SLA is as fresh). */
const SNAPSHOT_REUSE_MS = 1000;

export interface ServedSnapshot {
  readonly snapshot: QueueSnapshot;
  /** The snapshot serialised once, for every read that reuses it. */
  readonly json: string;
  readonly version: number;
}

/**
 * Read models of the work queue: each doctor's ordered queue, each request's
 * place in line and expected wait, and the SLA figures. The open consults come
 * from the in-memory OpenConsults (every screen reads the queue often); the SLA
 * and the recent answer times from storage, cached briefly.
 */
export class WorkQueue {
  readonly #storage: Storage;
  readonly #open: OpenConsults;
  readonly #org: OrganisationDirectory;
  readonly #presence: PresenceRegistry;
  readonly #clock: Clock;
  readonly #names = new Map<string, string>();
  /** Today's SLA per site, recomputed at most once a second: every queue read shows it. */
  readonly #slaToday = new Map<string | null, { at: number; figures: Promise<SlaFigures> }>();

  /** Each doctor's last served snapshot (bounded by the number of doctors). */
  readonly #served = new Map<string, ServedSnapshot>();
  /** Recent answer times per district, valid while no consult has been answered since. */
  readonly #recentAnswers = new Map<string, { version: number; times: Promise<number[]> }>();

  constructor(
    storage: Storage,
    open: OpenConsults,
    org: OrganisationDirectory,
    presence: PresenceRegistry,
    clock: Clock,
  ) {
    this.#storage = storage;
    this.#open = open;
    this.#org = org;
    this.#presence = presence;
    this.#clock = clock;
  }

  /** The waiting requests this doctor may take, most urgent first. */
  entriesFor(user: AccessTokenClaims): QueueEntry[] {
    const visible = this.#open.waiting().filter((c) => canViewConsult(user, c, this.#org));
    return this.#ordered(visible).map((c) => this.#entry(c, user));
  }

  async snapshotFor(user: AccessTokenClaims): Promise<QueueSnapshot> {
    const now = this.#clock.now();
    const place = user.workplace;
    const siteId = place.kind === 'lvs' ? place.lvsSiteId : null;
    const mine = this.#open.claimedBy(user.sub);
    return {
      at: now,
      entries: this.entriesFor(user),
      slaToday: await this.slaToday(siteId),
      mine: await Promise.all(mine.map((c) => this.view(c))),
    };
  }

  /**
   * The consults a snapshot shows, for its access-log entries (which name each
   * patient): as the open-consult model holds them, so logging a snapshot
   * reads nothing from storage; an id only if the consult has left the model
   * since (the log then reads it).
   */
  shownIn(snapshot: QueueSnapshot): (Consult | string)[] {
    return [...snapshot.entries.map((e) => this.#open.get(e.id) ?? e.id), ...snapshot.mine];
  }

  /**
   * The doctor's snapshot for a read of the queue, and its JSON. Doctors' screens
   * poll and reload often, and most reads find nothing changed: the last one is
   * served again while no consult has changed and it is under a second old (the
   * live socket pushes every change anyway).
   */
  async servedSnapshotFor(user: AccessTokenClaims): Promise<ServedSnapshot> {
    const version = this.#open.version;
    const cached = this.#served.get(user.sub);
    if (cached && cached.version === version && this.#clock.now() - cached.snapshot.at < SNAPSHOT_REUSE_MS) {
      return cached;
    }
    const snapshot = await this.snapshotFor(user);
    // Taken before computing: a change meanwhile makes this entry stale at once.
    const served = { snapshot, json: JSON.stringify(snapshot), version };
    this.#served.set(user.sub, served);
    return served;
  }

  /** The open consults of a satellite, an ambulance unit or a legevakt station, with their place in line. */
  async openForPlace(user: AccessTokenClaims): Promise<ConsultView[]> {
    const place = user.workplace;
    const open =
      place.kind === 'satellite'
        ? this.#open.forSatellite(place.satelliteId)
        : place.kind === 'ambulance'
          ? this.#open.forAmbulanceUnit(place.ambulanceUnitId)
          : place.kind === 'station'
            ? this.#open.forStation(place.stationId)
            : [];
    return Promise.all(open.map((c) => this.view(c)));
  }

  async view(consult: Consult): Promise<ConsultView> {
    const { position, expected } =
      consult.status === 'waiting' ? await this.#placeInLine(consult) : { position: null, expected: null };
    return {
      ...consult,
      placeName: this.#placeName(consult),
      districtName: this.#org.districtName(consult.districtId),
      requestedByName: await this.#name(consult.requestedBy),
      claimedByName: consult.claimedBy ? await this.#name(consult.claimedBy) : null,
      claimedSiteName: consult.claimedSiteId ? (this.#org.site(consult.claimedSiteId)?.name ?? null) : null,
      queuePosition: position,
      expectedWaitMs: expected,
    };
  }

  async detail(consult: Consult): Promise<ConsultDetail> {
    const events = await this.#storage.consultEvents.list(consult.id);
    return {
      consult: await this.view(consult),
      timeline: await Promise.all(
        events.map(async (e) => ({
          at: e.at,
          kind: e.kind,
          actorName: e.actorUserId ? await this.#name(e.actorUserId) : null,
          data: e.data,
        })),
      ),
    };
  }

  /**
   * The SLA between two instants for a site (or all sites when null): in total
   * and per local hour, day and site.
   */
  async sla(siteId: string | null, fromMs: number, toMs: number): Promise<SlaSummary> {
    const rows = (await this.#storage.consults.slaRows(fromMs, toMs)).map((r) => ({
      id: r.id,
      // An unanswered request counts against the sites it was first offered to.
      siteId: r.claimedSiteId ?? this.#org.homeSiteIds(r.districtId)[0] ?? null,
      requestedAt: r.requestedAt,
      claimedAt: r.claimedAt,
      cancelledAt: r.cancelledAt,
    }));
    const scoped = siteId === null ? rows : rows.filter((r) => r.siteId === siteId);
    return slaSummary(scoped, { fromMs, toMs, nowMs: this.#clock.now(), timeZone: SLA_TIME_ZONE });
  }

  slaToday(siteId: string | null): Promise<SlaFigures> {
    const now = this.#clock.now();
    const cached = this.#slaToday.get(siteId);
    if (cached && now - cached.at < SLA_CACHE_MS) return cached.figures;
    const figures = this.sla(siteId, startOfLocalDay(now, SLA_TIME_ZONE), now + 1).then((summary) => summary.total);
    this.#slaToday.set(siteId, { at: now, figures });
    figures.catch(() => this.#slaToday.delete(siteId));
    return figures;
  }

  /** Where a waiting request stands in the queue its home sites see. */
  async #placeInLine(consult: Consult): Promise<{ position: number | null; expected: number | null }> {
    const homeSites = this.#org.homeSiteIds(consult.districtId);
    const sameQueue = this.#open
      .waiting()
      .filter(
        (c) =>
          c.districtId === consult.districtId ||
          (c.overflowedAt !== null && this.#org.overflowSiteIds(c.districtId).some((s) => homeSites.includes(s))),
      );
    const index = this.#ordered(sameQueue).findIndex((c) => c.id === consult.id);
    if (index < 0) return { position: null, expected: null };
    const recent = await this.#recentAnswerTimes(consult.districtId);
    const doctors = this.#presence.onlineDoctorsAtSites([
      ...homeSites,
      ...this.#org.overflowSiteIds(consult.districtId),
    ]);
    return { position: index + 1, expected: expectedWaitMs(index + 1, recent, doctors) };
  }

  #recentAnswerTimes(districtId: string): Promise<number[]> {
    const version = this.#open.answersVersion;
    const cached = this.#recentAnswers.get(districtId);
    if (cached && cached.version === version) return cached.times;
    const times = this.#storage.consults.recentAnswerTimes(districtId, RECENT_ANSWERS);
    this.#recentAnswers.set(districtId, { version, times });
    times.catch(() => this.#recentAnswers.delete(districtId));
    return times;
  }

  #ordered(consults: Consult[]): Consult[] {
    const byId = new Map(consults.map((c) => [c.id, c]));
    return sortQueue(
      consults.map((c) => ({ id: c.id, triage: c.triage, origin: c.origin, requestedAt: c.requestedAt })),
      this.#clock.now(),
    ).map((e) => byId.get(e.id)!);
  }

  #entry(consult: Consult, user: AccessTokenClaims): QueueEntry {
    return {
      id: consult.id,
      triage: consult.triage,
      origin: consult.origin,
      requestedAt: consult.requestedAt,
      placeName: this.#placeName(consult),
      districtName: this.#org.districtName(consult.districtId),
      overflow: user.workplace.kind === 'lvs' && user.workplace.districtId !== consult.districtId,
      patient: patientSummary(consult, this.#clock.now()),
      reason: consult.reason,
      pathwayId: consult.pathwayId,
      ...(consult.ambulance ? { ambulance: consult.ambulance } : {}),
    };
  }

  #placeName(consult: Consult): string {
    if (consult.satelliteId) return this.#org.satellite(consult.satelliteId)?.name ?? consult.satelliteId;
    if (consult.ambulanceUnitId)
      return this.#org.ambulanceUnit(consult.ambulanceUnitId)?.name ?? consult.ambulanceUnitId;
    if (consult.stationId) return this.#org.station(consult.stationId)?.name ?? consult.stationId;
    return '';
  }

  async #name(userId: string): Promise<string> {
    const known = this.#names.get(userId);
    if (known) return known;
    const user = await this.#storage.users.findById(userId);
    const name = user?.displayName ?? userId;
    this.#names.set(userId, name);
    return name;
  }
}

export function patientSummary(consult: Consult, nowMs: number): QueueEntry['patient'] {
  return summarisePatient(consult.patient, new Date(nowMs).toISOString().slice(0, 10));
}
