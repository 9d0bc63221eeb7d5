/**
 * Norwegian national identity numbers (Folkeregisteret's fødselsnummer and
 * D-nummer, plus the health sector's H-nummer), as typed by a satellite nurse
 * at intake. The layout is DDMMYY III K1 K2: birth date, a three-digit
 * individual number whose range also tells the century and whose last digit
 * tells the sex, and two mod-11 control digits.
 *
 * Variants that shift a date digit so they can never collide with a
 * fødselsnummer:
 * - D-nummer (temporary residents, foreign workers): day + 40.
 * - H-nummer (assigned by a hospital or legevakt to a patient whose identity is
 *   unknown): month + 40.
 * - Synthetic test persons: Skatteetaten's Tenor test data use month + 80;
 *   NAV's test data (Dolly) use month + 40. NAV's encoding is the same as an
 *   H-nummer's, so a month + 40 number cannot be told apart from an H-nummer:
 *   we report it as `hnr`, not synthetic. The one case we can tell is day + 40
 *   together with month + 40, which no real register issues (a D-nummer is
 *   never also an H-nummer), so that is a synthetic NAV D-nummer.
 *
 * The server keeps real and synthetic numbers apart by the `synthetic` flag:
 * production must refuse synthetic numbers, test environments may need them.
 */

export type NationalIdKind = 'fnr' | 'dnr' | 'hnr';

export type NationalIdValidation =
  | {
      ok: true;
      kind: NationalIdKind;
      synthetic: boolean;
      /** YYYY-MM-DD, the real birth date with the D/H/synthetic offsets removed. */
      birthDate: string;
      sex: 'female' | 'male';
    }
  | {
      ok: false;
      /**
       * `format`: not 11 digits. `date`: no real calendar date, or an individual
       * number outside every allocated range (so no century, hence no date).
       * `control1`/`control2`: the first/second control digit is wrong.
       */
      reason: 'format' | 'date' | 'control1' | 'control2';
    };

const CONTROL1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const CONTROL2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * Removes whitespace, so "130972 48022" (how the number is printed on cards and
 * by formatNationalId) is accepted. Everything else stays, so that letters or
 * punctuation fail as `format` instead of being silently dropped.
 */
export function normaliseNationalId(input: string): string {
  return input.replace(/\s+/g, '');
}

/**
 * The mod-11 control digit over `digits` with `weights`, or null when the
 * result would be 10: such a base cannot carry a valid number, which is why
 * some individual numbers are never issued.
 */
function controlDigit(digits: readonly number[], weights: readonly number[]): number | null {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += digits[i]! * weights[i]!;
  const remainder = sum % 11;
  if (remainder === 0) return 0;
  const digit = 11 - remainder;
  return digit === 10 ? null : digit;
}

/**
 * The full birth year from the two-digit year and the individual number, per
 * Skatteetaten's allocation. Null for combinations that were never allocated
 * (e.g. 750–899 with a year of 40–99).
 */
function birthYear(yy: number, individual: number): number | null {
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (yy <= 39) return 2000 + yy; // 500–999
  if (individual >= 900) return 1900 + yy; // 900–999 with year 40–99
  return null;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Validates a fødselsnummer, D-nummer or H-nummer (whitespace ignored). Checks
 * run in the order format, date, control1, control2, and the first failure is
 * reported: a wrong date is the more useful hint to the nurse ("check the
 * birth date") than a wrong control digit.
 */
export function validateNationalId(input: string): NationalIdValidation {
  const value = normaliseNationalId(input);
  if (!/^\d{11}$/.test(value)) return { ok: false, reason: 'format' };
  const d = Array.from(value, Number);

  let day = d[0]! * 10 + d[1]!;
  let month = d[2]! * 10 + d[3]!;
  const yy = d[4]! * 10 + d[5]!;
  const individual = d[6]! * 100 + d[7]! * 10 + d[8]!;

  const dayShifted = day > 40;
  if (dayShifted) day -= 40;
  let monthShift = 0;
  if (month > 80) monthShift = 80;
  else if (month > 40) monthShift = 40;
  month -= monthShift;

  let kind: NationalIdKind;
  let synthetic: boolean;
  if (dayShifted) {
    kind = 'dnr';
    synthetic = monthShift !== 0;
  } else if (monthShift === 40) {
    kind = 'hnr';
    synthetic = false;
  } else {
    kind = 'fnr';
    synthetic = monthShift === 80;
  }

  const year = birthYear(yy, individual);
  if (year === null || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: 'date' };
  }

  if (controlDigit(d, CONTROL1_WEIGHTS) !== d[9]) return { ok: false, reason: 'control1' };
  if (controlDigit(d, CONTROL2_WEIGHTS) !== d[10]) return { ok: false, reason: 'control2' };

  return {
    ok: true,
    kind,
    synthetic,
    birthDate: `${year}-${pad2(month)}-${pad2(day)}`,
    // The 9th digit encodes sex under today's scheme. Numbers issued under the
    // planned gender-neutral scheme will not carry it; revisit then.
    sex: d[8]! % 2 === 1 ? 'male' : 'female',
  };
}

/**
 * "DDMMYY NNNNN", the way the number is printed and read aloud. Anything that is
 * not 11 digits after removing whitespace is returned unchanged, so a half-typed
 * value in a form is never mangled.
 */
export function formatNationalId(input: string): string {
  const value = normaliseNationalId(input);
  if (!/^\d{11}$/.test(value)) return input;
  return `${value.slice(0, 6)} ${value.slice(6)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseIsoDate(date: string): { year: number; month: number; day: number } {
  const match = ISO_DATE.exec(date);
  if (match === null) throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`Not a calendar date: ${date}`);
  }
  return { year, month, day };
}

/**
 * Age in completed years on `atDate` (both YYYY-MM-DD, local calendar dates:
 * dates, not instants, so that a birthday does not depend on the time zone the
 * code runs in). Someone born 29 February turns a year older on 1 March in
 * non-leap years. Throws RangeError for malformed dates or an `atDate` before
 * the birth date, which are programming errors rather than patient data.
 */
export function ageOn(birthDate: string, atDate: string): number {
  const birth = parseIsoDate(birthDate);
  const at = parseIsoDate(atDate);
  let age = at.year - birth.year;
  if (at.month < birth.month || (at.month === birth.month && at.day < birth.day)) age -= 1;
  if (age < 0) throw new RangeError(`${atDate} is before the birth date ${birthDate}`);
  return age;
}
