/**
 * What the satellite nurse sees while waiting: the place in the doctor's queue
 * and a rough expected wait. The estimate only has to tell "a couple of
 * minutes" from "half an hour", so the nurse can decide whether to wait, call
 * the legevakt, or escalate; it must never pretend to know more than it does.
 *
 * Model: doctors take requests in rounds. With D doctors online, the request at
 * position P is taken in round ceil(P / D), and each round takes about the
 * median recent time to answer (median, not mean, so that one request left
 * waiting through a long consult does not inflate every estimate). The result
 * is clamped:
 * - floor 30 s: even position 1 needs a doctor to notice and pick up, and "0
 *   minutes" would be a promise;
 * - cap 60 min: beyond that the estimate is meaningless; the UI shows the cap
 *   as "more than 60 minutes" (compare with EXPECTED_WAIT_CAP_MS).
 * No estimate (null) when there is no basis for one: fewer than
 * MIN_ANSWER_SAMPLES recent answers, or no doctor online (the brief suggested
 * treating 0 doctors as 1; an estimate for a queue nobody is serving would be
 * invented, so the UI should say no doctor is online instead).
 */

import { sortQueue, type QueueOrderEntry } from './queueOrder.ts';

export const MIN_ANSWER_SAMPLES = 3;
export const EXPECTED_WAIT_FLOOR_MS = 30_000;
export const EXPECTED_WAIT_CAP_MS = 60 * 60_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Expected wait in ms for the request at `position` (1-based), or null when
 * there is no basis. `recentAnswerTimesMs` are request-to-claim times of
 * recently answered requests; negative or non-finite values (bad clocks) are
 * ignored. Throws RangeError for a position below 1 or a fractional or negative
 * doctor count, which are programming errors.
 */
export function expectedWaitMs(
  position: number,
  recentAnswerTimesMs: readonly number[],
  activeDoctors: number,
): number | null {
  if (!Number.isInteger(position) || position < 1) throw new RangeError(`position must be 1 or more: ${position}`);
  if (!Number.isInteger(activeDoctors) || activeDoctors < 0) {
    throw new RangeError(`activeDoctors must be a whole number ≥ 0: ${activeDoctors}`);
  }
  if (activeDoctors === 0) return null;
  const samples = recentAnswerTimesMs.filter((ms) => Number.isFinite(ms) && ms >= 0);
  if (samples.length < MIN_ANSWER_SAMPLES) return null;
  const rounds = Math.ceil(position / activeDoctors);
  // Whole milliseconds: the estimate travels in an integer field (ConsultView.expectedWaitMs).
  const estimate = Math.round(median(samples) * rounds);
  return Math.min(EXPECTED_WAIT_CAP_MS, Math.max(EXPECTED_WAIT_FLOOR_MS, estimate));
}

/**
 * The 1-based place of request `id` in the doctor's queue as ordered by
 * sortQueue, or null when it is not in the queue (taken, withdrawn). The place
 * can grow while waiting: a red or ambulance request may arrive ahead.
 */
export function queuePosition(entries: readonly QueueOrderEntry[], id: string, nowMs: number): number | null {
  const index = sortQueue(entries, nowMs).findIndex((entry) => entry.id === id);
  return index === -1 ? null : index + 1;
}
