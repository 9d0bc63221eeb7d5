/**
 * "Before the first call of a shift": a legevakt's shifts are day (08–15),
 * evening (15–23) and night (23–08, counted to the day it started), in
 * Norwegian time. The device check is offered once per shift and per user on
 * this browser; which shift it was last passed in is kept in localStorage.
 */
export type ShiftPart = 'day' | 'evening' | 'night';

const osloParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

function osloDateHour(ms: number): { date: string; hour: number } {
  const parts = Object.fromEntries(osloParts.formatToParts(ms).map((p) => [p.type, p.value]));
  return { date: `${parts['year']}-${parts['month']}-${parts['day']}`, hour: Number(parts['hour']) };
}

/** The shift a moment belongs to, e.g. "2026-11-23 evening"; the small hours belong to the night before. */
export function shiftOf(ms: number): string {
  const { date, hour } = osloDateHour(ms);
  if (hour < 8) return `${osloDateHour(ms - (hour + 1) * 3600_000).date} night`;
  const part: ShiftPart = hour < 15 ? 'day' : hour < 23 ? 'evening' : 'night';
  return `${date} ${part}`;
}

const storageKey = (userId: string): string => `legevakt.deviceCheck.${userId}`;

/** Whether the check is still due for this user in the current shift. */
export function deviceCheckDue(storage: Pick<Storage, 'getItem'>, userId: string, now: number): boolean {
  return storage.getItem(storageKey(userId)) !== shiftOf(now);
}

/** Remembers that the user has done (or deliberately skipped) the check in this shift. */
export function markDeviceCheckDone(storage: Pick<Storage, 'setItem'>, userId: string, now: number): void {
  storage.setItem(storageKey(userId), shiftOf(now));
}
