/**
 * The answer-time requirement for the legevakt's calls (akuttmedisinforskriften
 * § 13: 80 % of calls answered within 2 minutes), applied to video consult
 * requests: how many were taken by a doctor within 2 minutes of the request.
 *
 * What counts (the denominator): requests whose outcome against the target is
 * known, i.e.
 * - answered (claimed by a doctor), at whatever delay: counted; within target
 *   when the delay is at most 120 s (exactly 120 s is within);
 * - not answered and waited more than 120 s (withdrawn after 2 minutes, or
 *   still waiting at `nowMs`): counted as missed: the target was already
 *   failed, whatever happens next.
 * Left out:
 * - withdrawn without answer within 120 s ("cancelledEarly"): the nurse
 *   withdrew before the target ran out, so it says nothing about the LVS;
 * - still waiting and not yet past 120 s ("pending"): not decided yet.
 * Counting late cancellations and the still-waiting as misses matters: without
 * them a site could meet the target by letting hard-to-staff hours go
 * unanswered until the nurse gives up.
 *
 * Requests are bucketed by the local hour and local date of `requestedAt` in
 * the given IANA time zone, using Intl so that daylight saving is right: in
 * Europe/Oslo 29 March 2026 has 23 hours (02:00–03:00 does not exist) and
 * 25 October 2026 has 25 (02:00–03:00 occurs twice, told apart by its UTC
 * offset). Sites are keyed by `siteId`: the LVS site that answered, or for
 * unanswered requests the home site (null when not known).
 *
 * Median and 90th percentile time to answer are over answered requests only,
 * by linear interpolation between closest ranks (as spreadsheets'
 * PERCENTILE.INC); they describe answered calls and are no substitute for the
 * share, which is the regulated figure.
 */
import { zonedFormatter } from './zonedTime.ts';

export const SLA_TARGET_MS = 120_000;
export const SLA_TARGET_SHARE = 0.8;

const HOUR_MS = 3_600_000;

export interface SlaRow {
  id: string;
  siteId: string | null;
  requestedAt: number;
  claimedAt: number | null;
  cancelledAt: number | null;
}

export interface SlaOptions {
  /** Requests with fromMs ≤ requestedAt < toMs are included. */
  fromMs: number;
  toMs: number;
  /** Decides whether a request still waiting has already missed the target. */
  nowMs: number;
  /** IANA zone for the hours and dates, e.g. "Europe/Oslo". */
  timeZone: string;
}

export interface SlaStats {
  /** Every request in the bucket, whatever became of it. */
  requested: number;
  answered: number;
  /** Answered within SLA_TARGET_MS (inclusive). */
  answeredWithinTarget: number;
  /** Not answered, and waited more than SLA_TARGET_MS (withdrawn late or still waiting). */
  missed: number;
  /** Withdrawn without answer within SLA_TARGET_MS: excluded from the share. */
  cancelledEarly: number;
  /** Still waiting, not yet past SLA_TARGET_MS: excluded from the share. */
  pending: number;
  /** The denominator of the share: answered + missed. */
  counted: number;
  /** answeredWithinTarget / counted; null when nothing was counted. */
  share: number | null;
  /** share ≥ SLA_TARGET_SHARE; null when nothing was counted. */
  targetMet: boolean | null;
  medianAnswerMs: number | null;
  p90AnswerMs: number | null;
}

export interface SlaHour extends SlaStats {
  /** The hour's bounds, clipped to the requested range. */
  startMs: number;
  endMs: number;
  /** Local date and hour (0–23) of the start. */
  date: string;
  hour: number;
  /** UTC offset at the start, e.g. "+02:00"; tells the two 02:00 hours apart when clocks go back. */
  utcOffset: string;
}

export interface SlaDay extends SlaStats {
  date: string;
  startMs: number;
  endMs: number;
  /** Local hours of the day within the range: 23, 24 or 25 for a whole day. */
  hours: number;
}

export interface SlaSite extends SlaStats {
  siteId: string | null;
}

export interface SlaSummary {
  timeZone: string;
  fromMs: number;
  toMs: number;
  total: SlaStats;
  /** Every local hour that overlaps the range, including hours without requests. */
  hours: SlaHour[];
  days: SlaDay[];
  /** Sites with at least one request, ordered by id, unknown site last. */
  sites: SlaSite[];
}

type Outcome = 'within' | 'late' | 'missed' | 'cancelledEarly' | 'pending';

function outcomeOf(row: SlaRow, nowMs: number): { outcome: Outcome; answerMs: number | null } {
  if (row.claimedAt !== null) {
    // Clock skew between servers can put a claim a little before the request; that was an immediate answer.
    const answerMs = Math.max(0, row.claimedAt - row.requestedAt);
    return { outcome: answerMs <= SLA_TARGET_MS ? 'within' : 'late', answerMs };
  }
  const waitedMs = (row.cancelledAt ?? nowMs) - row.requestedAt;
  if (waitedMs > SLA_TARGET_MS) return { outcome: 'missed', answerMs: null };
  return { outcome: row.cancelledAt !== null ? 'cancelledEarly' : 'pending', answerMs: null };
}

/** Accumulates one bucket; `answerTimes` is sorted when the stats are read. */
class Tally {
  requested = 0;
  within = 0;
  late = 0;
  missed = 0;
  cancelledEarly = 0;
  pending = 0;
  answerTimes: number[] = [];

  add(outcome: Outcome, answerMs: number | null): void {
    this.requested += 1;
    this[outcome] += 1;
    if (answerMs !== null) this.answerTimes.push(answerMs);
  }

  merge(other: Tally): void {
    this.requested += other.requested;
    this.within += other.within;
    this.late += other.late;
    this.missed += other.missed;
    this.cancelledEarly += other.cancelledEarly;
    this.pending += other.pending;
    this.answerTimes.push(...other.answerTimes);
  }

  stats(): SlaStats {
    const answered = this.within + this.late;
    const counted = answered + this.missed;
    const share = counted === 0 ? null : this.within / counted;
    const sorted = [...this.answerTimes].sort((a, b) => a - b);
    return {
      requested: this.requested,
      answered,
      answeredWithinTarget: this.within,
      missed: this.missed,
      cancelledEarly: this.cancelledEarly,
      pending: this.pending,
      counted,
      share,
      targetMet: share === null ? null : share >= SLA_TARGET_SHARE,
      medianAnswerMs: percentile(sorted, 0.5),
      p90AnswerMs: percentile(sorted, 0.9),
    };
  }
}

/** Linear interpolation between closest ranks over an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const lower = Math.floor(rank);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (rank - lower) * (sorted[upper]! - sorted[lower]!);
}

interface LocalTime {
  date: string;
  hour: number;
  /** Milliseconds since the start of the local hour. */
  intoHourMs: number;
  offsetMs: number;
}

function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of zonedFormatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year ?? 0;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  const hour = parts.hour ?? 0;
  const minute = parts.minute ?? 0;
  const second = parts.second ?? 0;
  const wholeSecondMs = Math.floor(ms / 1000) * 1000;
  const wallClockAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return {
    date: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    hour,
    intoHourMs: (minute * 60 + second) * 1000 + (ms - wholeSecondMs),
    offsetMs: wallClockAsUtc - wholeSecondMs,
  };
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

interface HourBucket {
  start: number;
  end: number;
  date: string;
  hour: number;
  offsetMs: number;
  tally: Tally;
}

/** The local hours overlapping [fromMs, toMs), each with its true (DST-aware) start instant. */
function localHours(fromMs: number, toMs: number, timeZone: string): HourBucket[] {
  const hours: HourBucket[] = [];
  let local = localTime(fromMs, timeZone);
  let start = fromMs - local.intoHourMs;
  while (start < toMs) {
    // The next local hour starts where the wall clock next shows :00. Stepping one hour and
    // snapping back also handles zones whose DST shift is 30 minutes.
    const probe = start + HOUR_MS;
    const next = localTime(probe, timeZone);
    const end = probe - next.intoHourMs;
    hours.push({ start, end, date: local.date, hour: local.hour, offsetMs: local.offsetMs, tally: new Tally() });
    local = next;
    start = end;
  }
  return hours;
}

/** Index of the hour containing `ms`: the last hour starting at or before it. */
function hourIndex(hours: readonly HourBucket[], ms: number): number {
  let lo = 0;
  let hi = hours.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (hours[mid]!.start <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function slaSummary(rows: readonly SlaRow[], options: SlaOptions): SlaSummary {
  const { fromMs, toMs, nowMs, timeZone } = options;
  if (![fromMs, toMs, nowMs].every(Number.isFinite)) throw new RangeError('fromMs, toMs and nowMs must be finite');
  zonedFormatter(timeZone); // validate the zone even when the range is empty

  const hours = fromMs < toMs ? localHours(fromMs, toMs, timeZone) : [];
  const sites = new Map<string | null, Tally>();

  for (const row of rows) {
    if (row.requestedAt < fromMs || row.requestedAt >= toMs) continue;
    const { outcome, answerMs } = outcomeOf(row, nowMs);
    hours[hourIndex(hours, row.requestedAt)]!.tally.add(outcome, answerMs);
    let site = sites.get(row.siteId);
    if (site === undefined) {
      site = new Tally();
      sites.set(row.siteId, site);
    }
    site.add(outcome, answerMs);
  }

  const total = new Tally();
  const days: { date: string; start: number; end: number; hours: number; tally: Tally }[] = [];
  for (const hour of hours) {
    total.merge(hour.tally);
    const last = days.at(-1);
    if (last?.date === hour.date) {
      last.end = hour.end;
      last.hours += 1;
      last.tally.merge(hour.tally);
    } else {
      const tally = new Tally();
      tally.merge(hour.tally);
      days.push({ date: hour.date, start: hour.start, end: hour.end, hours: 1, tally });
    }
  }

  const clip = (start: number, end: number) => ({ startMs: Math.max(start, fromMs), endMs: Math.min(end, toMs) });
  const siteIds = [...sites.keys()].sort((a, b) => {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return a < b ? -1 : 1;
  });

  return {
    timeZone,
    fromMs,
    toMs,
    total: total.stats(),
    hours: hours.map((h) => ({
      ...h.tally.stats(),
      ...clip(h.start, h.end),
      date: h.date,
      hour: h.hour,
      utcOffset: formatOffset(h.offsetMs),
    })),
    days: days.map((d) => ({ ...d.tally.stats(), ...clip(d.start, d.end), date: d.date, hours: d.hours })),
    sites: siteIds.map((siteId) => ({ ...sites.get(siteId)!.stats(), siteId })),
  };
}
