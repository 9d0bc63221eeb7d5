/**
 * The order of the LVS doctor's work queue.
 *
 * Urgency first, but with aging so that a green request is not starved by a
 * steady stream of yellow ones. Each request gets an effective priority, in
 * milliseconds of "equivalent waiting":
 *
 *   priority = colour base + ambulance bonus + time waited
 *
 * Constants, and why:
 * - Red is a tier of its own, above any yellow or green however long they have
 *   waited. A red patient at a satellite is an exception (red belongs to AMK
 *   113 / the central legevakt, and the nurse had to confirm that), and when it
 *   happens the doctor must see it first.
 * - Yellow's base is 20 minutes above green's: a green request that has waited
 *   20 minutes ranks level with a fresh yellow one (ties go to the earlier
 *   request, i.e. the green), so it overtakes from 20 minutes on. 20 minutes
 *   is well past the 2-minute answer target, so yellow still wins whenever the
 *   queue is working normally.
 * - Ambulance requests get a 10-minute bonus: a crew waits on scene or on the
 *   road with the patient and the ambulance out of service, so they go ahead
 *   of satellite requests of the same colour, unless the satellite request
 *   has already waited 10 minutes longer or more. The bonus is smaller than
 *   the yellow–green gap, so a fresh green ambulance request stays behind a
 *   fresh yellow one from a satellite.
 * - A legevakt station doctor's back-up request (origin 'station') gets no
 *   bonus: the patient is already with a doctor, so it ranks by colour and
 *   waiting time like a satellite's; the queue flags it so the LVS doctor
 *   knows a colleague, not a nurse, is asking.
 * - Aging runs at 1 ms of priority per ms waited for every request. Because the
 *   rate is the same for all, the order of two waiting requests never changes
 *   while they wait (both gain equally); aging shows when new requests arrive:
 *   a fresh yellow lands behind a green that has already waited 20 minutes.
 *   This keeps the doctor's list from reshuffling under the cursor.
 *
 * Ties are broken by request time, then id, so the order is total and does not
 * depend on the input order.
 */

import type { ConsultOrigin, TriageColour } from './consult.ts';

export interface QueueOrderEntry {
  id: string;
  triage: TriageColour;
  origin: ConsultOrigin;
  /** Epoch milliseconds. */
  requestedAt: number;
}

const MINUTE_MS = 60_000;

/** Base priority of the non-red colours; red is a separate tier above both. */
export const TRIAGE_BASE_MS = { yellow: 20 * MINUTE_MS, green: 0 } as const;

export const AMBULANCE_BONUS_MS = 10 * MINUTE_MS;

/**
 * Effective priority within a tier (higher is served first). Waiting time is
 * floored at 0 so that a request whose timestamp is ahead of `nowMs` (clock
 * skew between servers) gains no priority it has not earned.
 */
export function effectivePriority(entry: QueueOrderEntry, nowMs: number): number {
  const base = entry.triage === 'red' ? 0 : TRIAGE_BASE_MS[entry.triage];
  const bonus = entry.origin === 'ambulance' ? AMBULANCE_BONUS_MS : 0;
  return base + bonus + Math.max(0, nowMs - entry.requestedAt);
}

function tier(entry: QueueOrderEntry): number {
  return entry.triage === 'red' ? 1 : 0;
}

/**
 * Negative when `a` is served before `b`, positive when after, 0 only for
 * entries that are equal in every field that decides the order.
 */
export function compareQueueEntries(a: QueueOrderEntry, b: QueueOrderEntry, nowMs: number): number {
  const byTier = tier(b) - tier(a);
  if (byTier !== 0) return byTier;
  const byPriority = effectivePriority(b, nowMs) - effectivePriority(a, nowMs);
  if (byPriority !== 0) return byPriority;
  if (a.requestedAt !== b.requestedAt) return a.requestedAt - b.requestedAt;
  // Code-unit comparison, not localeCompare: the order must not depend on the locale of the machine.
  if (a.id < b.id) return -1;
  if (a.id > b.id) return 1;
  return 0;
}

/** A sorted copy; the input is left as it is. */
export function sortQueue<T extends QueueOrderEntry>(entries: readonly T[], nowMs: number): T[] {
  return [...entries].sort((a, b) => compareQueueEntries(a, b, nowMs));
}
